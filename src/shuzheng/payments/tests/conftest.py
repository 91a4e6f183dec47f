"""Fixtures: the demo catalog's 不动产登记（转移登记） (市不动产登记中心, 80 元 per 件) and
普通护照签发 (120 元), and a case of 李明's filed, accepted and ready to pay — all inside a
frozen day."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.support import PDF

from shuzheng.catalog import services as catalog_services

TRANSFER = "441200307000050020007"  # 不动产登记（转移登记）, 441200-BDCDJZX, 80 元
PASSPORT = "44000020100001000000W"  # 普通护照签发, 440000-GAT, 120 元
REISSUE = "441200307000040030008"  # 补领婚姻登记证: no fee
DAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen():
    with time_machine.travel(DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fee_catalog(frozen):
    from shuzheng.catalog.demo import CONTENT

    doc = json.loads(CONTENT.read_text("utf-8"))
    wanted = {TRANSFER, PASSPORT, REISSUE}
    items = [i for i in doc["items"] if i["implementation_code"] in wanted]
    assert len(items) == 3
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        catalog_services.catalog_import(
            actor="system:seed_demo", doc={"items": items, "bundles": []}, publish=True
        )
    return {"transfer": TRANSFER, "passport": PASSPORT, "reissue": REISSUE}


class Payments:
    """The API as the tests use it: file a case, act on it, read and pay its order."""

    def __init__(self, api):
        self.api = api

    def upload(self, who):
        r = self.api.client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf")},
            HTTP_AUTHORIZATION=f"Bearer {self.api.token(who)}",
        )
        assert r.status_code == 201, r.content
        return r.json()["file_id"]

    def file(self, code=TRANSFER, who="demo-citizen"):
        prep = self.api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who=who).json()
        form = {
            **prep["prefill"],
            "property_address": "肇庆市端州区天宁北路14号501房",
            "property_certificate_number": "粤（2020）肇庆市不动产权第0012345号",
            "transferor_name": "张伟",
            "transfer_reason": "买卖",
            "applicant_phone": "13800000001",
            "delivery_method": "窗口领取",
            "travel_purpose": "旅游",
            "spouse_name": "王芳",
            "certificate_kind": "结婚证",
            "registration_year": 2015,
        }
        form = {k: v for k, v in form.items() if k in prep["form_schema"]["properties"]}
        mats = [
            {"material_code": m["material_code"], "file_id": self.upload(who)}
            for m in prep["materials"]
            if m["required"]
        ]
        r = self.api.call(
            "POST",
            "/api/v1/cases",
            who=who,
            json_body={"item_code": code, "form": form, "materials": mats},
        )
        assert r.status_code == 201, r.content
        return r.json()["case_no"]

    def act(self, who, case_no, action, **body):
        return self.api.call(
            "POST",
            f"/api/v1/cases/{case_no}/actions",
            who=who,
            json_body={"action": action, **body},
        )

    def accepted(self, code=TRANSFER, who="demo-citizen"):
        """A case filed and accepted (受理); returns (case_no, order_no)."""
        case_no = self.file(code, who)
        r = self.act("demo-clerk", case_no, "accept")
        assert r.status_code == 200, r.content
        orders = self.api.call("GET", "/api/v1/payments/orders", who=who).json()
        mine = [o for o in orders if o["case_no"] == case_no]
        return case_no, (mine[0]["order_no"] if mine else None)

    def pay(self, order_no, who="demo-citizen"):
        return self.api.call("POST", f"/api/v1/payments/orders/{order_no}/pay", who=who)

    def callback(self, body, signature=None, backend="demo"):
        from shuzheng.payments import demo

        headers = {"HTTP_X_SHUZHENG_SIGNATURE": signature} if signature is not None else {}
        if signature is None:
            headers = {
                "HTTP_X_SHUZHENG_SIGNATURE": demo.signed_headers(body)[demo.SIGNATURE_HEADER]
            }
        return self.api.client.post(
            f"/api/v1/payments/callback/{backend}",
            body,
            content_type="application/json",
            **headers,
        )

    def paid_body(self, order_no, amount_fen, trade_no="DEMO0001"):
        from shuzheng.payments import demo

        return demo.callback_body(order_no=order_no, amount_fen=amount_fen, trade_no=trade_no)


@pytest.fixture
def pay(api, fee_catalog):
    return Payments(api)
