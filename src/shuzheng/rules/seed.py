"""The seed rule sets (``data/rulesets.json``): compact descriptions built into JDM graphs.

``load(RuleSet, RuleVersion)`` takes the model classes, so the data migration can pass its
historical models (as ``core.calendar_seed`` does) and ``services.rulesets_seed`` the real
ones. It creates what is missing and never touches an existing rule set.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from shuzheng.rules import jdm

SEED = Path(__file__).resolve().parent / "data" / "rulesets.json"


@cache
def seed_specs() -> list[dict[str, Any]]:
    doc: dict[str, Any] = json.loads(SEED.read_text("utf-8"))
    return list(doc["rulesets"])


def document_for(spec: dict[str, Any]) -> dict[str, Any]:
    return jdm.build(
        conditions=spec["conditions"],
        rows=spec["rows"],
        amount=spec.get("amount"),
        steps=spec.get("steps"),
    )


def _period(rule_set_model: Any, spec: dict[str, Any]) -> dict[str, str]:
    """The seed's ``period`` (``once`` unless it says ``year``), for models that have the
    column (the data migration before it was added passes the historical model without it)."""
    names = {f.name for f in rule_set_model._meta.get_fields()}
    return {"period": spec.get("period", "once")} if "period" in names else {}


def load(rule_set_model: Any, version_model: Any, *, actor: str = "system:seed") -> list[str]:
    """Create the seed rule sets that do not exist yet (version 1, published)."""
    created: list[str] = []
    now = timezone.now()
    for spec in seed_specs():
        if rule_set_model.objects.filter(code=spec["code"]).exists():
            continue
        rule_set = rule_set_model.objects.create(
            code=spec["code"],
            name=spec["name"],
            subject_kind=spec["subject_kind"],
            item_code=spec.get("item_code", ""),
            department_code=spec.get("department_code", ""),
            benefit=spec.get("benefit", ""),
            amount_unit=spec.get("amount_unit", ""),
            description=spec.get("description", ""),
            legal_basis=spec.get("legal_basis", ""),
            **_period(rule_set_model, spec),
        )
        document = document_for(spec)
        version_model.objects.create(
            rule_set=rule_set,
            version=1,
            status="published",
            document=document,
            tests=spec.get("tests", []),
            checksum=jdm.checksum(document),
            note="初始版本（演示数据）",
            effective_from=dt.date.fromisoformat(spec["effective_from"]),
            created_by=actor,
            published_by=actor,
            published_at=now,
        )
        created.append(spec["code"])
    return created
