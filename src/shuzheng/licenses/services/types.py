"""Licence types (证照目录): loaded from ``data/license_types.json``."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.identity import facade as identity
from shuzheng.licenses.models import LicenseType

TYPES_FILE = Path(__file__).resolve().parent.parent / "data" / "license_types.json"


def license_types_load(*, actor: str, path: Path = TYPES_FILE) -> dict[str, int]:
    """Create or update the licence types of ``data/license_types.json`` (idempotent).

    A type's code is its defining department's credit code (from identity) + 3-digit number.
    """
    doc = json.loads(path.read_text("utf-8"))
    created = updated = 0
    with transaction.atomic():
        for t in doc["types"]:
            definer = identity.department(t["definer_department"])
            values = {
                "code": definer.uscc + t["seq"],
                "definer_department": definer.code,
                "definer_uscc": definer.uscc,
                "issuer_department": t["issuer_department"],
                "holder_kinds": t["holder_kinds"],
                "fields": t["fields"],
                "validity": t["validity"],
                "replaces": t.get("replaces", []),
            }
            row = LicenseType.objects.filter(name=t["name"]).first()
            if row is None:
                LicenseType.objects.create(name=t["name"], **values)
                created += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                updated += 1
        total = LicenseType.objects.count()
        if created or updated:
            audit.record(
                actor=actor,
                action="licenses.types_loaded",
                object_type="licenses.type",
                object_id="catalog",
                after={"created": created, "updated": updated, "total": total},
            )
    return {"created": created, "updated": updated, "total": total}
