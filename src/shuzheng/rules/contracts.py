"""Plain data the rules module hands to other modules (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shuzheng.core.errors import Conflict, FieldError
from shuzheng.core.zhdate import zh_date


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
    context: str = ""  # "instant" | "batch" | "grant" | "preview"
    decided_at: str = ""
    # 秒批 approved by the rules, refused because the subject already receives (or has been
    # offered) the benefit for the period: ``reason`` says by which path
    duplicate: bool = False

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


SOURCE_NAMES = {"instant": "申请秒批", "proactive": "免申即享"}


@dataclass(frozen=True)
class Entitlement:
    """A live benefit of a subject: ``held`` (receives it) or ``offered`` (a 免申即享 notice
    says it will be granted without an application)."""

    benefit: str
    subject_kind: str
    subject_id: str
    period: str  # "once" or the year
    status: str  # "offered" | "held"
    source: str  # "instant" | "proactive"
    reference: str  # a case number, "proactive:<match id>" or "decision:<id>"
    case_no: str
    since: dt.date

    @property
    def held(self) -> bool:
        return self.status == "held"

    def describe(self) -> str:
        """Where it comes from, in words: "2026年11月23日起，免申即享，办件编号 …"."""
        day = zh_date(self.since)
        parts = [f"{day}起" if self.held else f"{day}告知"]
        parts.append(SOURCE_NAMES.get(self.source, self.source))
        if self.case_no:
            parts.append(f"办件编号 {self.case_no}")
        if self.period != "once":
            parts.insert(0, f"{self.period}年度")
        return "，".join(parts)

    def refusal(self, who: str = "您") -> str:
        """Why a second application for the benefit is refused (Chinese, one sentence)."""
        if self.held:
            return f"{who}已在享受“{self.benefit}”（{self.describe()}），不能重复申请。"
        return (
            f"{who}已符合“{self.benefit}”免申即享条件（{self.describe()}），无需申请："
            "请到“我的 › 可享政策”查看告知。"
        )


class EntitlementTaken(Conflict):
    """The benefit is already live for the subject and period under another record."""

    def __init__(self, held: Entitlement, who: str = "申请人"):
        super().__init__(held.refusal(who))
        self.held = held
        self.errors = [FieldError("item_code", self.message)]
