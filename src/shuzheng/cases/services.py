"""All writes of 统一申办受理: apply, act on a case, deadlines. One transaction each, audited.

Services take the caller (``Principal``) and check the right themselves, so the API, the pages
and the window-clerk desk all go through the same rules (``rules.RULES``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import rules
from shuzheng.cases.contracts import PendingField, PendingLicence
from shuzheng.cases.models import Case, CaseEvent, CasePause, CaseSequence
from shuzheng.cases.models import CaseStatus as S
from shuzheng.catalog import facade as catalog
from shuzheng.core import calendar, rawsql
from shuzheng.core.codes import gb11714_check_char, make_uscc, validate_id_number
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.exchange import facade as exchange
from shuzheng.files import facade as files
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import facade as licenses
from shuzheng.notify import facade as notify
from shuzheng.rules import facade as rules_engine

CASE_NO_PREFIX = "BJ"


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "paused_days": case.paused_days,
        "extended_days": case.extended_days,
        "assignee": case.assignee,
        "decision": case.decision,
    }


def _next_serial(prefix: str) -> int:
    """The next number of a serial (one row per prefix), in one statement: the upsert takes
    the row's lock until the caller's transaction ends, so serials never repeat or skip."""
    t = rawsql.table(CaseSequence)
    sql = (
        f"INSERT INTO {t} (prefix, last) VALUES (%s, 1) "  # noqa: S608 - quoted table name
        f"ON CONFLICT (prefix) DO UPDATE SET last = {t}.last + 1 RETURNING last"
    )
    return int(rawsql.rows(sql, [prefix])[0][0])


def _next_case_no(region: str, today: dt.date) -> str:
    """办件编号: BJ + region (6) + date (8) + daily serial (6), e.g. BJ44120020261123000001."""
    prefix = f"{region}{today:%Y%m%d}"
    return f"{CASE_NO_PREFIX}{prefix}{_next_serial(prefix):06d}"


# --- who is applying ----------------------------------------------------------------------------


def _applicant(
    principal: Principal,
    *,
    applicant_types: list[str],
    enterprise_uscc: str | None,
    on_behalf_of: str | None,
) -> tuple[str, str, str, str]:
    """(kind, id, name, channel) of the applicant, after checking the caller may apply for them."""
    if principal.kind == "staff":
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


LICENCE_STATUS_NAMES = {"suspended": "中止", "revoked": "已注销/吊销", "expired": "已过期"}


def _check_materials(
    *,
    owner: str,
    submitted: list[dict[str, Any]],
    required: list[Any],
    strict: bool,
    holder: tuple[str, str] | None = None,
    known: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """Each material is a file the submitter uploaded, or an e-licence the applicant holds
    (免证办: no upload) of the licence type the material names. ``known`` are all the materials
    of the item or 一件事 (``MaterialView``; default: the required ones); errors about a licence
    name the material they concern."""
    errors: list[FieldError] = []
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    by_code = {m.code: m for m in [*(known or []), *required]}
    for i, m in enumerate(submitted):
        code = str(m.get("material_code") or "")
        if not code:
            errors.append(FieldError(f"materials.{i}.material_code", "缺少材料编码。"))
            continue
        if m.get("license_id"):
            field = f"materials.{i}.license_id"
            mat = by_code.get(code)
            label = mat.name if mat is not None else code
            if mat is None or not mat.license_type:
                errors.append(FieldError(field, f"“{label}”不能用电子证照代替，请上传文件。"))
                continue
            ref = licenses.licence_of_holder(str(m["license_id"]), *holder) if holder else None
            if ref is None:
                errors.append(FieldError(field, f"“{label}”：所选电子证照不存在或不属于申请人。"))
                continue
            if ref.status != "valid":
                state = LICENCE_STATUS_NAMES.get(ref.status, ref.status)
                errors.append(
                    FieldError(field, f"“{label}”：所选电子证照状态为“{state}”，不能使用。")
                )
                continue
            if ref.type_name != mat.license_type:
                errors.append(
                    FieldError(
                        field,
                        f"“{label}”需要“{mat.license_type}”，所选证照是“{ref.type_name}”。",
                    )
                )
                continue
            seen.add(code)
            stored.append(
                {
                    "material_code": code,
                    "license_id": ref.license_id,
                    "name": ref.type_name,
                    "license_no": ref.license_no,
                    "used_at": timezone.now().isoformat(),
                }
            )
            continue
        info = files.file_for_owner(str(m.get("file_id") or ""), owner)
        if info is None:
            errors.append(FieldError(f"materials.{i}.file_id", "文件不存在或不是您上传的。"))
            continue
        seen.add(code)
        stored.append(
            {
                "material_code": code,
                "file_id": info.file_id,
                "name": info.name,
                "sha256": info.sha256,
            }
        )
    if strict:
        for mat in required:
            if mat.code not in seen:
                errors.append(FieldError(f"materials.{mat.code}", f"缺少必需材料：{mat.name}"))
    if errors:
        raise ValidationFailed(errors)
    return stored


def licence_choices(
    principal: Principal, license_type: str | None, enterprise_uscc: str | None
) -> list[licenses.LicenseRef]:
    """免证办: the caller's valid licences that can replace a material (its licence type), held
    by the applicant the caller applies as (the enterprise when ``enterprise_uscc``)."""
    if not license_type:
        return []
    return licence_choices_many(principal, [license_type], enterprise_uscc)[license_type]


def licence_choices_many(
    principal: Principal, license_types: list[str | None], enterprise_uscc: str | None
) -> dict[str, list[licenses.LicenseRef]]:
    """``licence_choices`` for several licence types at once (one query): type → licences."""
    wanted = [t for t in dict.fromkeys(license_types) if t]
    none: dict[str, list[licenses.LicenseRef]] = {t: [] for t in wanted}
    if not wanted or principal.kind not in ("person", "agent"):
        return none
    if enterprise_uscc:
        if enterprise_uscc not in principal.enterprises:
            return none
        holder = ("enterprise", enterprise_uscc)
    else:
        if not principal.id_number:
            return none
        holder = ("person", principal.id_number)
    return licenses.satisfying_many(*holder, wanted)


def _record_licence_uses(
    case: Case, actor: str, entries: list[dict[str, Any]] | None = None
) -> None:
    """Write each licence used instead of a material to its 用证记录 (when the case is submitted:
    a draft does not use the licence yet)."""
    for m in case.materials if entries is None else entries:
        if m.get("license_id"):
            licenses.record_use(m["license_id"], case.case_no, f"免证办：{case.item_name}", actor)


# --- create ------------------------------------------------------------------------------------


def _event(
    case: Case,
    *,
    actor: str,
    action: str,
    before: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    at = timezone.now()
    rawsql.insert(
        CaseEvent,
        {
            "case": case.pk,
            "at": at,
            "actor": actor,
            "action": action,
            "from_status": before,
            "to_status": case.status,
            "note": note,
            "data": data or {},
        },
    )
    # the response's timeline: the events read with the case plus those written since
    added = case.__dict__.setdefault("_events_added", [])
    added.append((at, actor, action, before, case.status, note, data or {}))


def _new_case(**values: Any) -> Case:
    """Insert a case as ``Case.objects.create`` would, in one plain statement (the ORM's
    compilation of the 41-column insert cost ~1 ms of every submission)."""
    case = Case(**values)
    case.derive()
    rawsql.insert_new(case)
    case._events_read = []  # type: ignore[attr-defined]  # a new case has none yet
    return case


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
) -> Case:
    if bool(item_code) == bool(bundle_code):
        raise ValidationFailed.one("item_code", "请指定 item_code 或 bundle_code 之一。")
    form = form or {}
    materials = materials or []
    if bundle_code and not submit:
        raise ValidationFailed.one("submit", "一件事请一次性提交（暂不支持草稿）。")
    if item_code:
        item = catalog.item(item_code)
        schema = item.form_schema
        applicant_types = item.applicant_types
        required = catalog.required_materials(item)
        known = list(item.materials)
        region = item.region_code
    else:
        bundle = catalog.bundle(str(bundle_code))
        schema = bundle.form_schema
        applicant_types = bundle.applicant_types
        required = [m for m in bundle.materials if m.required]
        known = list(bundle.materials)
        region = bundle.code[3:9]
    kind, applicant_id, applicant_name, channel = _applicant(
        principal,
        applicant_types=applicant_types,
        enterprise_uscc=enterprise_uscc,
        on_behalf_of=applicant_id_number,
    )
    data, form_errors = catalog.validate_form(schema, form)
    problems = [FieldError(f"form.{k}", v) for k, v in form_errors.items()] if submit else []
    try:
        stored = _check_materials(
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
    with transaction.atomic():
        if item_code:
            case = _new_case(
                case_no=_next_case_no(region, today),
                kind="item",
                item_code=item.code,
                item_version=item.version,
                item_name=item.name,
                department_code=item.department,
                handling_type=item.handling_type,
                promised_days=item.promised_days,
                steps=item.steps,
                applicant_kind=kind,
                applicant_id=applicant_id,
                applicant_name=applicant_name,
                submitted_by=principal.actor,
                channel=channel,
                form=data,
                materials=stored,
                status=status,
                submitted_at=now if submit else None,
            )
            _event(case, actor=principal.actor, action="submit" if submit else "draft", before="")
            children: list[Case] = []
        else:
            case = _new_case(
                case_no=_next_case_no(region, today),
                kind="bundle",
                bundle_code=bundle.code,
                item_name=bundle.name,
                department_code=bundle.lead_department,
                handling_type="promised",
                promised_days=bundle.promised_days,
                steps=["并联审批"],
                applicant_kind=kind,
                applicant_id=applicant_id,
                applicant_name=applicant_name,
                submitted_by=principal.actor,
                channel=channel,
                form=data,
                materials=stored,
                status=status,
                submitted_at=now if submit else None,
            )
            _event(case, actor=principal.actor, action="submit" if submit else "draft", before="")
            children = []
            for member in bundle.members:
                sub = catalog.item(member.code)
                child = _new_case(
                    case_no=_next_case_no(region, today),
                    parent=case,
                    kind="item",
                    item_code=sub.code,
                    item_version=sub.version,
                    item_name=sub.name,
                    department_code=sub.department,
                    handling_type=sub.handling_type,
                    promised_days=sub.promised_days,
                    steps=sub.steps,
                    applicant_kind=kind,
                    applicant_id=applicant_id,
                    applicant_name=applicant_name,
                    submitted_by=principal.actor,
                    channel=channel,
                    form={
                        k: v for k, v in data.items() if k in sub.form_schema.get("properties", {})
                    },
                    materials=stored,
                    status=status,
                    submitted_at=now if submit else None,
                )
                _event(
                    child,
                    actor=principal.actor,
                    action="submit" if submit else "draft",
                    before="",
                    data={"parent": case.case_no},
                )
                children.append(child)
        if submit:  # before the audit append, which takes the chain's lock until commit
            _notify_applicant(case, f"您的申请已提交：{case.item_name}（{case.case_no}）。")
        audit.record(
            actor=principal.actor,
            action="cases.submit" if submit else "cases.draft",
            object_type="cases.case",
            object_id=case.case_no,
            after={
                **_snapshot(case),
                "item": case.item_code or case.bundle_code,
                "channel": channel,
                "applicant_kind": kind,
                "materials": len(stored),
                "children": [c.case_no for c in children],
            },
        )
        if submit:
            _record_licence_uses(case, principal.actor)
    if submit and item_code and item.instant_approval:
        # after the submission has committed: the rules decide and the result licence is signed
        # outside the write transaction, which holds SQLite's write lock (PostgreSQL: the day's
        # case-number row) — ~100 ms of signing there queued every other writer behind it
        _instant_decision(case, item)
    return case


SYSTEM_RULES = "system:秒批"


def _instant_decision(case: Case, item: Any) -> None:
    """秒批: the item's rule set decides on submit. Approve → closed at once with the result
    licence issued; deny or review → the case waits for staff with the explanation."""
    decision = rules_engine.decide_for_item(
        item_code=case.item_code,
        subject_kind=case.applicant_kind,
        subject_id=case.applicant_id,
        form=case.form,
    )
    if decision is None:
        return
    # the licence is issued (and signed) before the case's own transaction, idempotently per
    # case: a failure after it leaves the case submitted, and staff approval reuses the licence
    case.rule_decision = decision.as_api()  # the licence carries the rules' amount
    approve = decision.outcome == "approve"
    result = _issue_result(case, item.spec, actor=SYSTEM_RULES) if approve else None
    with transaction.atomic():
        if Case.objects.select_for_update().filter(pk=case.pk, status=S.SUBMITTED).exists():
            _apply_rule_decision(case, decision, result)
            return
    # withdrawn while the rules decided and the licence was signed: the licence is void
    if result and result.get("license_id"):
        licenses.cancel_for_case(
            result["license_id"],
            case.case_no,
            "办件已由申请人撤回，办理结果证照作废。",
            SYSTEM_RULES,
        )


def _apply_rule_decision(case: Case, decision: Any, result: dict[str, Any] | None) -> None:
    case.rule_decision = decision.as_api()
    before = case.status
    today = timezone.localdate()
    if decision.outcome == "approve":
        now = timezone.now()
        case.accepted_at, case.accepted_on, case.accepted_by = now, today, SYSTEM_RULES
        case.due_date = today
        case.decision, case.decision_reason = "approve", "；".join(decision.explanation)
        case.status, case.delivery = S.CLOSED, "electronic"
        case.closed_at, case.closed_on = now, today
        case.result = result or {}
    case.save()
    _event(
        case,
        actor=SYSTEM_RULES,
        action=f"rules_{decision.outcome}",
        before=before,
        note="；".join(decision.explanation),
        data={"decision_id": decision.decision_id},
    )
    text = {
        "approve": "已秒批通过并办结，结果已发送到您的电子证照包。",
        "deny": "自动审核未通过：{why}。如有异议，工作人员将人工复核。",
        "review": "需要人工审核：{why}",
    }[decision.outcome].format(why="；".join(decision.explanation))
    _notify_applicant(case, f"{case.item_name}（{case.case_no}）{text}")
    audit.record(
        actor=SYSTEM_RULES,
        action=f"cases.rules_{decision.outcome}",
        object_type="cases.case",
        object_id=case.case_no,
        before={"status": before},
        after={**_snapshot(case), "rule_decision": case.rule_decision},
    )


def _establishes(case: Case, t: licenses.LicenseTypeInfo | None) -> bool:
    """设立登记: a person applies and the result licence can only be held by a market entity
    (营业执照) — the licence belongs to the entity the case establishes, not to the applicant."""
    return (
        t is not None
        and case.applicant_kind == "person"
        and "person" not in t.holder_kinds
        and "enterprise" in t.holder_kinds
    )


def _new_entity(case: Case) -> tuple[str, str]:
    """(GB 32100 机构类别代码, 类型) of the entity a 设立登记 case creates: a 个体工商户 for the
    个体工商户 registrations, otherwise an enterprise of the type its form names."""
    if "个体工商户" in case.item_name:
        return "2", "个体工商户"
    return "1", str(case.form.get("enterprise_type") or "")


def _assign_uscc(case: Case) -> str:
    """The 统一社会信用代码 the registration gives the new entity (GB 32100: 9 工商, the entity
    category, the registering department's region, a 主体标识码 with its GB 11714 check
    character, the check character), from a serial per region and category."""
    category, _type = _new_entity(case)
    region = case.department_code.split("-", 1)[0]
    while True:
        # its own (short) transaction, or a savepoint of the closing action's: 秒批 issues the
        # result outside any transaction
        with transaction.atomic():
            serial = _next_serial(f"USCC9{category}{region}")
        body8 = f"MD{serial:06d}"
        uscc = make_uscc("9", category, region, body8 + gb11714_check_char(body8))
        if not identity.uscc_taken(uscc):
            return uscc


def _licence_holder(
    case: Case, t: licenses.LicenseTypeInfo | None, data: dict[str, Any]
) -> tuple[str, str, str]:
    """(kind, id, name) of the result licence's holder: the applicant, or for a 设立登记 the
    new entity (its code and name from the licence data)."""
    if _establishes(case, t):
        return "enterprise", str(data.get("uscc") or ""), str(data.get("name") or "")
    return case.applicant_kind, case.applicant_id, case.applicant_name


def _licence_data(
    case: Case, today: dt.date, t: licenses.LicenseTypeInfo | None = None, uscc: str = ""
) -> dict[str, Any]:
    """What the result licence says, from the case: the holder, the form (``applicant_x`` and
    ``enterprise_x`` answer field ``x``), the rules' amount, and a few derived fields. For a
    设立登记 the holder is the new entity: its name, type, representative, address, capital and
    founding date come from the form and the registration (``uscc``)."""
    data: dict[str, Any] = {}
    for key, value in case.form.items():
        if isinstance(value, str | int | float | bool):
            data[key] = value
            for prefix in ("applicant_", "enterprise_"):
                if key.startswith(prefix):
                    data.setdefault(key[len(prefix) :], value)
    data["name"] = case.applicant_name
    if case.applicant_kind == "person":
        data["id_number"] = case.applicant_id
        birth = validate_id_number(case.applicant_id).birth_date
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        data.setdefault("age_band", f"{age // 10 * 10}-{age // 10 * 10 + 9}周岁")
    else:
        data["uscc"] = case.applicant_id
    amount = case.rule_decision.get("amount") if case.rule_decision else None
    if amount:
        data.setdefault("monthly_amount", amount)
        data.setdefault("amount", amount)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    data.setdefault("start_month", f"{next_month:%Y-%m}")
    if _establishes(case, t):
        form = case.form
        _category, entity_type = _new_entity(case)
        data["name"] = str(form.get("enterprise_name") or "")
        if uscc:
            data["uscc"] = uscc
        if entity_type:
            data["entity_type"] = entity_type
        data["legal_representative"] = str(form.get("legal_representative") or case.applicant_name)
        data.setdefault("address", str(form.get("business_address") or ""))
        capital = form.get("registered_capital_wan")
        if capital not in (None, ""):
            data.setdefault("registered_capital", f"{capital}万元")
        data.setdefault("founded_on", today.isoformat())
    return data


def _licence_type(name: str | None) -> licenses.LicenseTypeInfo | None:
    return next((t for t in licenses.license_types() if t.name == name), None) if name else None


def _issue_case_licence(
    case: Case,
    type_name: str,
    t: licenses.LicenseTypeInfo | None,
    data: dict[str, Any],
    actor: str,
) -> licenses.LicenseRef:
    """The case's result licence for its applicant (for a 设立登记: for the new entity, which is
    then registered with the applicant as its 经办人), issued by the case's department
    (idempotent per case and licence type)."""
    kind, holder_id, holder_name = _licence_holder(case, t, data)
    ref = licenses.issue_from_case(
        case_no=case.case_no,
        item_code=case.item_code,
        license_type_name=type_name,
        holder_kind=kind,
        holder_id=holder_id,
        holder_name=holder_name,
        department_code=case.department_code,
        data=data,
        actor=actor,
    )
    if _establishes(case, t):
        identity.register_enterprise(
            uscc=holder_id,
            name=holder_name,
            legal_representative=str(data.get("legal_representative") or case.applicant_name),
            region_code=case.department_code.split("-", 1)[0],
            address=str(data.get("address") or ""),
            founded_on=ref.issued_on,
            operator_id_number=case.applicant_id,
            actor=actor,
        )
    return ref


def _issue_result(case: Case, spec: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """The result of an approved case; a licence result is issued and signed now.

    When the case does not hold every field the licence type needs, the result records which
    are missing (``license_pending``: the messages, ``license_pending_fields``: the data items)
    instead of failing the decision: a reviewer of the department completes and issues it
    (action ``issue_license``, see ``pending_licence`` and ``_issue_pending``).
    """
    result: dict[str, Any] = {
        "name": spec["result"]["name"],
        "kind": spec["result"]["kind"],
        "license_type": spec["result"].get("license_type"),
    }
    if result["kind"] == "license" and result["license_type"]:
        t = _licence_type(result["license_type"])
        names = {n for n, _label in (t.fields if t is not None else ())}
        uscc = ""
        if _establishes(case, t):
            uscc = result["uscc"] = _assign_uscc(case)  # 赋码 at registration
        data = {
            k: v
            for k, v in _licence_data(case, timezone.localdate(), t, uscc).items()
            if k in names
        }
        try:
            # a savepoint inside a caller's transaction; on its own the licences module signs
            # outside its short transactions
            with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
                ref = _issue_case_licence(case, result["license_type"], t, data, actor)
        except ValidationFailed as exc:
            result["license_pending"] = [e.message for e in exc.errors]
            result["license_pending_fields"] = sorted(
                {e.field.removeprefix("data.") for e in exc.errors if e.field.startswith("data.")}
            )
        else:
            result.update(license_id=ref.license_id, license_no=ref.license_no)
    return result


def _result_type(case: Case) -> licenses.LicenseTypeInfo | None:
    return _licence_type((case.result or {}).get("license_type"))


def _case_licence_values(case: Case, t: licenses.LicenseTypeInfo) -> dict[str, Any]:
    names = {f.name for f in t.field_specs}
    uscc = str((case.result or {}).get("uscc") or "")
    data = _licence_data(case, timezone.localdate(), t, uscc)
    return {k: v for k, v in data.items() if k in names}


def pending_licence(case: Case) -> PendingLicence | None:
    """The result licence left pending (``result.license_pending``): every data item of its
    type with the value the case gives, and which ones the department has to fill in (those
    the case does not give or gives in a form the licence type refuses)."""
    if case.decision != "approve" or not (case.result or {}).get("license_pending"):
        return None
    t = _result_type(case)
    if t is None:
        return None
    values = _case_licence_values(case, t)
    holder_kind, holder_id, holder_name = _licence_holder(case, t, values)
    errors = licenses.issue_check(
        license_type_name=t.name,
        holder_kind=holder_kind,
        holder_id=holder_id,
        holder_name=holder_name or case.applicant_name,
        department_code=case.department_code,
        data=values,
    )
    bad = {e.field.removeprefix("data."): e.message for e in errors if e.field.startswith("data.")}
    return PendingLicence(
        case_no=case.case_no,
        license_type=t.name,
        fields=tuple(
            PendingField(
                name=f.name,
                label=f.label,
                type=f.type,
                required=f.required,
                choices=f.choices,
                value="" if f.name in bad else str(values.get(f.name, "")),
                missing=f.name in bad or f.name not in values,
                problem=bad.get(f.name, ""),
            )
            for f in t.field_specs
        ),
        problems=tuple(e.message for e in errors if not e.field.startswith("data.")),
    )


def _issue_pending(
    case: Case, given: dict[str, Any], *, actor: str
) -> tuple[dict[str, Any], list[str]]:
    """Issue the pending result licence with the data items the reviewer filled in (only the
    missing ones; the others come from the case). Bad input raises ValidationFailed naming
    ``license_data.<item>`` in Chinese; nothing is written then."""
    pending = pending_licence(case)
    if pending is None:
        raise Conflict("该办件没有待签发的证照。")
    labels = {f.name: f.label for f in pending.fields}
    fillable = {f.name for f in pending.missing}
    errors: list[FieldError] = []
    filled: dict[str, Any] = {}
    for key, value in given.items():
        if key not in labels:
            errors.append(
                FieldError(f"license_data.{key}", f"{pending.license_type}没有数据项“{key}”。")
            )
        elif key not in fillable:
            errors.append(
                FieldError(f"license_data.{key}", f"{labels[key]}已由办件信息确定，不能在此修改。")
            )
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            filled[key] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ValidationFailed(errors)
    t = _result_type(case)
    assert t is not None  # pending_licence found it
    if _establishes(case, t) and not case.result.get("uscc"):
        # closed before registrations were given their code here
        case.result = {**case.result, "uscc": _assign_uscc(case)}
    data = {**_case_licence_values(case, t), **filled}
    for name in fillable - set(filled):
        data.pop(name, None)  # a refused case value is not sent again
    try:
        ref = _issue_case_licence(case, t.name, t, data, actor)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                FieldError(
                    "license_data." + e.field.removeprefix("data.")
                    if e.field.startswith("data.")
                    else e.field,
                    e.message,
                )
                for e in exc.errors
            ]
        ) from None
    result = {
        k: v
        for k, v in case.result.items()
        if k not in ("license_pending", "license_pending_fields")
    }
    result.update(license_id=ref.license_id, license_no=ref.license_no)
    return result, sorted(filled)


# --- acting on a case ----------------------------------------------------------------------------


def _is_applicant(principal: Principal, case: Case) -> bool:
    if principal.kind not in ("person", "agent"):
        return False
    if case.applicant_kind == "person":
        return case.applicant_id == principal.id_number
    return case.applicant_id in principal.enterprises


def roles_on(principal: Principal, case: Case) -> set[str]:
    """The caller's roles on this case: applicant, and staff roles in the case's department."""
    out: set[str] = set()
    if _is_applicant(principal, case):
        out.add(rules.APPLICANT)
    if principal.kind == "staff":
        out |= {r for r, d in principal.staff_roles if d == case.department_code}
    return out


def allowed_actions(principal: Principal, case: Case) -> list[str]:
    if case.kind == "bundle":
        # the parent case is handled through its sub-cases; the applicant may withdraw it all
        mine = roles_on(principal, case)
        return ["withdraw"] if rules.APPLICANT in mine and case.status not in rules.TERMINAL else []
    mine = roles_on(principal, case)
    out = []
    for action, rule in rules.RULES.items():
        if case.status not in rule.from_statuses or not mine & set(rule.who):
            continue
        if action == "request_correction" and case.correction_items:
            continue  # 一次性告知: one correction request per case
        if action == "extend" and case.extended_days:
            continue
        if action == "issue_license" and (
            case.decision != "approve" or not (case.result or {}).get("license_pending")
        ):
            continue  # only a result licence left pending
        if action in ("withdraw",) and case.parent_id is not None:
            continue  # sub-cases are withdrawn with their parent
        out.append(action)
    return out


def _item_materials(case: Case) -> list[Any]:
    """Every material of the item version the case was filed under (none for a 一件事)."""
    if not case.item_code:
        return []
    try:
        return list(catalog.item_version(case.item_code, case.item_version or 1).materials)
    except NotFound:
        return []


_JSON_COLUMNS = frozenset(
    f.attname for f in Case._meta.concrete_fields if f.get_internal_type() == "JSONField"
)


def _columns(case: Case) -> dict[str, Any]:
    """The case's column values as loaded (JSON ones as text, so changes made in place show)."""
    out = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    for name in _JSON_COLUMNS:
        out[name] = json.dumps(out[name], sort_keys=True, default=str)
    return out


def _changed(case: Case, loaded: dict[str, Any]) -> list[str]:
    """The columns an action changed (an UPDATE of those alone, plus ``updated_at``)."""
    now = _columns(case)
    return [n for n, v in now.items() if v != loaded[n] and n != "updated_at"] + ["updated_at"]


def case_by_no(case_no: str, *, lock: bool = False) -> Case | None:
    """The case with this number, unchecked (callers check the caller's roles on it), in
    plain SQL: every action starts here, and compiling the ORM's query cost about as much
    again as running it. ``lock``: its row locked until the transaction ends."""
    found = rawsql.instances(Case, "case_no = %s", [case_no], lock=lock)
    return found[0] if found else None


def _locked_case(case_no: str) -> Case | None:
    """The case, its row locked until the transaction ends. On PostgreSQL its events come in
    the same statement (``_events_read``: the action's response carries the timeline, which
    took a query of its own after every action)."""
    if connection.vendor != "postgresql":
        return case_by_no(case_no, lock=True)
    found = rawsql.instances(Case, "case_no = %s", [case_no], lock=True, extra=[_events_sql()])
    if not found:
        return None
    case = found[0]
    case._events_read = [
        (dt.datetime.fromisoformat(at), actor, action, fs, ts, note, data)
        for at, actor, action, fs, ts, note, data in (case._extra[0] or [])
    ]
    return case


@functools.cache
def _events_sql() -> str:
    """A case's events, oldest first, as one JSON array (PostgreSQL), read with the case."""
    events, cases = rawsql.table(CaseEvent), rawsql.table(Case)
    return (
        "(SELECT json_agg(json_build_array(e.at, e.actor, e.action, e.from_status, "  # noqa: S608
        f"e.to_status, e.note, e.data) ORDER BY e.id) FROM {events} e "
        f"WHERE e.case_id = {cases}.id)"
    )


def _recompute_due(case: Case) -> None:
    if case.accepted_on is not None:
        total = case.promised_days + case.paused_days + case.extended_days
        case.due_date = calendar.add_working_days(case.accepted_on, total)


def _end_pause(case: Case, today: dt.date) -> int:
    pause = case.pauses.filter(ended_on__isnull=True).order_by("-id").first()
    if pause is None:
        return 0
    pause.ended_on = today
    pause.working_days = max(0, calendar.working_days_between(pause.started_on, today))
    pause.save(update_fields=["ended_on", "working_days"])
    return pause.working_days


def case_act(
    *,
    principal: Principal,
    case_no: str,
    action: str,
    note: str = "",
    items: list[str] | None = None,
    days: int | None = None,
    delivery: str | None = None,
    assignee: str | None = None,
    form: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
    license_data: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Case:
    """Perform one action. Illegal ones raise 409 listing what the caller may do now.

    ``license_data`` (``issue_license``): the data items of the pending result licence the
    reviewer fills in, by name (``pending_licence`` lists them)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked_case(case_no)
        if case is None or not roles_on(principal, case):
            raise NotFound("未找到该办件。")
        allowed = allowed_actions(principal, case)
        if action not in allowed:
            raise Conflict(
                f"当前状态“{S(case.status).label}”下不能执行该操作。",
                extra={"allowed_actions": allowed},
            )
        before = _snapshot(case)
        loaded = _columns(case)
        from_status = case.status
        data: dict[str, Any] = {}
        if action == "submit":
            item = catalog.item_version(case.item_code, case.item_version or 1)
            if form is not None:
                case.form, form_errors = catalog.validate_form(item.form_schema, form)
            else:
                _, form_errors = catalog.validate_form(item.form_schema, case.form)
            if form_errors:
                raise ValidationFailed([FieldError(f"form.{k}", v) for k, v in form_errors.items()])
            submitted = materials if materials is not None else case.materials
            case.materials = _check_materials(
                owner=case.submitted_by,
                submitted=submitted,
                required=catalog.required_materials(item),
                strict=True,
                holder=(case.applicant_kind, case.applicant_id),
                known=list(item.materials),
            )
            case.status = S.SUBMITTED
            case.submitted_at = timezone.now()
            _record_licence_uses(case, principal.actor)
        elif action == "accept":
            case.status = S.IN_PROGRESS
            case.accepted_at = timezone.now()
            case.accepted_on = today
            case.accepted_by = principal.actor
            case.assignee = case.assignee or ""
            _recompute_due(case)
            data["due_date"] = case.due_date.isoformat() if case.due_date else None
        elif action == "refuse":
            if not note.strip():
                raise ValidationFailed.one("note", "不予受理须说明理由。")
            case.status = S.REFUSED
            case.decision_reason = note
            case.closed_at = timezone.now()
            case.closed_on = today
        elif action == "request_correction":
            wanted = [str(x).strip() for x in (items or []) if str(x).strip()]
            if not wanted:
                raise ValidationFailed.one("items", "请一次性列明需要补正的全部材料或内容。")
            case.correction_items = wanted
            case.status = S.CORRECTION
            CasePause.objects.create(
                case=case, kind="correction", reason=note or "；".join(wanted), started_on=today
            )
            data["items"] = wanted
        elif action == "resubmit":
            if materials:
                extra = _check_materials(
                    owner=case.submitted_by,
                    submitted=materials,
                    required=[],
                    strict=False,
                    holder=(case.applicant_kind, case.applicant_id),
                    known=_item_materials(case),
                )
                case.materials = [*case.materials, *extra]
                _record_licence_uses(case, principal.actor, extra)
            if form:
                case.form = {**case.form, **form}
            paused = _end_pause(case, today)
            case.status = S.IN_PROGRESS if case.accepted_on else S.SUBMITTED
            if case.accepted_on:
                case.paused_days += paused
                _recompute_due(case)
            data["paused_working_days"] = paused
        elif action == "assign":
            if not assignee:
                raise ValidationFailed.one("assignee", "请指定承办人账号。")
            case.assignee = assignee
            data["assignee"] = assignee
        elif action == "suspend":
            if not note.strip():
                raise ValidationFailed.one("note", "特别程序须说明种类和理由（如专家评审、听证）。")
            case.status = S.SUSPENDED
            CasePause.objects.create(case=case, kind="special", reason=note, started_on=today)
        elif action == "resume":
            paused = _end_pause(case, today)
            case.paused_days += paused
            case.status = S.IN_PROGRESS
            _recompute_due(case)
            data["paused_working_days"] = paused
        elif action == "extend":
            if not days or days < 1 or days > 30:
                raise ValidationFailed.one("days", "延期工作日数应在1到30之间。")
            if not note.strip():
                raise ValidationFailed.one("note", "延期须说明理由。")
            case.extended_days = days
            _recompute_due(case)
            data["days"] = days
        elif action in ("approve", "deny"):
            if action == "deny" and not note.strip():
                raise ValidationFailed.one("note", "不予许可须说明理由。")
            case.status = S.APPROVED if action == "approve" else S.DENIED
            case.decision = action
            case.decision_reason = note
        elif action == "close":
            if delivery not in ("electronic", "mail", "window"):
                raise ValidationFailed.one(
                    "delivery",
                    "请选择送达方式：electronic（电子送达）、mail（邮寄）或 window（窗口领取）。",
                )
            case.delivery = delivery
            case.status = S.CLOSED
            case.closed_at = timezone.now()
            case.closed_on = today
            if case.decision == "approve":
                # the result licence is issued now (left pending when the case cannot fill it)
                spec = catalog.item_version(case.item_code, case.item_version or 1).spec
                case.result = _issue_result(case, spec, actor=principal.actor)
                if case.result.get("license_id"):
                    data["license_id"] = case.result["license_id"]
                elif case.result.get("license_pending"):
                    data["license_pending"] = case.result.get("license_pending_fields", [])
        elif action == "issue_license":
            case.result, filled = _issue_pending(case, license_data or {}, actor=principal.actor)
            data.update(
                license_id=case.result["license_id"],
                license_no=case.result["license_no"],
                fields=filled,
            )
        elif action == "withdraw":
            case.status = S.WITHDRAWN
            case.closed_at = timezone.now()
            case.closed_on = today
            _end_pause(case, today)
            for child in case.children.exclude(status__in=rules.TERMINAL):
                child_before = child.status
                child.status = S.WITHDRAWN
                child.closed_at, child.closed_on = case.closed_at, today
                child.save()
                _event(
                    child,
                    actor=principal.actor,
                    action="withdraw",
                    before=child_before,
                    note="随一件事撤回",
                )
        case.derive()
        rawsql.update(case, _changed(case, loaded))  # no ORM compilation: every action
        _event(case, actor=principal.actor, action=action, before=from_status, note=note, data=data)
        # the notification first: the audit append takes the chain's lock until commit
        _notify_for(case, action)
        audit.record(
            actor=principal.actor,
            action=f"cases.{action}",
            object_type="cases.case",
            object_id=case.case_no,
            before=before,
            after={**_snapshot(case), "note": note[:500], **data},
        )
        if case.parent_id is not None:
            _sync_parent(case.parent_id, actor=principal.actor)
    if action == "submit" and case.kind == "item" and case.item_code:
        # a draft submitted later gets the same 秒批 as a direct submission
        item = catalog.item_version(case.item_code, case.item_version or 1)
        if item.instant_approval:
            _instant_decision(case, item)
    return case


def _sync_parent(parent_id: int, *, actor: str) -> None:
    """A 一件事 closes when all its sub-cases are finished (并联审批)."""
    parent = Case.objects.select_for_update().get(pk=parent_id)
    states = list(parent.children.values_list("status", flat=True))
    before = parent.status
    if all(s in rules.TERMINAL for s in states):
        parent.status = (
            S.CLOSED
            if any(s == S.CLOSED for s in states)
            else (S.WITHDRAWN if all(s == S.WITHDRAWN for s in states) else S.REFUSED)
        )
        parent.closed_at = timezone.now()
        parent.closed_on = timezone.localdate()
    elif any(s in (S.IN_PROGRESS, S.SUSPENDED, S.APPROVED, S.DENIED) for s in states):
        parent.status = S.IN_PROGRESS
    elif any(s == S.CORRECTION for s in states):
        parent.status = S.CORRECTION
    if parent.status != before:
        parent.save()
        _event(parent, actor=actor, action="sync", before=before, note="子办件状态变化")
        audit.record(
            actor=actor,
            action="cases.bundle_sync",
            object_type="cases.case",
            object_id=parent.case_no,
            before={"status": before},
            after={"status": parent.status, "children": states},
        )


# --- notifications ------------------------------------------------------------------------------

_MESSAGES = {
    "accept": "已受理，承诺办结日期 {due}。",
    "refuse": "不予受理：{reason}",
    "request_correction": "需要补正材料：{items}。请在“我的办件”中补正后重新提交。",
    "approve": "审批通过，正在办结。",
    "deny": "审批结果：不予许可。理由：{reason}",
    "close": "已办结，结果：{result}。欢迎对本次服务进行评价。",
    "issue_license": "电子证照“{result}”已签发，可在“我的电子证照”中查看。",
    "extend": "办理时限已依法延长，新的办结日期 {due}。",
}


def _notify_applicant(case: Case, text: str) -> None:
    notify.send(
        recipient_kind=case.applicant_kind,
        recipient_id=case.applicant_id,
        title=case.item_name,
        body=text,
        link=f"/cases/{case.case_no}/",
    )


def _notify_for(case: Case, action: str) -> None:
    template = _MESSAGES.get(action)
    if not template:
        return
    text = template.format(
        due=case.due_date.isoformat() if case.due_date else "",
        reason=case.decision_reason,
        items="、".join(case.correction_items),
        result=case.result.get("name", "办结") if case.result else "办结",
    )
    _notify_applicant(case, f"{case.item_name}（{case.case_no}）{text}")


# --- deadlines ---------------------------------------------------------------------------------


def cases_refresh_warnings(*, today: dt.date | None = None) -> dict[str, int]:
    """Recompute the yellow/red/overdue flags of open cases (a periodic task runs this)."""
    from shuzheng.cases.models import DeadlineSettings, WarningLevel

    today = today or timezone.localdate()
    cfg = DeadlineSettings.current()
    counts = {w.value: 0 for w in WarningLevel}
    cal = calendar.snapshot()
    open_cases = Case.objects.filter(status=S.IN_PROGRESS, due_date__isnull=False).only(
        "id", "due_date", "warning"
    )
    changed = []
    for case in open_cases.iterator(chunk_size=2000):
        assert case.due_date is not None
        if today > case.due_date:
            level = WarningLevel.OVERDUE
        else:
            left = cal.working_days_between(today, case.due_date)
            level = (
                WarningLevel.RED
                if left <= cfg.red_days
                else WarningLevel.YELLOW
                if left <= cfg.yellow_days
                else WarningLevel.NONE
            )
        counts[level] += 1
        if case.warning != level:
            case.warning = level
            changed.append(case)
    with transaction.atomic():
        Case.objects.bulk_update(changed, ["warning"], batch_size=1000)
        audit.record(
            actor="system:deadlines",
            action="cases.warnings_refreshed",
            object_type="cases.deadlines",
            object_id=today.isoformat(),
            after={**counts, "changed": len(changed)},
        )
    return counts


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
            case_no=_next_case_no(region, today),
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
        _event(
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
            after={**_snapshot(case), "title": title, "applicant_id": applicant_id[:6] + "…"},
        )
    return case
