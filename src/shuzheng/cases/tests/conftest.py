import base64
import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.catalog import services as catalog_services
from shuzheng.catalog.tests import fixtures

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def licence_item():
    item = fixtures.business_licence()
    item.update(statutory_days=20, promised_days=5)
    return item


@pytest.fixture
def catalog():
    doc = {
        "items": [licence_item(), fixtures.food_licence(), fixtures.marriage()],
        "bundles": [fixtures.restaurant_bundle()],
    }
    # published as of 2026-01-01, so cases filed on any later (frozen) date find the items
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        catalog_services.catalog_import(actor="user:demo-admin", doc=doc, publish=True)
    return {
        "licence": fixtures.code_of(licence_item()),
        "food": fixtures.code_of(fixtures.food_licence()),
        "marriage": fixtures.code_of(fixtures.marriage()),
        "bundle": "YJS441200002",
    }


class CaseApi:
    def __init__(self, api):
        self.api = api

    def upload(self, who, data=PDF, name="scan.pdf"):
        r = self.api.client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile(name, data, "application/pdf")},
            HTTP_AUTHORIZATION=f"Bearer {self.api.token(who)}",
        )
        assert r.status_code == 201, r.content
        return r.json()["file_id"]

    def form(self, who="demo-citizen"):
        prep = self.api.call("GET", f"/api/v1/cases/prepare?item_code={self.code}", who=who).json()
        return prep

    def apply(self, who, code, *, form=None, submit=True, **extra):
        prep = self.api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who=who).json()
        data = {
            **prep["prefill"],
            "enterprise_name": "肇庆市星湖味道餐饮有限公司",
            "business_area": 80,
            "spouse_name": "王芳",
            "spouse_id_number": "11010519491231002X",
            "nationality": "内地居民",
        }
        data = {k: v for k, v in data.items() if k in prep["form_schema"]["properties"]}
        mats = [
            {"material_code": m["material_code"], "file_id": self.upload(who)}
            for m in prep["materials"]
            if m["required"]
        ]
        body = {
            "item_code": code,
            "form": form if form is not None else data,
            "materials": mats,
            "submit": submit,
            **extra,
        }
        return self.api.call("POST", "/api/v1/cases", who=who, json_body=body)

    def act(self, who, case_no, action, **body):
        return self.api.call(
            "POST",
            f"/api/v1/cases/{case_no}/actions",
            who=who,
            json_body={"action": action, **body},
        )


@pytest.fixture
def cases(api):
    return CaseApi(api)


__all__ = ["base64", "json"]


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    """These tests move the clock across weeks; tokens issued on day one must stay valid."""
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400
