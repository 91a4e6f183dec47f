"""Issue #7 (data catalog, sharing, data spaces) — the 'Done when', end to end with the test
client, across the exchange, the pages and the application form of the demo catalog:

a department requests 婚姻登记 fields for 民政 purposes, the source data officer approves, the
consumer's call returns masked fields; demo-citizen sees that use in the data space, revokes a
consent to a bank, and the bank's next call is refused. The prefilled application form shows
name and household address from 人口基础信息.

(The same journey runs in a real browser in tests/browser/test_exchange.py; this one needs no
browser and also covers the form.)
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_id_number
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db

MARRIAGE = "201001/000001"
SOCIAL = "203001/000001"
CITIZEN_ID = make_id_number("441202", dt.date(1990, 5, 12), 31)  # demo-citizen 李明
HUKOU_ADDRESS = "广东省肇庆市端州区城东街道天宁北路12号"  # 人口基础信息 (公安) for 李明
DIBAO = "44120240500002000000T"  # 最低生活保障审核确认 (demo catalog): asks for 户籍地址
MARRIAGE_FIELDS = ["person.marital_status", "marriage.spouse_name", "marriage.spouse_id_number"]
MZ_SYSTEM = "肇庆市民政业务系统（演示）"
BANK = "肇庆农商银行普惠金融系统（演示）"


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def page(client: Client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r.content.decode()


def rows(page_html: str, outcome: str) -> list[str]:
    """The text of the data space's usage rows with one outcome."""
    found = re.findall(rf'<tr data-outcome="{outcome}">(.*?)</tr>', page_html, flags=re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", " ", r)) for r in found]


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


@pytest.fixture
def demo_catalog():
    from shuzheng.catalog.demo import seed_catalog

    seed_catalog()


def test_issue_7_done_when(api, demo_catalog):
    # 1. 民政's system asks the 婚姻登记 registry (民政局) for fields, for a 民政 purpose
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="client:demo-mz-system",
        json_body={
            "resource": MARRIAGE,
            "fields": MARRIAGE_FIELDS,
            "purpose": "service",
            "scenario": "最低生活保障审核确认：核对申请人婚姻状况",
            "legal_basis": "《社会救助暂行办法》第十一条",
            "days": 365,
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending" and r.json()["due_date"]
    rid = r.json()["id"]

    # 2. the source department's data officer approves on the officer's desk (a plain form)
    officer = logged_in("demo-dataofficer")
    assert f"/data/requests/{rid}/" in page(officer, "/data/requests/")
    decision = {"decision": "approve", "note": "同意，用于低保审核"}
    r = officer.post(f"/data/requests/{rid}/", decision)
    assert r.status_code == 302, r.content
    assert "已同意" in page(officer, f"/data/requests/{rid}/")

    # 3. the consumer's call returns the granted fields, the important personal ones masked
    r = api.call(
        "GET",
        f"/api/v1/exchange/data/{MARRIAGE}?subject={CITIZEN_ID}",
        who="client:demo-mz-system",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["fields"]["person.marital_status"] == "已婚"
    assert body["fields"]["marriage.spouse_name"] == "王*"
    assert re.fullmatch(r"441202\*{8}\d{3}[\dX]", body["fields"]["marriage.spouse_id_number"])
    assert sorted(body["masked"]) == ["marriage.spouse_id_number", "marriage.spouse_name"]
    assert body["basis"].startswith("grant:GX")
    # the bank reads 社保参保 under the consent demo-citizen gave it
    bank_call = f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}"
    assert api.call("GET", bank_call, who="client:demo-bank").status_code == 200

    # 4. demo-citizen sees that use in the data space
    citizen = logged_in("demo-citizen")
    space = page(citizen, "/dataspace/")
    used = [u for u in rows(space, "ok") if MZ_SYSTEM in u]
    assert len(used) == 1
    assert "婚姻登记：婚姻状况、配偶姓名、配偶公民身份号码" in used[0] and "政务服务" in used[0]
    assert any(BANK in u and "社保参保" in u for u in rows(space, "ok"))

    # 5. … revokes the consent to the bank (effective at once) …
    consent_id = re.search(
        rf'<tr data-consent="(\d+)">\s*<td[^>]*>{re.escape(BANK)}</td>\s*<td[^>]*>社保参保', space
    )
    assert consent_id is not None
    r = citizen.post(f"/dataspace/consents/{consent_id.group(1)}/revoke/")
    assert r.status_code == 302 and r["Location"] == "/dataspace/#consents"

    # 6. … and the bank's next call is refused, with nothing of the data; the refusal is
    # audited and shows in the data space
    r = api.call("GET", bank_call, who="client:demo-bank")
    assert r.status_code == 403 and r.json()["code"] == "consent_required"
    assert "撤销授权" in r.json()["message"] and "fields" not in r.json()
    rec = AuditRecord.objects.order_by("-id").first()
    assert rec is not None and rec.action == "exchange.data_refused"
    assert rec.actor == "client:demo-bank"
    refused = [u for u in rows(page(citizen, "/dataspace/"), "refused") if BANK in u]
    assert refused and "撤销授权" in refused[0]

    # 7. the prefilled application form shows name and household address from 人口基础信息
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={DIBAO}", who="demo-citizen")
    assert prep.status_code == 200, prep.content
    prep = prep.json()
    assert prep["prefill"]["applicant_name"] == "李明"
    assert prep["prefill"]["hukou_address"] == HUKOU_ADDRESS
    assert prep["prefill_sources"]["applicant_name"] == "肇庆市公安局"
    assert prep["prefill_sources"]["hukou_address"] == "肇庆市公安局"
    form = page(citizen, f"/cases/apply/{DIBAO}/")
    assert 'name="applicant_name" value="李明"' in form
    assert f'name="hukou_address" value="{HUKOU_ADDRESS}"' in form
    assert form.count("已从肇庆市公安局自动填入") >= 3  # name, ID number, household address
