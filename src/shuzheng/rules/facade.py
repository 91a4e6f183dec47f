"""The rules module's public face: other modules import only this and ``contracts``.

For 秒批 the cases module calls ``decide_for_item`` when an application is submitted; for
免申即享 the proactive module calls ``batch_evaluate`` (vectorised, every subject) and
``decide`` (stores the decision of one subject). Both register the benefits they grant in one
register (``entitlement_*``): one person, one benefit per period.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import polars as pl
from django.utils import timezone

from shuzheng.core.errors import Conflict, NotFound
from shuzheng.identity.contracts import Principal
from shuzheng.rules import batch, engine, entitlements, jdm, providers, selectors, services
from shuzheng.rules.contracts import (
    BatchResult,
    BatchRow,
    Decision,
    Entitlement,
    EntitlementTaken,
    RuleSetInfo,
)
from shuzheng.rules.models import Decision as DecisionRow
from shuzheng.rules.models import RuleSet

__all__ = [
    "BatchResult",
    "BatchRow",
    "Decision",
    "Entitlement",
    "EntitlementTaken",
    "RuleSetInfo",
    "batch_decide",
    "batch_evaluate",
    "decide",
    "decide_for_item",
    "decision",
    "decision_for",
    "entitlement_end",
    "entitlement_for_decision",
    "entitlement_for_item",
    "entitlement_grant",
    "entitlement_offer",
    "preview",
    "register_contributor",
    "rule_set_info",
    "rule_sets",
    "subject_name",
]

register_contributor = providers.register_contributor


def _contract(row: DecisionRow, amount_unit: str = "") -> Decision:
    return Decision(
        outcome=row.outcome,
        rule_set=row.rule_set_code,
        version=row.version,
        explanation=list(row.explanation),
        facts=dict(row.facts),
        conditions=list(row.conditions),
        decision_id=row.decision_id,
        rule_set_name=row.rule_set_name,
        reason=row.reason,
        amount=str(row.amount) if row.amount is not None else None,
        amount_unit=amount_unit,
        benefit=row.benefit,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        item_code=row.item_code,
        department_code=row.department_code,
        context=row.context,
        decided_at=row.decided_at.isoformat() if row.decided_at else "",
        duplicate=row.matched_row == engine.DUPLICATE_ROW,
    )


def _unit(code: str) -> str:
    return RuleSet.objects.filter(code=code).values_list("amount_unit", flat=True).first() or ""


def decide_for_item(
    *,
    item_code: str,
    subject_kind: str,
    subject_id: str,
    form: dict[str, Any],
    case_no: str = "",
) -> Decision | None:
    """秒批: evaluate the rule set in force today for this service item and store the decision.

    None when the item has no rule set in force. The returned ``decision_id`` is the key to keep
    on the case; ``decision(decision_id)`` reads it back, unchanged, forever. Runs in its own
    transaction (a savepoint when the caller already has one), with an audit record. An
    approval of a benefit registers it as held by ``case_no`` in that transaction; when the
    benefit is already live for the subject the decision is a refusal with ``duplicate`` set.
    """
    found = selectors.rule_set_for_item(item_code, timezone.localdate())
    if found is None:
        return None
    rule_set, version = found
    row = services.decision_make(
        rule_set=rule_set,
        version=version,
        subject_kind=subject_kind,
        subject_id=subject_id,
        form=form,
        context="instant",
        actor=f"system:rules:{rule_set.code}",
        reference=case_no,
    )
    return _contract(row, rule_set.amount_unit)


def decision(decision_id: str) -> Decision | None:
    """A stored decision as it was made (no access check: the caller, e.g. the case it belongs
    to, decides who may see it)."""
    row = DecisionRow.objects.filter(decision_id=decision_id).first()
    return _contract(row, _unit(row.rule_set_code)) if row is not None else None


def decision_for(principal: Principal, decision_id: str) -> Decision:
    """A stored decision the caller may read (its subject, staff of the department, the policy
    officer); NotFound otherwise."""
    row = selectors.decision_for(principal, decision_id)
    return _contract(row, _unit(row.rule_set_code))


# --- one person, one benefit ------------------------------------------------------------------


def entitlement_for_item(
    *, item_code: str, subject_kind: str, subject_id: str, on: dt.date | None = None
) -> Entitlement | None:
    """The benefit the item's rule set grants, when it is already live for the subject this
    period (held, or offered by a 免申即享 notice); None for an item that grants no benefit."""
    row = selectors.live_entitlement_for_item(item_code, subject_kind, subject_id, on)
    return entitlements.ref(row) if row is not None else None


def entitlement_for_decision(decision_id: str) -> Entitlement | None:
    """The live entitlement (whoever holds it) of the benefit, subject and period a stored
    decision is about."""
    row = DecisionRow.objects.filter(decision_id=decision_id).first()
    rule_set = RuleSet.objects.filter(code=row.rule_set_code).first() if row else None
    if row is None or rule_set is None:
        return None
    found = selectors.live_entitlement_for(rule_set, row.subject_kind, row.subject_id, row.as_of)
    return entitlements.ref(found) if found is not None else None


def entitlement_offer(*, decision_id: str, reference: str, actor: str) -> Entitlement | None:
    """免申即享: hold the benefit's place for the subject of an approved batch decision while its
    notice is open. Raises ``EntitlementTaken`` when it is already live (audited)."""
    return entitlements.offer(decision_id=decision_id, reference=reference, actor=actor)


def entitlement_grant(
    *, decision_id: str, reference: str, source: str, actor: str, case_no: str = ""
) -> Entitlement | None:
    """The subject receives the benefit: ``reference``'s offer becomes held, or a held row is
    claimed. Raises ``EntitlementTaken`` when another record holds or was offered it."""
    return entitlements.grant(
        decision_id=decision_id, reference=reference, source=source, actor=actor, case_no=case_no
    )


def entitlement_end(*, reference: str, reason: str, actor: str) -> bool:
    """End ``reference``'s live entitlement (declined, expired, withdrawn); False if none."""
    return entitlements.end(reference=reference, reason=reason, actor=actor)


def _in_force(code: str, as_of: dt.date) -> tuple[RuleSet, Any]:
    rule_set = selectors.rule_set_get(code)
    version = selectors.version_in_force(rule_set, as_of)
    if version is None:
        raise NotFound(f"规则集 {code} 在 {as_of} 没有生效的版本。")
    return rule_set, version


def decide(
    *,
    rule_set_code: str,
    subject_kind: str,
    subject_id: str,
    actor: str,
    context: str = "batch",
    as_of: dt.date | None = None,
) -> Decision:
    """Evaluate one subject with the version in force and store the decision."""
    as_of = as_of or timezone.localdate()
    rule_set, version = _in_force(rule_set_code, as_of)
    row = services.decision_make(
        rule_set=rule_set,
        version=version,
        subject_kind=subject_kind,
        subject_id=subject_id,
        context=context,
        actor=actor,
        as_of=as_of,
    )
    return _contract(row, rule_set.amount_unit)


def preview(
    *, rule_set_code: str, subject_kind: str, subject_id: str, as_of: dt.date | None = None
) -> Decision:
    """Evaluate one subject without storing anything (for '可享政策' hints)."""
    as_of = as_of or timezone.localdate()
    rule_set, version = _in_force(rule_set_code, as_of)
    ev, used, explanation = services.evaluate(
        rule_set=rule_set,
        version=version,
        subject_kind=subject_kind,
        subject_id=subject_id,
        form=None,
        as_of=as_of,
    )
    return Decision(
        outcome=ev.outcome,
        rule_set=rule_set.code,
        version=version.version,
        explanation=explanation,
        facts=used,
        conditions=ev.conditions,
        rule_set_name=rule_set.name,
        reason=ev.reason,
        amount=str(ev.amount) if ev.amount is not None else None,
        amount_unit=rule_set.amount_unit,
        benefit=rule_set.benefit,
        subject_kind=subject_kind,
        subject_id=subject_id,
        department_code=rule_set.department_code,
        context="preview",
    )


def _batch_program(rule_set: RuleSet, version: Any) -> jdm.Program:
    program = engine.program_for(
        version.document, version.checksum, rule_set.subject_kind, bool(rule_set.item_code)
    )
    if any(f.startswith("form.") for f in program.facts_used):
        raise Conflict("该规则读取申请表内容，只能在申请时逐件判断，不能批量运行。")
    return program


def _frame(
    rule_set: RuleSet, program: jdm.Program, as_of: dt.date, subjects: list[str] | None
) -> pl.DataFrame:
    frame = providers.subjects_frame(rule_set.subject_kind, program.facts_used, as_of)
    if subjects is not None:
        frame = frame.filter(pl.col("subject_id").is_in(subjects))
    return frame


def batch_evaluate(
    *, rule_set_code: str, as_of: dt.date | None = None, subjects: list[str] | None = None
) -> BatchResult:
    """免申即享: evaluate the version in force over every subject of the registries at once
    (the polars plan compiled from the same JDM document the per-case path runs).
    ``subjects`` limits the run to some subjects (a pilot, or a test)."""
    as_of = as_of or timezone.localdate()
    rule_set, version = _in_force(rule_set_code, as_of)
    program = _batch_program(rule_set, version)
    started = time.perf_counter()
    frame = _frame(rule_set, program, as_of, subjects)
    out = batch.evaluate_frame({"r": program}, frame)
    seconds = time.perf_counter() - started
    counts = out.group_by("r:outcome").len()
    outcomes = {name: 0 for name in jdm.OUTCOMES}
    for code, n in counts.iter_rows():
        outcomes[batch.outcome_name(int(code))] = int(n)
    names = frame.select("subject_id", "name")
    joined = names.hstack(out.drop("subject_id")).filter(
        pl.col("r:outcome") == batch.OUTCOME_CODES["approve"]
    )
    eligible = [
        BatchRow(
            subject_id=r["subject_id"],
            name=r["name"] or r["subject_id"],
            outcome="approve",
            amount=str(engine.money(r["r:amount"])) if "r:amount" in r else None,
            reason=batch.row_reason(program, int(r["r:row"])),
        )
        for r in joined.to_dicts()
    ]
    return BatchResult(
        rule_set=rule_set.code,
        version=version.version,
        as_of=as_of.isoformat(),
        evaluated=frame.height,
        outcomes=outcomes,
        eligible=eligible,
        seconds=seconds,
    )


def batch_decide(
    *, rule_set_code: str, subject_ids: list[str], actor: str, as_of: dt.date | None = None
) -> dict[str, Decision]:
    """Store the decisions of some subjects as the batch plan makes them (facts, conditions,
    explanation — the same record a 秒批 decision keeps), one audit record for all."""
    as_of = as_of or timezone.localdate()
    rule_set, version = _in_force(rule_set_code, as_of)
    program = _batch_program(rule_set, version)
    frame = _frame(rule_set, program, as_of, subject_ids)
    out = batch.evaluate_frame({"r": program}, frame, conditions=True)
    values = frame.hstack(out.drop("subject_id")).to_dicts()
    rows = [
        {
            **{k.removeprefix("r:"): v for k, v in r.items()},
            **{f: r.get(f) for f in program.facts_used},
        }
        for r in values
    ]
    made = services.decisions_record_batch(
        rule_set=rule_set, version=version, program=program, rows=rows, as_of=as_of, actor=actor
    )
    return {d.subject_id: _contract(d, rule_set.amount_unit) for d in made}


def _info(rule_set: RuleSet, on: dt.date) -> RuleSetInfo:
    v = selectors.version_in_force(rule_set, on)
    return RuleSetInfo(
        code=rule_set.code,
        name=rule_set.name,
        subject_kind=rule_set.subject_kind,
        item_code=rule_set.item_code,
        department_code=rule_set.department_code,
        benefit=rule_set.benefit,
        amount_unit=rule_set.amount_unit,
        description=rule_set.description,
        legal_basis=rule_set.legal_basis,
        version=v.version if v else None,
        effective_from=v.effective_from.isoformat() if v and v.effective_from else None,
    )


def rule_set_info(code: str) -> RuleSetInfo:
    return _info(selectors.rule_set_get(code), timezone.localdate())


def rule_sets() -> list[RuleSetInfo]:
    today = timezone.localdate()
    return [_info(r, today) for r in selectors.rule_sets()]


def subject_name(subject_kind: str, subject_id: str) -> str:
    """The subject's name in the base registries (for notices and automatic cases)."""
    try:
        return providers.subject_name(subject_kind, subject_id)
    except NotFound:
        return subject_id
