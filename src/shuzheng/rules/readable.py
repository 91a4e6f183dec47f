"""A rule set as a policy officer reads it: conditions, the decision table, the amount formula
and the facts it reads — derived from the stored JDM document."""

from __future__ import annotations

from typing import Any

from shuzheng.rules import engine, facts, jdm
from shuzheng.rules.models import RuleSet

CELL_WORDS = {"true": "是", "false": "否"}


def readable(document: Any, rule_set: RuleSet) -> dict[str, Any]:
    program = engine.program_for(
        document, jdm.checksum(document), rule_set.subject_kind, bool(rule_set.item_code)
    )
    table = program.decision
    keys = [k for _, k in table.outputs]
    rows = []
    for row in table.rows:
        when = {
            col.label: CELL_WORDS.get(src.strip(), src.strip())
            for col, src in zip(table.inputs, row.cell_sources, strict=True)
            if src.strip() not in ("", "-")
        }
        values = {}
        for key, node in zip(keys, row.outputs, strict=True):
            values[key] = node.value if hasattr(node, "value") else ""
        rows.append(
            {
                "when": when,
                "outcome": str(values.get("outcome", "")),
                "outcome_name": jdm.OUTCOME_NAMES.get(str(values.get("outcome")), ""),
                "reason": str(values.get("reason", "")),
                "description": row.description,
            }
        )
    amount = next(
        (s.source for s in program.steps if isinstance(s, jdm.ExprStep) and s.key == "amount"),
        None,
    )
    steps = [
        {"key": s.key, "expression": s.source}
        for s in program.steps
        if isinstance(s, jdm.ExprStep) and not s.key.startswith("cond.") and s.key != "amount"
    ]
    used = [
        {
            "name": f,
            "label": facts.label(f),
            "unit": facts.BY_NAME[f].unit if f in facts.BY_NAME else "",
            "source": facts.BY_NAME[f].source if f in facts.BY_NAME else "申请表",
        }
        for f in program.facts_used
    ]
    return {
        "conditions": [
            {"key": c.key, "condition": c.label, "expression": c.source, "facts": list(c.facts)}
            for c in program.conditions
        ],
        "columns": [c.label for c in table.inputs],
        "rows": [{k: v for k, v in r.items() if k in ("when", "outcome", "reason")} for r in rows],
        "table": rows,
        "amount": amount,
        "steps": steps,
        "facts": used,
    }
