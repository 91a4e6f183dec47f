"""Load the demo catalog (data/catalog.json) and publish it. Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from shuzheng.catalog import services
from shuzheng.catalog.codes import implementation_code
from shuzheng.catalog.models import ServiceItem

CONTENT = Path(__file__).resolve().parent / "data" / "catalog.json"


def seed_catalog() -> services.ImportResult | None:
    """Import and publish the demo content unless its items are already in the catalog."""
    doc = json.loads(CONTENT.read_text(encoding="utf-8"))
    report_codes = {
        implementation_code(
            i["region_code"], i["exercise_level"], i["basic_code"], i.get("serial", 0)
        )
        for i in doc["items"]
    }
    if ServiceItem.objects.filter(code__in=report_codes).exists():
        return None
    return services.catalog_import(actor="system:seed_demo", doc=doc, publish=True)
