"""The per-case path: a rule set's JDM graph run by zen-engine, and the plain-Chinese
explanation of what it decided.

zen-engine (GoRules' Rust engine) evaluates the stored document as it is; we read back the
outcome, the reason, the amount, every ``cond.*`` value and — from the trace — which row of the
decision table matched. Compiled decisions and parsed programs are cached per process by the
document's SHA-256, which is safe because published versions never change.
"""

from __future__ import annotations

import decimal
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import zen

from shuzheng.rules import facts as catalog
from shuzheng.rules.jdm import OUTCOME_NAMES, Program, compile_document

try:
    ENGINE = f"zen-engine {importlib.metadata.version('zen-engine')}"
except importlib.metadata.PackageNotFoundError:  # pragma: no cover
    ENGINE = "zen-engine"

CENT = decimal.Decimal("0.01")
# ``Evaluation.row`` of a 秒批 approval refused because the benefit is already live for the
# subject (``services.decision_make``; the entitlement register, not the decision table)
DUPLICATE_ROW = -4


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    reason: str
    row: int  # decision-table row that matched; -1 none, -2 missing facts, -3 engine error,
    # -4 (DUPLICATE_ROW) already entitled
    amount: decimal.Decimal | None
    conditions: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str = ""


@lru_cache(maxsize=256)
def _zen(checksum: str, text: str) -> Any:
    return zen.ZenEngine().create_decision(text)


@lru_cache(maxsize=256)
def _program(checksum: str, text: str, subject_kind: str, allow_form: bool) -> Program:
    return compile_document(json.loads(text), subject_kind=subject_kind, allow_form=allow_form)


def document_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


def program_for(document: Any, checksum: str, subject_kind: str, allow_form: bool) -> Program:
    return _program(checksum, document_text(document), subject_kind, allow_form)


def _get(result: Mapping[str, Any], key: str) -> Any:
    cur: Any = result
    for part in key.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def money(value: Any) -> decimal.Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    return decimal.Decimal(str(value)).quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def _conditions(program: Program, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "condition": c.label,
            "key": c.key,
            "expression": c.source,
            "passed": values.get(c.key) is True,
            "facts": list(c.facts),
        }
        for c in program.conditions
    ]


def run(program: Program, document: Any, flat_facts: Mapping[str, Any]) -> Evaluation:
    """Evaluate one subject with zen-engine."""
    missing = [f for f in program.facts_used if flat_facts.get(f) is None]
    if missing:
        return Evaluation("review", "", -2, None, [], missing)
    context = catalog.nest(dict(flat_facts))
    try:
        response = _zen(program.checksum, document_text(document)).evaluate(
            context, {"trace": True}
        )
    except RuntimeError as exc:
        return Evaluation("review", "", -3, None, [], [], str(exc).split("\n")[0][:300])
    result = response["result"]
    trace = (response.get("trace") or {}).get(program.decision.node) or {}
    row = (trace.get("traceData") or {}).get("index")
    values = {k: _get(result, k) for k in program.written_keys()}
    if row is None:
        return Evaluation("review", "", -1, None, _conditions(program, values))
    outcome = str(values.get("outcome"))
    amount = money(values.get("amount")) if program.has_amount and outcome == "approve" else None
    return Evaluation(
        outcome=outcome,
        reason=str(values.get("reason") or ""),
        row=int(row),
        amount=amount,
        conditions=_conditions(program, values),
    )


def explain(
    program: Program,
    evaluation: Evaluation,
    flat_facts: Mapping[str, Any],
    *,
    amount_unit: str = "",
) -> list[str]:
    """What the applicant and the staff read: the conclusion first, then each condition with
    the facts it looked at, in plain Chinese."""
    lines: list[str] = []
    verdict = OUTCOME_NAMES.get(evaluation.outcome, evaluation.outcome)
    if evaluation.row == -2:
        names = "、".join(catalog.label(m) for m in evaluation.missing)
        return [f"结论：{verdict}。", f"缺少以下数据，无法自动判断，已转工作人员审核：{names}。"]
    if evaluation.row == -3:
        return [f"结论：{verdict}。", "规则计算未能完成，已转工作人员审核。"]
    if evaluation.row == -1:
        lines.append(f"结论：{verdict}。规则未覆盖这种情形，已转工作人员审核。")
    else:
        reason = evaluation.reason.rstrip("。")
        lines.append(f"结论：{verdict}。" + (f"{reason}。" if reason else ""))
    for c in evaluation.conditions:
        seen = "；".join(
            f"{catalog.label(f)}：{catalog.display(f, flat_facts.get(f))}" for f in c["facts"]
        )
        mark = "符合" if c["passed"] else "不符合"
        lines.append(f"{mark}：{c['condition']}" + (f"（{seen}）" if seen else ""))
    if evaluation.amount is not None and evaluation.outcome == "approve":
        amount = evaluation.amount.normalize()
        text = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
        lines.append(f"核定金额：{text} {amount_unit or '元'}。")
    return lines
