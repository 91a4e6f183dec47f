"""Shared test helpers (HTTP calls against the real API, no mocks)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

DEMO_PASSWORD = "Demo@12345"

PDF = (  # the smallest well-formed one-page PDF (uploads are parsed whole)
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self._tokens:
            body: dict[str, str]
            if who.startswith("client:"):
                body = {"client_id": who.split(":", 1)[1], "client_secret": DEMO_PASSWORD}
            else:
                body = {"username": who, "password": DEMO_PASSWORD}
            r = self.client.post(
                "/api/v1/auth/token", json.dumps(body), content_type="application/json"
            )
            assert r.status_code == 200, r.content
            self._tokens[who] = r.json()["access_token"]
        return self._tokens[who]

    def call(self, method: str, path: str, *, who: str | None = None, json_body: Any = None) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token(who)}"} if who else {}
        fn = getattr(self.client, method.lower())
        if json_body is not None:
            return fn(path, json.dumps(json_body), content_type="application/json", **headers)
        return fn(path, **headers)


# data migrations whose rows tests rely on (a flush removes them; their seed is idempotent)
_MIGRATION_SEEDS = (
    "shuzheng.hotline.migrations.0002_seed_categories_limits",
    "shuzheng.governance.migrations.0005_event_classes_grids",
)


def restore_flushed_data() -> None:
    """Put back what the test database holds before any test: the calendar, the demo accounts,
    the registries, the 电子证照 types, the rule sets and policies, the 12345 categories and the
    city event classes. A transactional test (and every browser test, whose live server needs
    committed data) ends by flushing all tables, migrations' data included; the tests after it —
    in any order, on any xdist worker — expect the data back. Caches of this process built
    from the flushed rows are dropped too."""
    import importlib

    from django.apps import apps

    from shuzheng.core import cache, calendar_seed
    from shuzheng.core.models import CalendarDay, CalendarYear
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.identity.demo import seed_demo
    from shuzheng.licenses.services import license_types_load
    from shuzheng.proactive.services import policies_seed
    from shuzheng.rules.services import rule_sets_seed

    cache.clear_all()
    calendar_seed.seed(CalendarDay, CalendarYear)
    for module in _MIGRATION_SEEDS:
        importlib.import_module(module).seed(apps, None)
    seed_demo()
    seed_exchange()
    license_types_load(actor="system:tests")
    rule_sets_seed()  # seeded by migrations; a flush removed them
    policies_seed()
    cache.clear_all()
