"""Rule-set test cases (facts → expected outcome), as OpenFisca's YAML tests are.

A case is ``{"name", "facts": {...}, "form": {...}?, "expect": {"outcome", "amount"?,
"failed"?}}``. Facts a case leaves out take the catalog's typical value
(``facts.example_facts``), so a case names only what matters to it. Each case runs through
zen-engine (the 秒批 path), the plain-Python evaluator and the polars batch plan; a case passes
only when all three give the expected result — so the cases also guard the batch compiler.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from typing import Any

from shuzheng.rules import batch, engine, facts
from shuzheng.rules.jdm import Program, to_number


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    outcome: str
    amount: Any
    failed_conditions: list[str]
    problems: list[str] = field(default_factory=list)


def case_facts(kind: str, case: dict[str, Any]) -> dict[str, Any]:
    flat = facts.example_facts(kind)
    flat.update(case.get("facts") or {})
    for k, v in (case.get("form") or {}).items():
        flat[f"form.{k}"] = v
    return flat


def run_case(program: Program, document: Any, case: dict[str, Any]) -> CaseResult:
    kind = program.subject_kind
    flat = case_facts(kind, case)
    expect = case.get("expect") or {}
    ev = engine.run(program, document, flat)
    failed = [c["condition"] for c in ev.conditions if not c["passed"]]
    problems: list[str] = []
    if ev.error:
        problems.append(f"规则引擎出错：{ev.error}")
    if "outcome" in expect and ev.outcome != expect["outcome"]:
        problems.append(f"结论应为 {expect['outcome']}，实际为 {ev.outcome}")
    if "amount" in expect:
        want = decimal.Decimal(str(expect["amount"]))
        if ev.amount is None or ev.amount != want:
            problems.append(f"金额应为 {want}，实际为 {ev.amount}")
    if "failed" in expect and sorted(expect["failed"]) != sorted(failed):
        problems.append(f"不符合的条件应为 {expect['failed']}，实际为 {failed}")
    # the same case through the Python evaluator and the polars plan
    py = program.run(flat)
    if py.get("outcome") != ev.outcome:
        problems.append(f"Python 逐条计算结论为 {py.get('outcome')}，与 zen-engine 不一致")
    frame = batch.frame_from_records(kind, [{"subject_id": "case", **flat}])
    extra = {k: v for k, v in flat.items() if k.startswith("form.")}
    if extra:
        import polars as pl

        frame = frame.with_columns([pl.lit(v).alias(k) for k, v in extra.items()])
    out = batch.evaluate_frame({"r": program}, frame).row(0, named=True)
    if batch.outcome_name(out["r:outcome"]) != ev.outcome:
        problems.append(
            f"批量（polars）计算结论为 {batch.outcome_name(out['r:outcome'])}，与 zen-engine 不一致"
        )
    if program.has_amount and ev.outcome == "approve":
        py_amount = engine.money(to_number(py.get("amount")))
        pl_amount = engine.money(out.get("r:amount"))
        if py_amount != ev.amount or pl_amount != ev.amount:
            problems.append(f"金额不一致：zen {ev.amount}，Python {py_amount}，polars {pl_amount}")
    return CaseResult(
        name=str(case.get("name") or ""),
        passed=not problems,
        outcome=ev.outcome,
        amount=ev.amount,
        failed_conditions=failed,
        problems=problems,
    )


def run_cases(program: Program, document: Any, cases: list[dict[str, Any]]) -> list[CaseResult]:
    return [run_case(program, document, c) for c in cases]


def validate_cases(cases: Any) -> list[str]:
    """Shape problems of a test-case list (Chinese, naming the case)."""
    if not isinstance(cases, list):
        return ["测试用例应为数组"]
    out: list[str] = []
    for i, c in enumerate(cases, start=1):
        if not isinstance(c, dict):
            out.append(f"第{i}个测试用例应为对象")
            continue
        if not isinstance(c.get("facts", {}), dict) or not isinstance(c.get("form", {}), dict):
            out.append(f"第{i}个测试用例的 facts / form 应为对象")
        expect = c.get("expect")
        if not isinstance(expect, dict) or expect.get("outcome") not in (
            "approve",
            "deny",
            "review",
        ):
            out.append(f'第{i}个测试用例应写明 expect.outcome（"approve"、"deny" 或 "review"）')
        for name in (c.get("facts") or {}) if isinstance(c.get("facts"), dict) else {}:
            if name not in facts.BY_NAME:
                out.append(f"第{i}个测试用例：未知事实“{name}”")
    return out
