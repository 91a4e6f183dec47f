"""帮办代办: 代办授权 (``Mandate``) — writes and reads, each write one transaction with its audit
record (issue 17).

A relative asks for a mandate naming the person they will apply for (name and 公民身份号码, the
relation, the items, until when); it waits for that person's consent, given either by the
6-digit code texted to the person's registered phone (the person tells it to the relative, who
types it in) or by the person signed in to their own account (我的授权: 同意 / 不同意). A 帮办员
(a volunteer or community helper with an account) gets a mandate when a window clerk records the
signed paper mandate they saw. The person may revoke a mandate at any time; the agent may give
it up. Only an active mandate within its dates lets the agent apply (``mandate_check``), and
cases show the agent the cases they filed only while it does (``usable_ids``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.codes import CodeError, validate_id_number
from shuzheng.core.errors import FieldError, Forbidden, NotFound, RateLimited, ValidationFailed
from shuzheng.core.sms import send_sms_after_commit, signed
from shuzheng.identity import throttle
from shuzheng.identity.contracts import MandateInfo, Principal
from shuzheng.identity.models import Mandate, Person

MAX_DAYS = 3 * 366  # a mandate lasts at most about three years, then is asked for again
CODE_TTL = dt.timedelta(minutes=10)
ITEM_CODE_RE = re.compile(r"^[A-Za-z0-9]{4,24}$")
PAPER_REF_RE = re.compile(r"^[\w\-〔〕（）()/]{2,64}$")
CLERK = "window_clerk"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _mask_id(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:] if len(id_number) == 18 else "****"


def _status(m: Mandate, today: dt.date) -> str:
    if m.status == Mandate.Status.ACTIVE and m.valid_until < today:
        return "expired"
    return str(m.status)


STATUS_NAMES = {**dict(Mandate.Status.choices), "expired": "已过期"}


def info(m: Mandate, today: dt.date | None = None) -> MandateInfo:
    status = _status(m, today or timezone.localdate())
    return MandateInfo(
        id=m.pk,
        principal_id_number=m.principal.id_number,
        principal_name=m.principal.name,
        agent_id_number=m.agent.id_number,
        agent_name=m.agent.name,
        basis=m.basis,
        basis_name=str(m.get_basis_display()),
        relation_name=str(m.get_relation_display()) if m.relation else "",
        scope=m.scope,
        item_codes=tuple(str(c) for c in m.item_codes or ()),
        valid_from=m.valid_from.isoformat(),
        valid_until=m.valid_until.isoformat(),
        status=status,
        status_name=str(STATUS_NAMES.get(status, status)),
        confirmed_via=m.confirmed_via,
        paper_ref=m.paper_ref,
    )


def _snapshot(m: Mandate) -> dict[str, object]:
    return {
        "principal": _mask_id(m.principal.id_number),
        "agent": _mask_id(m.agent.id_number),
        "basis": m.basis,
        "relation": m.relation,
        "scope": m.scope,
        "item_codes": list(m.item_codes or []),
        "valid_from": m.valid_from.isoformat(),
        "valid_until": m.valid_until.isoformat(),
        "status": m.status,
        "confirmed_via": m.confirmed_via,
        "paper_ref": m.paper_ref,
    }


def _audit(actor: str, action: str, m: Mandate, before: dict[str, object] | None = None) -> None:
    audit.record(
        actor=actor,
        action=f"identity.mandate_{action}",
        object_type="identity.mandate",
        object_id=str(m.pk),
        before=before,
        after=_snapshot(m),
    )


# --- checking what was asked for ------------------------------------------------------------------


def _person_named(
    id_number: str, name: str | None, field: str, errors: list[FieldError]
) -> Person | None:
    """The registered person with this ID number (and, when given, this name), or an error
    naming ``field`` (the same words whether the number is unknown or the name differs)."""
    try:
        number = validate_id_number((id_number or "").strip().upper()).id_number
    except CodeError as exc:
        errors.append(FieldError(field, exc.message))
        return None
    person = Person.objects.filter(id_number=number).first()
    if person is None or (name is not None and person.name != (name or "").strip()):
        errors.append(FieldError(field, "未找到该实名人员，或姓名与公民身份号码不一致。"))
        return None
    return person


def _scope(scope: str, item_codes: list[str] | None, errors: list[FieldError]) -> list[str]:
    if scope not in Mandate.Scope.values:
        errors.append(FieldError("scope", "请选择授权范围：全部事项或指定事项。"))
        return []
    if scope == Mandate.Scope.ALL:
        return []
    codes = list(dict.fromkeys(c.strip() for c in item_codes or [] if c and c.strip()))
    if not codes:
        errors.append(FieldError("item_codes", "指定事项时请至少填写一个事项编码。"))
    elif any(not ITEM_CODE_RE.match(c) for c in codes) or len(codes) > 50:
        errors.append(FieldError("item_codes", "事项编码应为4到24位字母或数字，最多50个。"))
    return codes


def _until(valid_until: dt.date | None, today: dt.date, errors: list[FieldError]) -> dt.date:
    if valid_until is None:
        errors.append(FieldError("valid_until", "请填写授权截止日期。"))
        return today
    if valid_until < today:
        errors.append(FieldError("valid_until", "授权截止日期不能早于今天。"))
    elif (valid_until - today).days > MAX_DAYS:
        errors.append(FieldError("valid_until", "授权期限最长三年，请缩短截止日期。"))
    return valid_until


def _own_person(principal: Principal) -> Person:
    if principal.kind not in ("person", "agent") or not principal.person_id:
        raise Forbidden("代办授权仅限实名用户办理。")
    person = Person.objects.filter(pk=principal.person_id).first()
    if person is None:
        raise Forbidden("代办授权仅限实名用户办理。")
    return person


# --- a relative asks; the principal consents by code or in their own session ----------------------

ASK_THROTTLED = "代办授权申请过于频繁，请 {wait}后再试。"


def ask_slot(agent_pk: int) -> throttle.Slot:
    """Requests of one asker in an hour (``REGISTER_MAX_PER_HOUR``, as registrations per IP):
    the request form finds a registered person by name and ID number, so it is no free
    oracle of who is registered."""
    rule = throttle.Rule("mandate_ask", settings.REGISTER_MAX_PER_HOUR, 3600, 3600)
    return throttle.Slot(rule, f"person:{agent_pk}")


def mandate_request(
    *,
    principal: Principal,
    principal_name: str,
    principal_id_number: str,
    relation: str,
    scope: str,
    item_codes: list[str] | None,
    valid_until: dt.date | None,
) -> Mandate:
    """The caller (the agent-to-be, a relative) asks the named person for a mandate. Waits for
    the person's consent; when they have a registered phone, a code is texted to it
    (``mandate_send_code``). An earlier request of the same pair still waiting is replaced."""
    agent = _own_person(principal)
    # each request says whether a (name, ID number) pair is registered: counted per asker
    throttle.reserve([ask_slot(agent.pk)], now=timezone.now(), message=ASK_THROTTLED)
    today = timezone.localdate()
    errors: list[FieldError] = []
    if not (principal_name or "").strip():
        errors.append(FieldError("principal_name", "请填写委托人姓名。"))
    person = _person_named(principal_id_number, principal_name, "principal_id_number", errors)
    if person is not None and person.pk == agent.pk:
        errors.append(FieldError("principal_id_number", "不能为自己办理代办授权。"))
    if relation not in Mandate.Relation.values:
        errors.append(FieldError("relation", "请选择您与委托人的关系。"))
    codes = _scope(scope, item_codes, errors)
    until = _until(valid_until, today, errors)
    if errors or person is None:
        raise ValidationFailed(errors)
    live = Mandate.objects.filter(principal=person, agent=agent, status=Mandate.Status.ACTIVE)
    if live.filter(valid_until__gte=today).exists():
        raise ValidationFailed.one(
            "principal_id_number", "您已有该委托人的有效代办授权，如需调整请先撤销原授权。"
        )
    with transaction.atomic():
        for old in Mandate.objects.select_for_update().filter(
            principal=person, agent=agent, status=Mandate.Status.PENDING
        ):
            before = _snapshot(old)
            old.status = Mandate.Status.REVOKED
            old.revoked_at = timezone.now()
            old.revoked_by = "superseded"
            old.code_hash = ""
            old.save(update_fields=["status", "revoked_at", "revoked_by", "code_hash"])
            _audit(principal.actor, "superseded", old, before)
        m = Mandate.objects.create(
            principal=person,
            agent=agent,
            basis=Mandate.Basis.RELATIVE,
            relation=relation,
            scope=scope,
            item_codes=codes,
            valid_from=today,
            valid_until=until,
            status=Mandate.Status.PENDING,
            created_by=principal.actor,
        )
        _audit(principal.actor, "requested", m)
    if person.phone:
        # a code texted to this person moments ago (RateLimited): the confirm page says when
        with contextlib.suppress(RateLimited):
            mandate_send_code(principal=principal, mandate_id=m.pk)
    return m


def _pending_of_agent(principal: Principal, mandate_id: int) -> Mandate:
    m = (
        Mandate.objects.select_for_update()
        .select_related("principal", "agent")
        .filter(pk=mandate_id, agent_id=principal.person_id or 0)
        .first()
    )
    if m is None:
        raise NotFound("未找到该代办授权。")
    if m.status != Mandate.Status.PENDING:
        raise ValidationFailed.one("mandate", "该代办授权不在待确认状态。")
    return m


def sms_key(principal_id_number: str) -> str:
    """The SMS counter of codes texted to a principal (``throttle.sms_allow``)."""
    return f"mandate:{principal_id_number}"


def mandate_send_code(*, principal: Principal, mandate_id: int) -> None:
    """Text the principal a 6-digit code that confirms the agent's request (the agent asks; the
    principal tells the agent the code). One per ``SMS_COOLDOWN_SECONDS`` per principal and at
    most ``SMS_MAX_PER_HOUR`` an hour (429 saying when, the code sent before stays valid)."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        m = _pending_of_agent(principal, mandate_id)
        phone = m.principal.phone
        if not phone:
            raise ValidationFailed.one(
                "code", "委托人未登记手机号码，请委托人登录本人账号在“我的授权”中确认。"
            )
        throttle.sms_allow(sms_key(m.principal.id_number), now=now)
        m.code_hash = _sha256(f"{m.pk}:{code}")
        m.code_expires_at = now + CODE_TTL
        m.code_attempts = 0
        m.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
        audit.record(
            actor=principal.actor,
            action="identity.mandate_code_sent",
            object_type="identity.mandate",
            object_id=str(m.pk),
            after={"phone": phone[:3] + "****" + phone[-4:]},
        )
        scope = "全部政务服务事项" if m.scope == Mandate.Scope.ALL else "指定的政务服务事项"
        send_sms_after_commit(
            phone,
            signed(
                f"{m.agent.name}申请代您办理{scope}，授权至{m.valid_until.isoformat()}。"
                f"如同意，请将验证码 {code} 告诉对方（10分钟内有效）；如不同意，请勿告知。"
            ),
        )


def mandate_confirm_code(*, principal: Principal, mandate_id: int, code: str) -> Mandate:
    """The agent types the code the principal was texted: the mandate becomes active."""
    now = timezone.now()
    with transaction.atomic():
        m = _pending_of_agent(principal, mandate_id)
        if not m.code_hash or m.code_expires_at is None or m.code_expires_at <= now:
            raise ValidationFailed.one("code", "验证码已过期，请重新获取。")
        before = _snapshot(m)
        if hmac.compare_digest(m.code_hash, _sha256(f"{m.pk}:{(code or '').strip()}")):
            m.status = Mandate.Status.ACTIVE
            m.confirmed_via = "sms"
            m.confirmed_at = now
            m.code_hash = ""
            m.save(update_fields=["status", "confirmed_via", "confirmed_at", "code_hash"])
            _audit(principal.actor, "confirmed", m, before)
            return m
        m.code_attempts += 1
        if m.code_attempts >= settings.OTP_MAX_ATTEMPTS:
            m.code_hash = ""  # used up: a new code must be asked for
        m.save(update_fields=["code_attempts", "code_hash"])
        audit.record(
            actor=principal.actor,
            action="identity.mandate_code_failed",
            object_type="identity.mandate",
            object_id=str(m.pk),
            after={"attempts": m.code_attempts},
        )
    raise ValidationFailed.one("code", "验证码错误。")


def mandate_answer(*, principal: Principal, mandate_id: int, accept: bool) -> Mandate:
    """The principal, signed in, agrees to (or declines) a request waiting for them."""
    with transaction.atomic():
        m = (
            Mandate.objects.select_for_update()
            .select_related("principal", "agent")
            .filter(pk=mandate_id, principal_id=principal.person_id or 0)
            .first()
        )
        if m is None:
            raise NotFound("未找到该代办授权。")
        if m.status != Mandate.Status.PENDING:
            raise ValidationFailed.one("mandate", "该代办授权不在待确认状态。")
        before = _snapshot(m)
        m.status = Mandate.Status.ACTIVE if accept else Mandate.Status.DECLINED
        m.confirmed_via = "session" if accept else ""
        m.confirmed_at = timezone.now() if accept else None
        m.code_hash = ""
        m.save(update_fields=["status", "confirmed_via", "confirmed_at", "code_hash"])
        _audit(principal.actor, "confirmed" if accept else "declined", m, before)
    return m


def mandate_revoke(*, principal: Principal, mandate_id: int) -> Mandate:
    """The principal revokes a mandate (or the agent gives it up); from then on the agent can
    neither apply for the principal nor see the cases filed under it."""
    me = principal.person_id or 0
    with transaction.atomic():
        m = (
            Mandate.objects.select_for_update()
            .select_related("principal", "agent")
            .filter(pk=mandate_id)
            .first()
        )
        if m is None or me not in (m.principal_id, m.agent_id):
            raise NotFound("未找到该代办授权。")
        if m.status not in (Mandate.Status.PENDING, Mandate.Status.ACTIVE):
            raise ValidationFailed.one("mandate", "该代办授权已失效，无需撤销。")
        before = _snapshot(m)
        m.status = Mandate.Status.REVOKED
        m.revoked_at = timezone.now()
        m.revoked_by = principal.actor
        m.code_hash = ""
        m.save(update_fields=["status", "revoked_at", "revoked_by", "code_hash"])
        _audit(principal.actor, "revoked", m, before)
    return m


# --- a 帮办员's signed paper mandate, recorded at the window -------------------------------------


def mandate_record_paper(
    *,
    principal: Principal,
    principal_id_number: str,
    agent_id_number: str,
    scope: str,
    item_codes: list[str] | None,
    valid_until: dt.date | None,
    paper_ref: str,
    paper_seen: bool,
) -> Mandate:
    """A window clerk records the signed paper mandate a person gave a 帮办员 (checked in
    person at the window): active at once, basis ``helper``, the paper's number kept."""
    if principal.kind != "staff" or not principal.has_role(CLERK):
        raise Forbidden("只有窗口工作人员可以登记书面委托。")
    today = timezone.localdate()
    errors: list[FieldError] = []
    person = _person_named(principal_id_number, None, "principal_id_number", errors)
    agent = _person_named(agent_id_number, None, "agent_id_number", errors)
    if agent is not None and agent.user_id is None:
        errors.append(FieldError("agent_id_number", "帮办员须先注册实名账号。"))
    if person is not None and agent is not None and person.pk == agent.pk:
        errors.append(FieldError("agent_id_number", "委托人与帮办员不能是同一人。"))
    codes = _scope(scope, item_codes, errors)
    until = _until(valid_until, today, errors)
    paper_ref = (paper_ref or "").strip()
    if not PAPER_REF_RE.match(paper_ref):
        errors.append(FieldError("paper_ref", "请填写书面委托书编号（2到64位）。"))
    if not paper_seen:
        errors.append(
            FieldError("paper_seen", "请确认已核验委托人签字的书面委托书和双方身份证件。")
        )
    if errors or person is None or agent is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        m = Mandate.objects.create(
            principal=person,
            agent=agent,
            basis=Mandate.Basis.HELPER,
            scope=scope,
            item_codes=codes,
            valid_from=today,
            valid_until=until,
            status=Mandate.Status.ACTIVE,
            confirmed_via="paper",
            confirmed_at=timezone.now(),
            paper_ref=paper_ref,
            created_by=principal.actor,
        )
        _audit(principal.actor, "recorded", m)
        if person.phone:  # active on the clerk's word: the person named hears of it
            scope_words = "全部政务服务事项" if scope == Mandate.Scope.ALL else "指定的政务服务事项"
            send_sms_after_commit(
                person.phone,
                signed(
                    f"政务服务窗口已登记您委托{agent.name}代您办理{scope_words}的书面委托"
                    f"（编号 {paper_ref}），授权至{until.isoformat()}。如非您本人委托，请登录"
                    "“我的授权”撤销，或到窗口说明。"
                ),
            )
    return m


# --- reads ----------------------------------------------------------------------------------------


def mandates_of(principal: Principal) -> tuple[list[MandateInfo], list[MandateInfo]]:
    """(given, held): the mandates the caller gave (as 委托人) and holds (as 代办人)."""
    me = principal.person_id
    if principal.kind not in ("person", "agent") or not me:
        return [], []
    today = timezone.localdate()
    rows = Mandate.objects.select_related("principal", "agent").filter(
        Q(principal_id=me) | Q(agent_id=me)
    )[:200]
    given = [info(m, today) for m in rows if m.principal_id == me]
    held = [info(m, today) for m in rows if m.agent_id == me]
    return given, held


def _usable(principal: Principal) -> list[Mandate]:
    if principal.kind not in ("person", "agent") or not principal.person_id:
        return []
    today = timezone.localdate()
    return list(
        Mandate.objects.select_related("principal", "agent").filter(
            agent_id=principal.person_id,
            status=Mandate.Status.ACTIVE,
            valid_from__lte=today,
            valid_until__gte=today,
        )
    )


def usable(principal: Principal) -> list[MandateInfo]:
    """The caller's mandates that let them apply for someone today."""
    today = timezone.localdate()
    return [info(m, today) for m in _usable(principal)]


def usable_ids(principal: Principal) -> list[int]:
    """The ids of those mandates (one plain query): cases filed under them stay visible."""
    if principal.kind not in ("person", "agent") or not principal.person_id:
        return []
    today = timezone.localdate()
    return list(
        Mandate.objects.filter(
            agent_id=principal.person_id,
            status=Mandate.Status.ACTIVE,
            valid_from__lte=today,
            valid_until__gte=today,
        ).values_list("pk", flat=True)
    )


def mandate_check(principal: Principal, id_number: str, item_codes: list[str]) -> MandateInfo:
    """The caller's usable mandate of the person with ``id_number`` covering every item, or
    Forbidden (403) naming nothing about the person."""
    wanted = (id_number or "").strip().upper()
    for m in _usable(principal):
        found = info(m)
        if found.principal_id_number == wanted and all(found.covers(c) for c in item_codes):
            return found
    raise Forbidden("您没有该申请人对本事项的有效代办授权。")


def mandate_for(principal: Principal, mandate_id: int) -> MandateInfo:
    """One mandate the caller gave or holds (NotFound otherwise)."""
    me = principal.person_id or 0
    m = Mandate.objects.select_related("principal", "agent").filter(pk=mandate_id).first()
    if m is None or me not in (m.principal_id, m.agent_id):
        raise NotFound("未找到该代办授权。")
    return info(m)


def waiting_for_code(principal: Principal, mandate_id: int) -> bool:
    """Whether the agent's request waits for a code that was texted and is still valid."""
    m = Mandate.objects.filter(
        pk=mandate_id, agent_id=principal.person_id or 0, status=Mandate.Status.PENDING
    ).first()
    return bool(m and m.code_hash and m.code_expires_at and m.code_expires_at > timezone.now())
