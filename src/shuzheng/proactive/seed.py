"""Seed 免申即享 policies (``data/policies.json``); creates what is missing, never edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED = Path(__file__).resolve().parent / "data" / "policies.json"


def load(policy_model: Any) -> list[str]:
    doc: dict[str, Any] = json.loads(SEED.read_text("utf-8"))
    created: list[str] = []
    for spec in doc["policies"]:
        if policy_model.objects.filter(code=spec["code"]).exists():
            continue
        policy_model.objects.create(**spec)
        created.append(spec["code"])
    return created
