"""Plain data the rules module hands to other modules (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Decision:
    """A rule decision as stored: the outcome, the rule set and version it used, the plain
    Chinese explanation, the facts it read and each condition's result."""

    outcome: str  # "approve" | "deny" | "review"
    rule_set: str  # rule-set code
    version: int
    explanation: list[str]
    facts: dict[str, Any]
    conditions: list[dict[str, Any]]  # {"condition": 中文, "passed": bool, "expression": …}
    decision_id: str = ""  # empty for a preview that was not stored
    rule_set_name: str = ""
    reason: str = ""
    amount: str | None = None  # decimal as text, e.g. "100.00"
    amount_unit: str = ""
    benefit: str = ""
    subject_kind: str = ""
    subject_id: str = ""
    item_code: str = ""
    department_code: str = ""
    context: str = ""  # "instant" | "batch" | "preview"
    decided_at: str = ""

    def as_api(self) -> dict[str, Any]:
        """The ``"decision"`` object of the case API."""
        return {
            "id": self.decision_id,
            "outcome": self.outcome,
            "rule_set": self.rule_set,
            "rule_set_name": self.rule_set_name,
            "version": self.version,
            "reason": self.reason,
            "amount": self.amount,
            "amount_unit": self.amount_unit,
            "explanation": list(self.explanation),
            "conditions": [
                {"condition": c["condition"], "passed": c["passed"]} for c in self.conditions
            ],
            "decided_at": self.decided_at,
        }


@dataclass(frozen=True)
class RuleSetInfo:
    code: str
    name: str
    subject_kind: str
    item_code: str
    department_code: str
    benefit: str
    amount_unit: str
    description: str
    legal_basis: str
    version: int | None  # in force today
    effective_from: str | None


@dataclass(frozen=True)
class BatchRow:
    subject_id: str
    name: str
    outcome: str
    amount: str | None
    reason: str


@dataclass(frozen=True)
class BatchResult:
    rule_set: str
    version: int
    as_of: str
    evaluated: int
    outcomes: dict[str, int]
    eligible: list[BatchRow] = field(default_factory=list)
    seconds: float = 0.0
