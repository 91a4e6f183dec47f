"""Applying: who the applicant is, the prefilled form, and filing the case (one item or a
一件事 with its sub-cases), submitted or as a draft; cases recorded for 免申即享 grants."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import transitions
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import delivery, instant, notices
from shuzheng.cases.services.materials import (
    bundle_materials_for,
    check_materials,
    guided,
    guided_bundle,
    record_license_uses,
    required_for,
)
from shuzheng.cases.services.records import add_event, next_case_no, snapshot
from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import FieldError, Forbidden, ValidationFailed
from shuzheng.exchange import facade as exchange
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import MandateInfo, Principal
from shuzheng.rules import facade as rules


def _applicant(
    principal: Principal,
    *,
    applicant_types: list[str],
    enterprise_uscc: str | None,
    on_behalf_of: str | None,
    department: str,
    applicant_present: bool,
) -> tuple[str, str, str, str]:
    """(kind, id, name, channel) of the applicant, after checking the caller may apply for them.

    Staff file in someone's name only at the window: a window clerk of the department that
    handles the item (a 一件事: its lead department), with the applicant there in person."""
    if principal.kind == "staff":
        if (transitions.CLERK, department) not in principal.staff_roles:
            raise Forbidden("只有该事项受理部门的窗口工作人员可以代申请人提交申请。")
        if not applicant_present:
            raise ValidationFailed.one(
                "applicant_present", "窗口代办须申请人本人到场并核验身份，请确认申请人在场。"
            )
        if not on_behalf_of:
            raise ValidationFailed.one(
                "applicant_id_number", "窗口代办请填写申请人的公民身份号码。"
            )
        person = identity.person_by_id_number(on_behalf_of)
        if person is None:
            raise ValidationFailed.one("applicant_id_number", "未找到该申请人的实名信息。")
        return "person", person.id_number, person.name, "window"
    if principal.kind not in ("person", "agent"):
        raise Forbidden("只有实名用户、企业经办人或窗口人员可以申请。")
    if enterprise_uscc:
        if enterprise_uscc not in principal.enterprises:
            raise Forbidden("您不是该企业的有效经办人，不能以企业名义申请。")
        if "enterprise" not in applicant_types:
            raise ValidationFailed.one("enterprise_uscc", "该事项不受理企业申请。")
        ent = identity.enterprise(enterprise_uscc)
        return "enterprise", ent.uscc, ent.name, "online"
    if "person" not in applicant_types:
        raise ValidationFailed.one("enterprise_uscc", "该事项只受理企业申请，请选择代办的企业。")
    return "person", principal.id_number, principal.name, "online"


def _represented(
    principal: Principal,
    id_number: str,
    item_codes: list[str],
    applicant_types: list[str],
    enterprise_uscc: str | None,
) -> tuple[str, str, str, MandateInfo]:
    """帮办代办: the person the caller applies for, under the caller's valid 代办授权 covering
    every item (403 otherwise, nothing filed)."""
    if enterprise_uscc:
        raise ValidationFailed.one("enterprise_uscc", "为他人办理时不能同时以企业名义申请。")
    if "person" not in applicant_types:
        raise ValidationFailed.one(
            "represented_id_number", "该事项只受理企业申请，不能代他人办理。"
        )
    mandate = identity.mandate_check(principal, id_number, item_codes)
    return "person", mandate.principal_id_number, mandate.principal_name, mandate


def verified_identity(
    principal: Principal, kind: str, applicant_id: str, applicant_name: str
) -> dict[str, str]:
    """The data items that identify who applies, as the verified identity gives them: the
    person (the applicant, or for an enterprise the 经办人 applying for it) and the enterprise.
    Form fields prefilled from these (``x-prefill``) must say the same."""
    if kind == "enterprise":
        agent = (
            {"person.name": principal.name, "person.id_number": principal.id_number}
            if principal.kind in ("person", "agent")
            else {}
        )
        return {**agent, "enterprise.uscc": applicant_id, "enterprise.name": applicant_name}
    return {"person.name": applicant_name, "person.id_number": applicant_id}


def bind_identity(
    schema: dict[str, Any], form: dict[str, Any], verified: dict[str, str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The form with its identity fields taken from the verified identity: a field left empty
    is filled in, a different value is an error naming the field (a form may not name someone
    else as the applicant)."""
    out = dict(form)
    errors: list[FieldError] = []
    for name, prop in schema.get("properties", {}).items():
        source = prop.get("x-prefill")
        if source not in verified or not verified[source]:
            continue
        given = str(out.get(name) or "").strip()
        if given and given.upper() != verified[source].upper():
            label = prop.get("title") or name
            errors.append(
                FieldError(f"form.{name}", f"{label}须与实名认证信息一致，不能填写他人的信息。")
            )
        out[name] = verified[source]
    return out, errors


def not_again(item_code: str, kind: str, applicant_id: str, *, who: str = "您") -> None:
    """One person, one benefit: an item whose rule set grants a benefit the applicant already
    receives, or was offered by a 免申即享 notice, is refused before anything is filed (409
    naming ``item_code``). Two applications at once both pass here; the register's constraint
    then refuses the second when the rules decide (``instant``)."""
    held = rules.entitlement_for_item(
        item_code=item_code, subject_kind=kind, subject_id=applicant_id
    )
    if held is not None:
        raise rules.EntitlementTaken(held, who=who)


# --- prefill -----------------------------------------------------------------------------------


def prefill_for(
    principal: Principal, schema: dict[str, Any], enterprise_uscc: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for fields that declare ``x-prefill``, from the applicant's own data as held by
    the source departments (数据共享), and which department each came from (shown to the
    applicant)."""
    wanted = {
        name: str(prop["x-prefill"])
        for name, prop in schema.get("properties", {}).items()
        if prop.get("x-prefill")
    }
    if not wanted:
        return {}, {}
    found = exchange.prefill(principal, list(wanted.values()), enterprise_uscc)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, src in wanted.items():
        if src in found:
            values[name], sources[name] = found[src]
    return values, sources


# --- materials ---------------------------------------------------------------------------------


def case_create(
    *,
    principal: Principal,
    item_code: str | None = None,
    bundle_code: str | None = None,
    form: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
    submit: bool = True,
    enterprise_uscc: str | None = None,
    applicant_id_number: str | None = None,
    applicant_present: bool = False,
    represented_id_number: str | None = None,
    answers: dict[str, str] | None = None,
) -> Case:
    """File a case (one item or a 一件事), submitted or as a draft. Staff filing at the window
    name the applicant (``applicant_id_number``) and confirm they are there in person
    (``applicant_present``, recorded with the case). A person applying for someone else
    (帮办代办, "为他人办理") names them (``represented_id_number``): the case is that person's,
    filed under the caller's valid 代办授权 (``identity.facade.mandate_check``), the agent
    recorded on it (``agent_id``, ``agent_name``, ``agent_mandate``)."""
    # ``answers``: the applicant's answers to the item's 智能导办 questions — the situation
    # they choose decides which materials are required, and is recorded on the case
    if bool(item_code) == bool(bundle_code):
        raise ValidationFailed.one("item_code", "请指定 item_code 或 bundle_code 之一。")
    form = form or {}
    materials = materials or []
    if bundle_code and not submit:
        raise ValidationFailed.one("submit", "一件事请一次性提交（暂不支持草稿）。")
    situation: dict[str, Any] = {}
    if item_code:
        item = catalog.item(item_code)
        schema = item.form_schema
        applicant_types = item.applicant_types
        situation = guided(item, answers)
        required = required_for(item, situation)
        known = list(item.materials)
        region = item.region_code
        department = item.department
    else:
        bundle = catalog.bundle(str(bundle_code))
        schema = bundle.form_schema
        applicant_types = bundle.applicant_types
        situation = guided_bundle(bundle, answers)
        required = [m for m in bundle_materials_for(bundle, situation) if m.required]
        known = list(bundle.materials)
        region = bundle.code[3:9]
        department = bundle.lead_department
    mandate = None
    if represented_id_number and principal.kind in ("person", "agent"):
        codes = [item.code] if item_code else [m.code for m in bundle.members]
        kind, applicant_id, applicant_name, mandate = _represented(
            principal, represented_id_number, codes, applicant_types, enterprise_uscc
        )
        channel = "online"
    else:
        kind, applicant_id, applicant_name, channel = _applicant(
            principal,
            applicant_types=applicant_types,
            enterprise_uscc=enterprise_uscc,
            on_behalf_of=applicant_id_number,
            department=department,
            applicant_present=applicant_present,
        )
    if item_code:
        mine = channel == "online" and mandate is None  # else told to a clerk or an agent
        not_again(item.code, kind, applicant_id, who="您" if mine else "申请人")
    form, identity_errors = bind_identity(
        schema, form, verified_identity(principal, kind, applicant_id, applicant_name)
    )
    data, form_errors = catalog.validate_form(schema, form)
    if not submit:  # a draft may be incomplete, but not hold what cannot be stored
        form_errors = catalog.form_text_problems(schema, data)
    problems = [FieldError(f"form.{k}", v) for k, v in form_errors.items()]
    if submit and not form_errors:  # 邮寄送达 needs the address
        problems += delivery.mailing_problems(schema, data)
    problems = identity_errors + problems
    try:
        stored = check_materials(
            owner=principal.actor,
            submitted=materials,
            required=required,
            strict=submit,
            holder=(kind, applicant_id),  # 免证办: the applicant's own e-licences
            known=known,
        )
    except ValidationFailed as exc:
        problems += exc.errors
    if problems:  # every problem at once, naming its field; nothing is created
        raise ValidationFailed(problems)
    status = S.SUBMITTED if submit else S.DRAFT
    now = timezone.now()
    today = timezone.localdate()
    action = "submit" if submit else "draft"
    # filed at the window: the clerk confirmed the applicant was there (the timeline and the
    # audit record say so)
    at_window: dict[str, object] = {"applicant_present": True} if channel == "window" else {}
    if mandate is not None:  # 帮办代办: the timeline and the audit record name the agent
        at_window = {"agent": mandate.agent_name, "mandate": mandate.id}
    common = {  # what the case and every sub-case of a 一件事 share
        "applicant_kind": kind,
        "applicant_id": applicant_id,
        "applicant_name": applicant_name,
        "submitted_by": principal.actor,
        "channel": channel,
        "materials": stored,
        "status": status,
        "submitted_at": now if submit else None,
        "agent_id": mandate.agent_id_number if mandate else "",
        "agent_name": mandate.agent_name if mandate else "",
        "agent_mandate": mandate.id if mandate else None,
    }

    def file_item(item: Any, form: dict[str, Any], parent: Case | None = None) -> Case:
        case = Case.objects.create(
            case_no=next_case_no(region, today),
            parent=parent,
            kind="item",
            item_code=item.code,
            item_version=item.version,
            item_name=item.name,
            department_code=item.department,
            handling_type=item.handling_type,
            promised_days=item.promised_days,
            steps=item.steps,
            form=form,
            situation=situation if parent is None else {},
            **common,
        )
        note: dict[str, Any] = {"parent": parent.case_no} if parent is not None else {}
        # the situation chosen in the guide, in words on the timeline (the clerk reads it there)
        add_event(
            case,
            actor=principal.actor,
            action=action,
            before="",
            note=_guide_words(situation) if parent is None else "",
            data={**note, **at_window},
        )
        return case

    children: list[Case] = []
    with transaction.atomic():
        if item_code:
            case = file_item(item, data)
        else:
            case = Case.objects.create(
                case_no=next_case_no(region, today),
                kind="bundle",
                bundle_code=bundle.code,
                item_name=bundle.name,
                department_code=bundle.lead_department,
                handling_type="promised",
                promised_days=bundle.promised_days,
                steps=["并联审批"],
                form=data,
                situation=situation,
                **common,
            )
            add_event(
                case,
                actor=principal.actor,
                action=action,
                before="",
                note=_guide_words(situation),
                data=at_window,
            )
            left_out = set(situation.get("excluded_items", ()))
            for member in bundle.members:  # 并联审批: one sub-case per member item
                if member.code in left_out:  # the guide's answers say it is not needed
                    continue
                sub = catalog.item(member.code)
                fields = sub.form_schema.get("properties", {})
                children.append(
                    file_item(sub, {k: v for k, v in data.items() if k in fields}, parent=case)
                )
        if submit:  # before the audit append, which takes the chain's lock until commit
            by = f"{mandate.agent_name}已为您代办提交申请" if mandate else "您的申请已提交"
            notices.to_applicant(case, f"{by}：{case.item_name}（{case.case_no}）。")
        audit.record(
            actor=principal.actor,
            action="cases.submit" if submit else "cases.draft",
            object_type="cases.case",
            object_id=case.case_no,
            after={
                **snapshot(case),
                "item": case.item_code or case.bundle_code,
                "channel": channel,
                "applicant_kind": kind,
                "materials": len(stored),
                "children": [c.case_no for c in children],
                **at_window,
            },
        )
        if submit:
            record_license_uses(case, principal.actor)
    if submit and item_code and item.instant_approval:
        # after the submission has committed: the rules decide and the result licence is signed
        # outside the write transaction, which holds SQLite's write lock (PostgreSQL: the day's
        # case-number row) — ~100 ms of signing there queued every other writer behind it
        return instant.decide(case, item)
    return case


def _guide_words(situation: dict[str, Any]) -> str:
    """The situation chosen in the guide, in words on the timeline (the clerk reads it there)."""
    if not situation:
        return ""
    words = "智能导办：" + "；".join(situation["answered"])
    if situation["names"]:
        words += "（情形：" + "；".join(situation["names"]) + "）"
    return words


def case_create_proactive(
    *,
    item_code: str | None,
    title: str,
    department_code: str,
    applicant_kind: str,
    applicant_id: str,
    applicant_name: str,
    decision: dict[str, Any],
) -> Case:
    """免申即享: a case recorded for a benefit granted without an application, closed at once."""
    today = timezone.localdate()
    now = timezone.now()
    item = catalog.item(item_code) if item_code else None
    region = item.region_code if item else department_code[:6]
    with transaction.atomic():
        case = Case.objects.create(
            case_no=next_case_no(region, today),
            kind="item",
            item_code=item.code if item else "",
            item_version=item.version if item else None,
            item_name=item.name if item else title,
            department_code=department_code,
            handling_type="instant",
            promised_days=0,
            steps=["规则自动决定"],
            applicant_kind=applicant_kind,
            applicant_id=applicant_id,
            applicant_name=applicant_name,
            submitted_by="system:proactive",
            channel="proactive",
            status=S.CLOSED,
            submitted_at=now,
            accepted_at=now,
            accepted_on=today,
            accepted_by="system:proactive",
            due_date=today,
            decision="approve",
            decision_reason="；".join(str(x) for x in decision.get("explanation", [])),
            delivery="electronic",
            closed_at=now,
            closed_on=today,
            rule_decision=decision,
            result={
                "name": item.spec["result"]["name"],
                "kind": item.spec["result"]["kind"],
                "license_type": item.spec["result"].get("license_type"),
            }
            if item
            else {"name": title, "kind": "document"},
        )
        add_event(
            case,
            actor="system:proactive",
            action="proactive_grant",
            before="",
            note=title,
            data={"decision": decision},
        )
        audit.record(
            actor="system:proactive",
            action="cases.proactive_grant",
            object_type="cases.case",
            object_id=case.case_no,
            after={**snapshot(case), "title": title, "applicant_id": applicant_id[:6] + "…"},
        )
    return case
