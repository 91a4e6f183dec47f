"""Portal pages: wallet, detail, 亮证 without JavaScript, public verification page."""

import re

import pytest
from django.test import Client

from shuzheng.identity.models import User
from shuzheng.licenses.models import LicenseUse, Presentation
from shuzheng.licenses.tests.conftest import CITIZEN, ENTERPRISE

pytestmark = pytest.mark.django_db


def login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


def test_wallet_requires_login(client, demo_licenses):
    r = client.get("/licenses/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_wallet_lists_own_and_enterprise_licenses(client, demo_licenses):
    html = login(client, "demo-agent").get("/licenses/").content.decode()
    assert "所代办企业的证照" in html and "营业执照" in html and "食品经营许可证" in html
    html = login(Client(), "demo-citizen").get("/licenses/").content.decode()
    assert html.count('data-testid="wallet-item"') == 2
    assert "营业执照" not in html


def test_detail_page_and_other_citizens_get_404(client, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = login(client, "demo-citizen").get(f"/licenses/{lic.license_id}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "天宁北路12号" in html and "亮证" in html and "<svg" in html
    assert 'name="fields" value="name"' in html
    assert login(Client(), "demo-elder").get(f"/licenses/{lic.license_id}/").status_code == 404
    assert login(Client(), "demo-elder").get(f"/licenses/{lic.license_id}/pdf").status_code == 404
    pdf = client.get(f"/licenses/{lic.license_id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_present_and_verify_without_javascript(client, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    login(client, "demo-citizen")
    r = client.post(f"/licenses/{lic.license_id}/present", {"fields": ["name", "sex"]})
    assert r.status_code == 302
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg role="img" aria-label="亮证二维码' in html  # inline, rendered by the server
    url = re.search(r'href="([^"]+)" data-testid="verify-link"', html).group(1)
    assert "/licenses/verify/?t=SZP1." in url
    anon = Client()
    check = anon.get(url.replace("http://testserver", "").replace("&amp;", "&")).content.decode()
    assert 'data-testid="verify-valid"' in check
    assert "李明" in check and "男" in check
    assert "天宁北路" not in check and CITIZEN not in check  # only the disclosed fields
    uses = client.get(f"/licenses/{lic.license_id}/").content.decode()
    assert 'data-testid="use-verify"' in uses and "匿名核验" in uses


def test_present_errors_are_shown_on_the_page(client, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    login(client, "demo-citizen")
    r = client.post(f"/licenses/{lic.license_id}/present", {"fields": ["nope"]})
    assert r.status_code == 422
    assert "没有数据项" in r.content.decode()
    assert Presentation.objects.count() == 0


def test_presentation_page_is_only_for_the_holder(client, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    login(client, "demo-citizen").post(f"/licenses/{lic.license_id}/present", {"fields": ["name"]})
    nonce = Presentation.objects.get().nonce
    assert client.get(f"/licenses/presentations/{nonce}/").status_code == 200
    assert login(Client(), "demo-elder").get(f"/licenses/presentations/{nonce}/").status_code == 404


def test_verify_page_reports_bad_tokens_and_status_by_id(client, demo_licenses):
    r = client.get("/licenses/verify/?t=SZP1.abc.def")
    assert 'data-testid="verify-invalid"' in r.content.decode()
    lic = demo_licenses(ENTERPRISE, "营业执照")
    html = client.get(f"/licenses/verify/?id={lic.license_id}").content.decode()
    assert 'data-testid="verify-valid"' in html and "营业执照" in html
    assert "星湖大道" not in html  # status only: no face data by licence id
    assert LicenseUse.objects.filter(license=lic, kind="verify", result="ok").exists()
    assert "verify-invalid" in client.get("/licenses/verify/?id=1.2.3").content.decode()
    assert client.get("/licenses/verify/").status_code == 200
