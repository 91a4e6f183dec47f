"""The vectorised path: a rule set's ``Program`` compiled to polars expressions.

Every expression of the graph becomes one polars expression over the fact columns of a frame
(one row per subject, columns named like the facts: ``age``, ``enterprise.employees``); keys
computed by earlier nodes are inlined, so many rule sets evaluate in one ``select`` and polars
shares common sub-expressions and runs them on all cores. The decision table becomes a
``when/then`` chain giving the index of the first matching row; the outcome is a small integer
(``OUTCOME_CODES``) and the reason is looked up from the row afterwards, so a million subjects
never materialise a million strings.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from shuzheng.rules import expr, facts
from shuzheng.rules.jdm import OUTCOMES, ExprStep, Program, TableStep

OUTCOME_CODES = {name: i for i, name in enumerate(OUTCOMES)}  # approve 0, deny 1, review 2
REVIEW = OUTCOME_CODES["review"]
MISSING_ROW = -2  # a fact the rules read is missing: review, as the per-case path does


def _lit(value: Any) -> pl.Expr:
    if isinstance(value, decimal.Decimal):
        return pl.lit(int(value) if value == value.to_integral_value() else float(value))
    return pl.lit(value)


def _literal_value(node: expr.Node) -> tuple[bool, Any]:
    if isinstance(node, expr.Literal):
        v = node.value
        if isinstance(v, decimal.Decimal):
            v = int(v) if v == v.to_integral_value() else float(v)
        return True, v
    if isinstance(node, expr.Unary) and node.op == "-" and isinstance(node.operand, expr.Literal):
        ok, v = _literal_value(node.operand)
        return ok, -v
    return False, None


class _Compiler:
    def __init__(self, types: Mapping[str, str]) -> None:
        self.types = dict(types)
        self.env: dict[str, pl.Expr] = {}

    def type_of(self, node: expr.Node) -> str:
        return expr.infer_type(node, {**self.types, "$": self.types.get("$", "any")})

    def c(self, node: expr.Node, dollar: pl.Expr | None = None) -> pl.Expr:
        if isinstance(node, expr.Literal):
            return _lit(node.value)
        if isinstance(node, expr.Ref):
            if node.path == "$":
                assert dollar is not None
                return dollar
            if node.path in self.env:
                return self.env[node.path]
            return pl.col(node.path)
        if isinstance(node, expr.Unary):
            inner = self.c(node.operand, dollar)
            return ~inner if node.op == "not" else -inner
        if isinstance(node, expr.Conditional):
            return (
                pl.when(self.c(node.test, dollar))
                .then(self.c(node.then, dollar))
                .otherwise(self.c(node.otherwise, dollar))
            )
        if isinstance(node, expr.Call):
            return self.call(node, dollar)
        if isinstance(node, (expr.Array, expr.Interval)):
            raise expr.ExprError("数组或区间只能用在 in、contains、min、max 中", node.pos)
        assert isinstance(node, expr.Binary)
        op = node.op
        if op in ("and", "or"):
            a, b = self.c(node.left, dollar), self.c(node.right, dollar)
            return (a & b) if op == "and" else (a | b)
        if op in ("in", "notin"):
            found = self.membership(node.left, node.right, dollar)
            return found if op == "in" else ~found
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        if op in ("==", "!="):
            comparable = lt == rt or "any" in (lt, rt)
            if not comparable:  # ZEN: values of different types are never equal
                return pl.lit(op == "!=")
            a, b = self.c(node.left, dollar), self.c(node.right, dollar)
            return (a == b) if op == "==" else (a != b)
        a, b = self.c(node.left, dollar), self.c(node.right, dollar)
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        if op == "+":
            return pl.concat_str([a, b]) if "str" in (lt, rt) else a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a.cast(pl.Float64) / b
        if op == "%":
            return a % b
        if op == "^":
            return a.cast(pl.Float64).pow(b)
        raise expr.ExprError(f"不支持的运算 {op}", node.pos)

    def membership(self, left: expr.Node, right: expr.Node, dollar: pl.Expr | None) -> pl.Expr:
        value = self.c(left, dollar)
        if isinstance(right, expr.Interval):
            lo, hi = self.c(right.low, dollar), self.c(right.high, dollar)
            closed = {
                (True, True): "both",
                (True, False): "left",
                (False, True): "right",
                (False, False): "none",
            }[(right.low_closed, right.high_closed)]
            return value.is_between(lo, hi, closed=closed)  # type: ignore[arg-type]
        if isinstance(right, expr.Array):
            values = [_literal_value(i) for i in right.items]
            if all(ok for ok, _ in values) and values:
                lt = self.type_of(left)
                kept = [v for _, v in values if _same_kind(lt, v)]
                if not kept:
                    return pl.lit(False)
                return value.is_in(kept)
            if not right.items:
                return pl.lit(False)
            return pl.any_horizontal([value == self.c(i, dollar) for i in right.items])
        # a list-valued fact: "高龄津贴" in benefits
        return self.c(right, dollar).list.contains(value)

    def call(self, node: expr.Call, dollar: pl.Expr | None) -> pl.Expr:
        name, args = node.name, node.args
        if name in ("min", "max"):
            arr = args[0]
            if not isinstance(arr, expr.Array) or not arr.items:
                raise expr.ExprError(f"{name} 的参数应为非空数组", node.pos)
            items = [self.c(i, dollar) for i in arr.items]
            return pl.min_horizontal(items) if name == "min" else pl.max_horizontal(items)
        if name == "contains":
            first_type = self.type_of(args[0])
            if isinstance(args[0], expr.Array):
                return self.membership(args[1], args[0], dollar)
            a, b = self.c(args[0], dollar), self.c(args[1], dollar)
            if first_type == "list":
                return a.list.contains(b)
            ok, lit = _literal_value(args[1])
            if ok and isinstance(lit, str):
                return a.str.contains(lit, literal=True)
            return a.str.contains(b, literal=True)
        a = self.c(args[0], dollar)
        if name == "startsWith":
            return a.str.starts_with(self.c(args[1], dollar))
        if name == "endsWith":
            return a.str.ends_with(self.c(args[1], dollar))
        if name == "len":
            if self.type_of(args[0]) == "list" or isinstance(args[0], expr.Array):
                return a.list.len()
            return a.str.len_chars()
        if name == "abs":
            return a.abs()
        if name == "floor":
            return a.cast(pl.Float64).floor()
        if name == "ceil":
            return a.cast(pl.Float64).ceil()
        if name == "round":
            places = 0
            if len(args) > 1:
                ok, v = _literal_value(args[1])
                if not ok:
                    raise expr.ExprError("round 的小数位数应为常数", args[1].pos)
                places = int(v)
            return a.cast(pl.Float64).round(places, mode="half_away_from_zero")
        raise expr.ExprError(f"未知函数 {name}", node.pos)


def _same_kind(left_type: str, value: Any) -> bool:
    if left_type in ("any",):
        return True
    if isinstance(value, bool):
        return left_type == "bool"
    if isinstance(value, (int, float)):
        return left_type == "number"
    if isinstance(value, str):
        return left_type == "str"
    return False


def compile_program(program: Program) -> dict[str, pl.Expr]:
    """Polars expressions for ``outcome`` (code), ``row`` (decision row, -1 none, -2 missing
    facts), ``amount`` (when the rule set has one) and every condition ``cond.*``."""
    comp = _Compiler({**facts.types_for(program.subject_kind), **program.key_types})
    decision_row: pl.Expr | None = None
    for step in program.steps:
        if isinstance(step, ExprStep):
            comp.env[step.key] = comp.c(step.ast)
            continue
        assert isinstance(step, TableStep)
        columns = [comp.c(col.ast) for col in step.inputs]
        col_types = [comp.type_of(col.ast) for col in step.inputs]
        chain: Any = None
        for i, row in enumerate(step.rows):
            tests = []
            for cell, col_expr, col_type in zip(row.cells, columns, col_types, strict=True):
                if cell is None:
                    continue
                comp.types["$"] = col_type
                tests.append(comp.c(cell, dollar=col_expr))
            match = pl.all_horizontal(tests) if tests else pl.lit(True)
            chain = (pl.when(match) if chain is None else chain.when(match)).then(pl.lit(i))
        comp.types.pop("$", None)
        row_idx = (
            chain.otherwise(pl.lit(-1)).cast(pl.Int16) if chain is not None else pl.lit(-1)
        ).cast(pl.Int16)
        for j, (_, key) in enumerate(step.outputs):
            values = [row.outputs[j] for row in step.rows]
            out: Any = None
            for i, node in enumerate(values):
                e = comp.c(node)
                out = (pl.when(row_idx == i) if out is None else out.when(row_idx == i)).then(e)
            comp.env[key] = out.otherwise(pl.lit(None)) if out is not None else pl.lit(None)
        if step.is_decision:
            decision_row = row_idx
    assert decision_row is not None
    if program.facts_used:
        missing = pl.any_horizontal([pl.col(f).is_null() for f in program.facts_used])
        decision_row = pl.when(missing).then(pl.lit(MISSING_ROW, pl.Int16)).otherwise(decision_row)
    outcome_by_row = [
        OUTCOME_CODES[_row_outcome(program, i)] for i in range(len(program.decision.rows))
    ]
    outcome = (
        decision_row.replace_strict(
            list(range(len(outcome_by_row))),
            outcome_by_row,
            default=REVIEW,
            return_dtype=pl.UInt8,
        )
        if outcome_by_row
        else pl.lit(REVIEW, pl.UInt8)
    )
    result = {"outcome": outcome, "row": decision_row}
    if program.has_amount:
        result["amount"] = comp.env["amount"].cast(pl.Float64)
    for cond in program.conditions:
        result[cond.key] = comp.env[cond.key]
    return result


def _row_outcome(program: Program, i: int) -> str:
    keys = [k for _, k in program.decision.outputs]
    node = program.decision.rows[i].outputs[keys.index("outcome")]
    assert isinstance(node, expr.Literal)
    return str(node.value)


def row_reason(program: Program, row: int) -> str:
    if row < 0:
        return ""
    keys = [k for _, k in program.decision.outputs]
    node = program.decision.rows[row].outputs[keys.index("reason")]
    return str(node.value) if isinstance(node, expr.Literal) else ""


def evaluate_frame(
    programs: Mapping[str, Program],
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    id_column: str = "subject_id",
    conditions: bool = False,
) -> pl.DataFrame:
    """Evaluate several rule sets over every row at once. Columns: ``id_column`` and, per rule
    set code, ``<code>:outcome`` (UInt8 code), ``<code>:row`` and ``<code>:amount``."""
    selected: list[pl.Expr] = [pl.col(id_column)]
    for code, program in programs.items():
        for name, e in compile_program(program).items():
            if name.startswith("cond.") and not conditions:
                continue
            selected.append(e.alias(f"{code}:{name}"))
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    return lazy.select(selected).collect()


def outcome_name(code: int) -> str:
    return OUTCOMES[code]


def frame_from_records(kind: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """A fact frame from flat fact dicts (each with ``subject_id``), typed by the catalog."""
    schema: dict[str, Any] = {"subject_id": pl.String}
    for name, f in facts.for_kind(kind).items():
        schema[name] = {
            "number": pl.Float64,
            "str": pl.String,
            "bool": pl.Boolean,
            "list": pl.List(pl.String),
        }[f.type]
    rows = [{k: r.get(k) for k in schema} for r in records]
    return pl.DataFrame(rows, schema=schema)
