"""All writes of the rules module: edit and publish rule sets, make decisions. One transaction
each, audited in it. Editing is for the policy officer (``platform_admin``)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache
from shuzheng.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.rules import engine, entitlements, facts, jdm, providers, seed, selectors, testing
from shuzheng.rules.contracts import Entitlement as EntitlementRef
from shuzheng.rules.contracts import EntitlementTaken
from shuzheng.rules.models import (
    Decision,
    EntitlementSource,
    EntitlementStatus,
    RuleSet,
    RuleVersion,
    SubjectKind,
    VersionStatus,
)

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


def _require_editor(principal: Principal) -> None:
    identity.require_role(principal, selectors.EDITOR_ROLE)


def compile_checked(
    document: Any, tests: Any, *, subject_kind: str, allow_form: bool
) -> jdm.Program:
    """Validate a document and its test cases; ValidationFailed names every problem."""
    errors: list[FieldError] = []
    program: jdm.Program | None = None
    try:
        program = jdm.compile_document(document, subject_kind=subject_kind, allow_form=allow_form)
    except jdm.DocumentInvalid as exc:
        errors.extend(FieldError("document", p.chinese()) for p in exc.problems)
    errors.extend(FieldError("tests", m) for m in testing.validate_cases(tests))
    if errors or program is None:
        raise ValidationFailed(errors, message="规则有误：" + "；".join(e.message for e in errors))
    return program


def _version_snapshot(v: RuleVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "status": v.status,
        "checksum": v.checksum,
        "effective_from": v.effective_from.isoformat() if v.effective_from else None,
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "tests": len(v.tests or []),
    }


def starter_document(subject_kind: str) -> dict[str, Any]:
    cond = (
        {"key": "adult", "label": "年满18周岁", "expr": "age >= 18"}
        if subject_kind == "person"
        else {"key": "active", "label": "登记状态为存续", "expr": 'enterprise.status == "存续"'}
    )
    return jdm.build(
        conditions=[cond],
        rows=[
            {"when": {cond["key"]: False}, "outcome": "deny", "reason": "不符合条件"},
            {"outcome": "approve", "reason": "符合条件"},
        ],
    )


def rule_set_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    subject_kind: str,
    item_code: str = "",
    department_code: str = "",
    benefit: str = "",
    amount_unit: str = "",
    description: str = "",
    legal_basis: str = "",
    document: Any = None,
    tests: Any = None,
) -> RuleSet:
    _require_editor(principal)
    errors = []
    if not CODE_RE.match(code or ""):
        errors.append(FieldError("code", "编码应为小写字母开头的字母、数字和连字符（2–63位）。"))
    if not (name or "").strip():
        errors.append(FieldError("name", "请填写名称。"))
    if subject_kind not in SubjectKind.values:
        errors.append(FieldError("subject_kind", "适用对象应为 person 或 enterprise。"))
    if errors:
        raise ValidationFailed(errors)
    document = document if document is not None else starter_document(subject_kind)
    tests = tests if tests is not None else []
    program = compile_checked(
        document, tests, subject_kind=subject_kind, allow_form=bool(item_code)
    )
    try:
        with transaction.atomic():
            cache.bump(selectors.IN_FORCE)
            rule_set = RuleSet.objects.create(
                code=code,
                name=name.strip(),
                subject_kind=subject_kind,
                item_code=item_code,
                department_code=department_code,
                benefit=benefit,
                amount_unit=amount_unit,
                description=description,
                legal_basis=legal_basis,
            )
            v = RuleVersion.objects.create(
                rule_set=rule_set,
                version=1,
                status=VersionStatus.DRAFT,
                document=document,
                tests=tests,
                checksum=program.checksum,
                created_by=principal.actor,
            )
            audit.record(
                actor=principal.actor,
                action="rules.rule_set_created",
                object_type="rules.rule_set",
                object_id=code,
                after={"name": rule_set.name, "subject_kind": subject_kind, **_version_snapshot(v)},
            )
    except IntegrityError:
        raise Conflict("该规则集编码已存在。") from None
    return rule_set


def draft_save(
    *, principal: Principal, code: str, document: Any, tests: Any, note: str = ""
) -> RuleVersion:
    """Create or replace the draft of a rule set (validated; published versions untouched)."""
    _require_editor(principal)
    rule_set = selectors.rule_set_get(code)
    program = compile_checked(
        document, tests, subject_kind=rule_set.subject_kind, allow_form=bool(rule_set.item_code)
    )
    with transaction.atomic():
        draft = selectors.draft(rule_set)
        before = _version_snapshot(draft) if draft else None
        if draft is None:
            last = rule_set.versions.order_by("-version").first()
            draft = RuleVersion(
                rule_set=rule_set,
                version=(last.version + 1) if last else 1,
                status=VersionStatus.DRAFT,
                created_by=principal.actor,
            )
        draft.document = document
        draft.tests = tests
        draft.checksum = program.checksum
        draft.note = note
        draft.save()
        audit.record(
            actor=principal.actor,
            action="rules.draft_saved",
            object_type="rules.rule_set",
            object_id=code,
            before=before,
            after=_version_snapshot(draft),
        )
    return draft


def draft_run_tests(*, principal: Principal, code: str, version: int | None = None) -> list[Any]:
    """Run a version's test cases (the draft when there is one, else the latest published)."""
    _require_editor(principal)
    rule_set = selectors.rule_set_get(code)
    v: RuleVersion | None
    if version is not None:
        v = selectors.version_get(principal, code, version)
    else:
        v = selectors.draft(rule_set) or selectors.latest_published(rule_set)
    if v is None:
        raise NotFound("该规则集没有可测试的版本。")
    program = engine.program_for(
        v.document, v.checksum, rule_set.subject_kind, bool(rule_set.item_code)
    )
    return testing.run_cases(program, v.document, list(v.tests or []))


def publish(*, principal: Principal, code: str, effective_from: dt.date) -> RuleVersion:
    """Publish the draft from ``effective_from`` (today or later). Every test case must pass.
    The version it replaces ends the day before; decisions already made keep their version."""
    _require_editor(principal)
    rule_set = selectors.rule_set_get(code)
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationFailed.one("effective_from", "生效日期不能早于今天（规则不能溯及既往）。")
    with transaction.atomic():
        draft = selectors.draft(rule_set)
        if draft is None:
            raise Conflict("没有待发布的草稿。")
        previous = selectors.latest_published(rule_set)
        if previous and previous.effective_from and effective_from <= previous.effective_from:
            raise ValidationFailed.one(
                "effective_from",
                f"生效日期应晚于当前版本（v{previous.version}）的生效日期"
                f" {previous.effective_from}。",
            )
        program = compile_checked(
            draft.document,
            draft.tests,
            subject_kind=rule_set.subject_kind,
            allow_form=bool(rule_set.item_code),
        )
        failed = [
            r for r in testing.run_cases(program, draft.document, list(draft.tests)) if not r.passed
        ]
        if failed:
            raise ValidationFailed(
                [FieldError("tests", f"{r.name}：{'；'.join(r.problems)}") for r in failed],
                message=f"有 {len(failed)} 个测试用例未通过，不能发布。",
            )
        if previous is not None and previous.effective_to is None:
            previous.effective_to = effective_from - dt.timedelta(days=1)
            previous.save(update_fields=["effective_to"])
        draft.status = VersionStatus.PUBLISHED
        draft.effective_from = effective_from
        draft.published_by = principal.actor
        draft.published_at = timezone.now()
        draft.save()
        cache.bump(selectors.IN_FORCE)
        audit.record(
            actor=principal.actor,
            action="rules.version_published",
            object_type="rules.rule_set",
            object_id=code,
            before=_version_snapshot(previous) if previous else None,
            after=_version_snapshot(draft),
        )
    return draft


# --- decisions ------------------------------------------------------------------------------


def _json_value(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v


def _new_decision_id(today: dt.date) -> str:
    return f"JC{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def evaluate(
    *,
    rule_set: RuleSet,
    version: RuleVersion,
    subject_kind: str,
    subject_id: str,
    form: dict[str, Any] | None,
    as_of: dt.date,
) -> tuple[engine.Evaluation, dict[str, Any], list[str]]:
    """Gather the facts and run the rule set with zen-engine (no writes)."""
    program = engine.program_for(
        version.document, version.checksum, rule_set.subject_kind, bool(rule_set.item_code)
    )
    names = [f for f in program.facts_used if not f.startswith("form.")]
    flat: dict[str, Any] = {}
    if subject_kind == rule_set.subject_kind:
        try:
            flat = providers.subject_facts(subject_kind, subject_id, names, as_of)
        except NotFound:
            flat = {}
    for key in program.facts_used:
        if key.startswith("form."):
            flat[key] = (form or {}).get(key[5:])
    ev = engine.run(program, version.document, flat)
    explanation = engine.explain(program, ev, flat, amount_unit=rule_set.amount_unit)
    if subject_kind != rule_set.subject_kind:
        explanation.insert(
            1, f"该规则只适用于{facts.KIND_NAMES.get(rule_set.subject_kind, '')}申请人。"
        )
    return ev, {k: _json_value(v) for k, v in flat.items()}, explanation


def decision_make(
    *,
    rule_set: RuleSet,
    version: RuleVersion,
    subject_kind: str,
    subject_id: str,
    form: dict[str, Any] | None = None,
    context: str,
    actor: str,
    as_of: dt.date | None = None,
    reference: str = "",
) -> Decision:
    """Evaluate and store the decision (immutable) with an audit record, in one transaction.

    A 秒批 approval (``context="instant"``) of a rule set with a benefit also registers the
    benefit as held (``entitlements``, under ``reference``: the case number) in the same
    transaction; when the subject already receives it, or a 免申即享 notice has offered it, the
    decision — approval or not — is stored as a refusal saying so (``DUPLICATE_ROW``) and
    nothing is held."""
    as_of = as_of or timezone.localdate()
    ev, used, explanation = evaluate(
        rule_set=rule_set,
        version=version,
        subject_kind=subject_kind,
        subject_id=subject_id,
        form=form,
        as_of=as_of,
    )
    decision_id = _new_decision_id(as_of)
    with transaction.atomic():
        holder = None
        one_per_period = context == "instant" and selectors.registered(rule_set)
        if one_per_period and ev.outcome != "approve":
            # refused by the rules while the benefit is live for the subject (their own
            # "not yet receiving" condition, or facts that changed): the register says why
            found = selectors.live_entitlement_for(rule_set, subject_kind, subject_id, as_of)
            holder = entitlements.ref(found) if found is not None else None
        elif one_per_period:
            try:
                entitlements.claim(
                    rule_set=rule_set,
                    subject_kind=subject_kind,
                    subject_id=subject_id,
                    on=as_of,
                    status=EntitlementStatus.HELD,
                    source=EntitlementSource.INSTANT,
                    reference=reference or f"decision:{decision_id}",
                    case_no=reference,
                    decision_id=decision_id,
                    amount=ev.amount,
                    actor=actor,
                )
            except EntitlementTaken as taken:
                holder = taken.held
        if holder is not None:
            ev, explanation = _duplicate(ev, explanation, rule_set.benefit, holder)
        row = Decision.objects.create(
            decision_id=decision_id,
            rule_version=version,
            rule_set_code=rule_set.code,
            rule_set_name=rule_set.name,
            version=version.version,
            department_code=rule_set.department_code,
            item_code=rule_set.item_code if context == "instant" else "",
            context=context,
            subject_kind=subject_kind,
            subject_id=subject_id,
            as_of=as_of,
            outcome=ev.outcome,
            reason=ev.reason,
            amount=ev.amount,
            benefit=rule_set.benefit if ev.outcome == "approve" else "",
            facts=used,
            conditions=ev.conditions,
            explanation=explanation,
            matched_row=ev.row,
            engine=engine.ENGINE,
            decided_by=actor,
        )
        audit.record(
            actor=actor,
            action="rules.decision_made",
            object_type="rules.decision",
            object_id=row.decision_id,
            after={
                "rule_set": rule_set.code,
                "version": version.version,
                "subject_kind": subject_kind,
                "subject_id": subject_id,
                "context": context,
                "outcome": ev.outcome,
                "amount": str(ev.amount) if ev.amount is not None else None,
            },
        )
    return row


def _duplicate(
    ev: engine.Evaluation, explanation: list[str], benefit: str, held: EntitlementRef
) -> tuple[engine.Evaluation, list[str]]:
    """A 秒批 application for a benefit already live for the subject: a refusal that says why
    (held by which path, or offered by a 免申即享 notice), keeping what each condition found."""
    reason = held.refusal("申请人").removesuffix("。")
    condition = {
        "condition": f"未重复享受“{benefit}”（待遇享受登记）",
        "key": "entitlement",
        "expression": "",
        "passed": False,
        "facts": [],
    }
    refused = engine.Evaluation(
        outcome="deny",
        reason=reason,
        row=engine.DUPLICATE_ROW,
        amount=None,
        conditions=[*ev.conditions, condition],
    )
    lines = [f"结论：{jdm.OUTCOME_NAMES['deny']}。{reason}。"]
    lines += [x for x in explanation[1:] if x.startswith(("符合：", "不符合："))]
    lines.append(f"不符合：{condition['condition']}（{held.describe()}）")
    return refused, lines


def decisions_record_batch(
    *,
    rule_set: RuleSet,
    version: RuleVersion,
    program: jdm.Program,
    rows: list[dict[str, Any]],
    as_of: dt.date,
    actor: str,
) -> list[Decision]:
    """Store decisions computed by the batch plan (one row per subject: its facts, ``outcome``,
    ``row``, ``amount`` and every ``cond.*``), with one audit record for the lot."""
    from shuzheng.rules import batch

    made: list[Decision] = []
    for r in rows:
        flat = {f: r.get(f) for f in program.facts_used}
        outcome = batch.outcome_name(int(r["outcome"]))
        ev = engine.Evaluation(
            outcome=outcome,
            reason=batch.row_reason(program, int(r["row"])),
            row=int(r["row"]),
            amount=engine.money(r.get("amount"))
            if outcome == "approve" and program.has_amount
            else None,
            conditions=[
                {
                    "condition": c.label,
                    "key": c.key,
                    "expression": c.source,
                    "passed": r.get(c.key) is True,
                    "facts": list(c.facts),
                }
                for c in program.conditions
            ],
            missing=[f for f in program.facts_used if flat.get(f) is None],
        )
        made.append(
            Decision(
                decision_id=_new_decision_id(as_of),
                rule_version=version,
                rule_set_code=rule_set.code,
                rule_set_name=rule_set.name,
                version=version.version,
                department_code=rule_set.department_code,
                context="batch",
                subject_kind=rule_set.subject_kind,
                subject_id=r["subject_id"],
                as_of=as_of,
                outcome=outcome,
                reason=ev.reason,
                amount=ev.amount,
                benefit=rule_set.benefit if outcome == "approve" else "",
                facts={k: _json_value(v) for k, v in flat.items()},
                conditions=ev.conditions,
                explanation=engine.explain(program, ev, flat, amount_unit=rule_set.amount_unit),
                matched_row=ev.row,
                engine=f"polars {batch.pl.__version__}",
                decided_by=actor,
            )
        )
    if not made:
        return made
    with transaction.atomic():
        Decision.objects.bulk_create(made)
        audit.record(
            actor=actor,
            action="rules.batch_decisions_made",
            object_type="rules.rule_set",
            object_id=rule_set.code,
            after={
                "version": version.version,
                "as_of": as_of.isoformat(),
                "decisions": [d.decision_id for d in made],
            },
        )
    return made


def rule_sets_seed(*, actor: str = "system:rules_seed") -> list[str]:
    """Create the seed rule sets that are missing (audited)."""
    with transaction.atomic():
        created = seed.load(RuleSet, RuleVersion, actor=actor)
        if created:
            cache.bump(selectors.IN_FORCE)
            audit.record(
                actor=actor,
                action="rules.seeded",
                object_type="rules.rule_set",
                object_id="seed",
                after={"created": created},
            )
    return created
