"""Rule sets are GoRules JSON Decision Models (JDM), checked against a small profile.

The stored document is a JDM graph that zen-engine runs as it is and GoRules' open-source
editor opens. Our profile (what ``compile_document`` accepts):

* one ``inputNode`` → a single chain of ``expressionNode`` / ``decisionTableNode`` nodes →
  one ``outputNode``; every node passes its input through (``passThrough``);
* **conditions**: expressions whose key starts with ``cond.`` — boolean ZEN expressions over
  named facts (``age >= 80``, ``startsWith(hukou_region, "4412")``,
  ``not ("高龄津贴" in benefits)``, ``enterprise.employees <= 100``,
  ``tax_credit_grade in ["A", "B"]``, ``"食品经营许可证" in licenses``);
* exactly one **decision table** with hit policy ``first`` and outputs ``outcome``
  (``"approve"`` / ``"deny"`` / ``"review"``) and ``reason`` (Chinese). Its input columns read
  conditions; a column's ``name`` is the condition's plain-Chinese label. A row may carry
  ``_description``. When no row matches, the outcome is ``review``;
* optionally an expression with key ``amount``: the benefit-amount formula.

``compile_document`` returns a ``Program`` (parsed, typed, with every problem located) that
the Python path runs directly and ``batch.py`` compiles to polars.
"""

from __future__ import annotations

import decimal
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shuzheng.rules import expr, facts

OUTCOMES = ("approve", "deny", "review")
OUTCOME_NAMES = {"approve": "批准", "deny": "不予批准", "review": "转人工审核"}
CONTENT_TYPE = "application/vnd.gorules.decision"
STEP_TYPES = ("expressionNode", "decisionTableNode")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (node › key/row › column), what, at which char."""

    where: str
    message: str
    pos: int | None = None  # character offset inside the expression
    source: str = ""  # the expression text

    def chinese(self) -> str:
        at = f"第 {self.pos + 1} 个字符处：" if self.pos is not None else ""
        src = f"（表达式：{self.source}）" if self.source else ""
        return f"{self.where}：{at}{self.message}{src}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "message": self.message,
            "position": None if self.pos is None else self.pos + 1,
            "expression": self.source,
        }


class DocumentInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.chinese() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ExprStep:
    node: str
    key: str
    source: str
    ast: expr.Node


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    field: str
    ast: expr.Node


@dataclass(frozen=True)
class Row:
    id: str
    description: str
    cells: tuple[expr.Node | None, ...]  # boolean tests over $ (None = any)
    cell_sources: tuple[str, ...]
    outputs: tuple[expr.Node, ...]


@dataclass(frozen=True)
class TableStep:
    node: str
    inputs: tuple[Column, ...]
    outputs: tuple[tuple[str, str], ...]  # (column id, output key)
    rows: tuple[Row, ...]
    is_decision: bool


Step = ExprStep | TableStep


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    source: str
    facts: tuple[str, ...]  # facts it reads (through intermediate keys too)


@dataclass(frozen=True)
class Program:
    subject_kind: str
    steps: tuple[Step, ...]
    facts_used: tuple[str, ...]
    conditions: tuple[Condition, ...]
    decision: TableStep
    has_amount: bool
    checksum: str
    key_types: dict[str, str] = field(default_factory=dict)

    def run(self, flat_facts: Mapping[str, Any]) -> dict[str, Any]:
        """Evaluate in plain Python (ZEN semantics). Returns the keys the graph writes plus
        ``_row`` (index of the decision row that matched, -1 when none)."""
        scope: dict[str, Any] = dict(flat_facts)
        missing = [f for f in self.facts_used if scope.get(f) is None]
        if missing:
            return {"outcome": "review", "reason": "", "_row": -2, "_missing": missing}
        row_hit = -1
        for step in self.steps:
            if isinstance(step, ExprStep):
                scope[step.key] = expr.evaluate(step.ast, scope)
                continue
            values = [expr.evaluate(c.ast, scope) for c in step.inputs]
            hit = -1
            for i, row in enumerate(step.rows):
                ok = True
                for value, cell in zip(values, row.cells, strict=True):
                    if cell is not None and expr.evaluate(cell, {"$": value}) is not True:
                        ok = False
                        break
                if ok:
                    hit = i
                    break
            if hit >= 0:
                for (_, key), out in zip(step.outputs, step.rows[hit].outputs, strict=True):
                    scope[key] = expr.evaluate(out, scope)
            if step.is_decision:
                row_hit = hit
        result = {k: scope.get(k) for k in self.written_keys()}
        if row_hit < 0:
            result["outcome"], result["reason"] = "review", ""
        result["_row"] = row_hit
        return result

    def written_keys(self) -> list[str]:
        keys: list[str] = []
        for s in self.steps:
            if isinstance(s, ExprStep):
                keys.append(s.key)
            else:
                keys.extend(k for _, k in s.outputs)
        return keys


def checksum(document: Any) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _node_label(node: Mapping[str, Any]) -> str:
    return f"节点“{node.get('name') or node.get('id')}”"


def compile_document(document: Any, *, subject_kind: str, allow_form: bool = False) -> Program:
    """Check ``document`` against the profile and the fact catalog; raise DocumentInvalid with
    every problem found (node, key or row, column, character position)."""
    problems: list[Problem] = []
    if not isinstance(document, dict):
        raise DocumentInvalid([Problem("文档", "规则文档应为 JSON 对象（JDM 决策图）")])
    nodes = document.get("nodes")
    edges = document.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise DocumentInvalid([Problem("文档", "JDM 文档应包含 nodes 和 edges 两个数组")])
    by_id: dict[str, dict[str, Any]] = {}
    for i, n in enumerate(nodes):
        if not isinstance(n, dict) or not isinstance(n.get("id"), str) or not n.get("type"):
            problems.append(Problem(f"nodes[{i}]", "节点应有 id 和 type"))
            continue
        if n["id"] in by_id:
            problems.append(Problem(_node_label(n), f"节点 id 重复：{n['id']}"))
        by_id[n["id"]] = n
    if problems:
        raise DocumentInvalid(problems)
    inputs = [n for n in by_id.values() if n["type"] == "inputNode"]
    outputs = [n for n in by_id.values() if n["type"] == "outputNode"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise DocumentInvalid([Problem("文档", "应恰有一个输入节点（inputNode）和一个输出节点")])
    unsupported = [
        n for n in by_id.values() if n["type"] not in (*STEP_TYPES, "inputNode", "outputNode")
    ]
    for n in unsupported:
        problems.append(
            Problem(_node_label(n), f"本平台不支持 {n['type']} 节点（只用表达式和决策表）")
        )
    nxt: dict[str, str] = {}
    for e in edges:
        if not isinstance(e, dict):
            continue
        src, dst = e.get("sourceId"), e.get("targetId")
        if src not in by_id or dst not in by_id:
            problems.append(Problem("edges", f"连线指向不存在的节点：{src} → {dst}"))
            continue
        if src in nxt:
            problems.append(Problem(_node_label(by_id[src]), "节点只能连向一个后续节点（单链）"))
        nxt[str(src)] = str(dst)
    if problems:
        raise DocumentInvalid(problems)
    chain: list[dict[str, Any]] = []
    cur = inputs[0]["id"]
    seen = {cur}
    while cur in nxt:
        cur = nxt[cur]
        if cur in seen:
            raise DocumentInvalid([Problem("edges", "连线成环")])
        seen.add(cur)
        chain.append(by_id[cur])
    if not chain or chain[-1]["type"] != "outputNode" or len(seen) != len(by_id):
        raise DocumentInvalid(
            [Problem("edges", "所有节点应从输入节点依次连到输出节点（单链，不遗漏节点）")]
        )
    chain = chain[:-1]

    types: dict[str, str] = facts.types_for(subject_kind)
    key_types: dict[str, str] = {}
    defined: dict[str, expr.Node] = {}
    key_sources: dict[str, str] = {}
    steps: list[Step] = []
    decision_tables: list[TableStep] = []

    def check(src: Any, where: str, *, unary: bool = False) -> expr.Node | None:
        if not isinstance(src, str):
            problems.append(Problem(where, "表达式应为文字"))
            return None
        try:
            node = expr.parse_unary(src) if unary else expr.parse(src)
        except expr.ExprError as exc:
            problems.append(Problem(where, exc.message, exc.pos, src))
            return None
        if node is None:
            return None
        scope_types = {**types, **key_types, "$": "any"}
        for ref in expr.refs(node):
            path = ref.path
            if path == "$" and unary:
                continue
            if path in scope_types:
                continue
            if allow_form and path.startswith("form.") and path.count(".") == 1:
                continue
            hint = _suggest(path, list(scope_types))
            problems.append(
                Problem(
                    where,
                    f"未知事实“{path}”" + (f"（是否为 {hint}？）" if hint else ""),
                    ref.pos,
                    src,
                )
            )
            return None
        try:
            expr.infer_type(node, scope_types)
        except expr.ExprError as exc:
            problems.append(Problem(where, exc.message, exc.pos, src))
            return None
        return node

    for n in chain:
        content = n.get("content") or {}
        label = _node_label(n)
        if content.get("passThrough") is False:
            problems.append(Problem(label, "节点须透传输入（passThrough: true）"))
        if content.get("inputField") or content.get("outputPath"):
            problems.append(Problem(label, "不支持 inputField / outputPath"))
        if n["type"] == "expressionNode":
            pending: dict[str, str] = {}  # zen-engine: keys of a node are visible after it
            for j, e in enumerate(content.get("expressions") or []):
                key = str(e.get("key") or "")
                where = f"{label} › {key or f'第{j + 1}条'}"
                if not key or not all(p.isidentifier() and p.isascii() for p in key.split(".")):
                    problems.append(Problem(where, "键名应为英文标识符，如 cond.age_ok"))
                    continue
                if key in types:
                    problems.append(Problem(where, f"键名“{key}”与事实同名"))
                    continue
                node = check(e.get("value"), where)
                if node is None:
                    pending[key] = "any"  # reported once; later references stay quiet
                    continue
                t = expr.infer_type(node, {**types, **key_types})
                if key.startswith("cond.") and t not in ("bool", "any"):
                    problems.append(
                        Problem(where, "条件（cond.*）应得出真/假", 0, e.get("value", ""))
                    )
                pending[key] = t
                defined[key] = node
                key_sources[key] = str(e.get("value"))
                steps.append(ExprStep(n["id"], key, str(e.get("value")), node))
            key_types.update(pending)
            continue
        # decision table
        hit = content.get("hitPolicy", "first")
        if hit != "first":
            problems.append(Problem(label, "决策表命中策略应为 first（自上而下取第一条命中的行）"))
        cols: list[Column] = []
        for c in content.get("inputs") or []:
            where = f"{label} › 输入列“{c.get('name') or c.get('id')}”"
            node = check(c.get("field") or "", where)
            if node is not None:
                cols.append(
                    Column(
                        str(c.get("id")),
                        str(c.get("name") or c.get("field")),
                        str(c.get("field")),
                        node,
                    )
                )
        outs: list[tuple[str, str]] = []
        for o in content.get("outputs") or []:
            key = str(o.get("field") or "")
            if not key or not all(p.isidentifier() and p.isascii() for p in key.split(".")):
                problems.append(Problem(f"{label} › 输出列", "输出字段应为英文标识符"))
                continue
            outs.append((str(o.get("id")), key))
        rows: list[Row] = []
        for r_i, r in enumerate(content.get("rules") or []):
            row_where = f"{label} › 第{r_i + 1}行"
            cells: list[expr.Node | None] = []
            cell_src: list[str] = []
            for c in cols:
                src = r.get(c.id, "")
                src = "" if src is None else src
                cell_src.append(str(src))
                cells.append(check(src, f"{row_where} › {c.label}", unary=True))
            out_nodes: list[expr.Node] = []
            for oid, key in outs:
                src = r.get(oid, "")
                if src in ("", None):
                    problems.append(Problem(f"{row_where} › {key}", "输出不能为空"))
                    out_nodes.append(expr.Literal(0, None))
                    continue
                node = check(src, f"{row_where} › {key}")
                if node is None:
                    out_nodes.append(expr.Literal(0, None))
                    continue
                if key == "outcome" and not (
                    isinstance(node, expr.Literal) and node.value in OUTCOMES
                ):
                    problems.append(
                        Problem(
                            f"{row_where} › outcome",
                            'outcome 应为 "approve"、"deny" 或 "review"',
                            0,
                            str(src),
                        )
                    )
                out_nodes.append(node)
            rows.append(
                Row(
                    str(r.get("_id") or r_i + 1),
                    str(r.get("_description") or ""),
                    tuple(cells),
                    tuple(cell_src),
                    tuple(out_nodes),
                )
            )
        keys = {k for _, k in outs}
        for _, key in outs:
            key_types[key] = "str" if key in ("outcome", "reason") else "any"
        table = TableStep(
            n["id"], tuple(cols), tuple(outs), tuple(rows), {"outcome", "reason"} <= keys
        )
        if table.is_decision:
            decision_tables.append(table)
        steps.append(table)

    if len(decision_tables) != 1 and not problems:
        problems.append(Problem("文档", "应恰有一张结论决策表（输出 outcome 和 reason）"))
    if problems:
        raise DocumentInvalid(problems)
    decision = decision_tables[0]

    def facts_of(node: expr.Node, depth: int = 0) -> list[str]:
        out: list[str] = []
        for ref in expr.refs(node):
            if ref.path in defined and depth < 20:
                out.extend(facts_of(defined[ref.path], depth + 1))
            elif ref.path in types or ref.path.startswith("form."):
                out.append(ref.path)
        return list(dict.fromkeys(out))

    labels = {c.field: c.label for c in decision.inputs}
    conditions = tuple(
        Condition(key, labels.get(key, key), key_sources[key], tuple(facts_of(node)))
        for key, node in defined.items()
        if key.startswith("cond.")
    )
    used: list[str] = []
    for step in steps:
        reads: list[expr.Node] = []
        if isinstance(step, ExprStep):
            reads.append(step.ast)
        else:
            reads.extend(c.ast for c in step.inputs)
            for row in step.rows:
                reads.extend(row.outputs)
        for node in reads:
            used.extend(
                r.path for r in expr.refs(node) if r.path in types or r.path.startswith("form.")
            )
    return Program(
        subject_kind=subject_kind,
        steps=tuple(steps),
        facts_used=tuple(dict.fromkeys(used)),
        conditions=conditions,
        decision=decision,
        has_amount="amount" in key_types,
        checksum=checksum(document),
        key_types=key_types,
    )


def _suggest(name: str, known: list[str]) -> str:
    import difflib

    hits = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return hits[0] if hits else ""


# --- building documents (seeds and the console's starter) ------------------------------------


def build(
    *,
    conditions: list[dict[str, str]],
    rows: list[dict[str, Any]],
    amount: str | None = None,
    steps: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A profile-conforming JDM graph from a compact description:

    ``conditions``: ``[{"key": "age_ok", "label": "年满80周岁", "expr": "age >= 80"}]``;
    ``rows``: ``[{"when": {"age_ok": False}, "outcome": "deny", "reason": "…"}]``
    (conditions left out of ``when`` match anything); ``amount``: a ZEN formula;
    ``steps``: intermediate values ``[{"key": "calc.years", "expr": "…"}]`` computed first.
    """
    nodes: list[dict[str, Any]] = [
        {"id": "facts", "type": "inputNode", "name": "事实", "position": {"x": 0, "y": 0}}
    ]
    x = 260
    if steps:
        nodes.append(
            {
                "id": "calc",
                "type": "expressionNode",
                "name": "中间值",
                "position": {"x": x, "y": 0},
                "content": {
                    "expressions": [
                        {"id": f"calc{i}", "key": s["key"], "value": s["expr"]}
                        for i, s in enumerate(steps)
                    ],
                    "passThrough": True,
                    "inputField": None,
                    "outputPath": None,
                    "executionMode": "single",
                },
            }
        )
        x += 260
    nodes.append(
        {
            "id": "conditions",
            "type": "expressionNode",
            "name": "条件",
            "position": {"x": x, "y": 0},
            "content": {
                "expressions": [
                    {"id": f"c_{c['key']}", "key": f"cond.{c['key']}", "value": c["expr"]}
                    for c in conditions
                ],
                "passThrough": True,
                "inputField": None,
                "outputPath": None,
                "executionMode": "single",
            },
        }
    )
    x += 260
    table_rows = []
    for i, r in enumerate(rows, start=1):
        row: dict[str, Any] = {"_id": f"r{i}", "_description": r.get("description", "")}
        for c in conditions:
            v = r.get("when", {}).get(c["key"])
            row[f"in_{c['key']}"] = "" if v is None else ("true" if v else "false")
        row["out_outcome"] = json.dumps(r["outcome"])
        row["out_reason"] = json.dumps(r["reason"], ensure_ascii=False)
        table_rows.append(row)
    nodes.append(
        {
            "id": "decision",
            "type": "decisionTableNode",
            "name": "结论",
            "position": {"x": x, "y": 0},
            "content": {
                "hitPolicy": "first",
                "inputs": [
                    {"id": f"in_{c['key']}", "name": c["label"], "field": f"cond.{c['key']}"}
                    for c in conditions
                ],
                "outputs": [
                    {"id": "out_outcome", "name": "结论", "field": "outcome"},
                    {"id": "out_reason", "name": "理由", "field": "reason"},
                ],
                "rules": table_rows,
                "passThrough": True,
                "inputField": None,
                "outputPath": None,
                "executionMode": "single",
            },
        }
    )
    x += 260
    if amount:
        nodes.append(
            {
                "id": "amount",
                "type": "expressionNode",
                "name": "金额",
                "position": {"x": x, "y": 0},
                "content": {
                    "expressions": [{"id": "amount", "key": "amount", "value": amount}],
                    "passThrough": True,
                    "inputField": None,
                    "outputPath": None,
                    "executionMode": "single",
                },
            }
        )
        x += 260
    nodes.append(
        {"id": "result", "type": "outputNode", "name": "结果", "position": {"x": x, "y": 0}}
    )
    edges = [
        {"id": f"e{i}", "sourceId": a["id"], "targetId": b["id"], "type": "edge"}
        for i, (a, b) in enumerate(itertools.pairwise(nodes))
    ]
    return {"contentType": CONTENT_TYPE, "nodes": nodes, "edges": edges}


def to_number(value: Any) -> Any:
    """Decimals from the Python path as plain numbers (int when whole)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
