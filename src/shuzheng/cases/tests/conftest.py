import base64
import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.support import PDF

from shuzheng.catalog import services as catalog_services
from shuzheng.catalog.tests import fixtures


def license_item():
    item = fixtures.business_license()
    item.update(statutory_days=20, promised_days=5)
    return item


@pytest.fixture
def catalog():
    doc = {
        "items": [license_item(), fixtures.food_license(), fixtures.marriage()],
        "bundles": [fixtures.restaurant_bundle()],
    }
    # published as of 2026-01-01, so cases filed on any later (frozen) date find the items
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        catalog_services.catalog_import(actor="user:demo-admin", doc=doc, publish=True)
    return {
        "licence": fixtures.code_of(license_item()),
        "food": fixtures.code_of(fixtures.food_license()),
        "marriage": fixtures.code_of(fixtures.marriage()),
        "bundle": "YJS441200002",
    }


DISABILITY = "441200320000130000006"  # 残疾人证申领 (市残联, 承诺件, result licence: 残疾人证)


@pytest.fixture
def disability_demo():
    """免证办 and pending result licences with the demo data: the demo catalog's 残疾人证申领
    (M1 申请人居民身份证, M2 申请人居民户口簿; its 残疾人证 needs a 残疾等级 and a 证号 the
    case does not give) and the demo licences of demo-citizen (李明) and demo-elder (陈桂英),
    as ``seed_catalog`` and ``seed_licenses`` make them (only what these tests need, to keep
    them fast). Returns {"citizen"|"elder": {licence type name: License}}."""
    from shuzheng.catalog.demo import CONTENT
    from shuzheng.identity.models import User
    from shuzheng.licenses import services as license_services
    from shuzheng.licenses.demo import ACTOR, demo_requests
    from shuzheng.licenses.models import License

    doc = json.loads(CONTENT.read_text("utf-8"))
    item = next(i for i in doc["items"] if i["implementation_code"] == DISABILITY)
    catalog_services.catalog_import(
        actor="system:seed_demo", doc={"items": [item], "bundles": []}, publish=True
    )
    people = {
        who: User.objects.get(username=f"demo-{who}").person.id_number
        for who in ("citizen", "elder")
    }
    for req in demo_requests():
        if req["holder_kind"] == "person" and req["holder_id"] in people.values():
            license_services.license_issue(actor=ACTOR, source="seed", **req)
    return {
        who: {
            lic.license_type.name: lic
            for lic in License.objects.filter(holder_kind="person", holder_id=idn)
        }
        for who, idn in people.items()
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

    def apply_bundle(self, who, code):
        """File the 一件事 ``code`` with its required materials uploaded (the response)."""
        prep = self.api.call("GET", f"/api/v1/cases/prepare?bundle_code={code}", who=who).json()
        form = {
            **prep["prefill"],
            "enterprise_name": "肇庆市星湖味道餐饮有限公司",
            "business_area": 60,
        }
        mats = [
            {"material_code": m["material_code"], "file_id": self.upload(who)}
            for m in prep["materials"]
            if m["required"]
        ]
        return self.api.call(
            "POST",
            "/api/v1/cases",
            who=who,
            json_body={"bundle_code": code, "form": form, "materials": mats},
        )

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
