"""亮证 on a small phone (issue 17 defect 6): the QR code carries a short link to the
presentation (not the whole 500-800 character token), is sized by the page's CSS, keeps its
quiet zone, and the page states the expiry in words, counts down with a script and offers a
fresh code. The short link verifies exactly as the token does."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import User
from shuzheng.licenses import services
from shuzheng.licenses.models import LicenseUse, Presentation
from shuzheng.licenses.tests.conftest import CITIZEN

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 1, 10, 0, 0, tzinfo=dt.UTC)  # 18:00:00 in Asia/Shanghai


def holder() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="demo-citizen"))
    return client


def present_page(client: Client, license_id: str, fields: list[str]) -> str:
    r = client.post(f"/licenses/{license_id}/present", {"fields": fields})
    assert r.status_code == 302 and "/presentations/" in r["Location"], r.content
    page = client.get(r["Location"])
    assert page.status_code == 200
    return page.content.decode()


def qr_modules(svg: str) -> int:
    """The side of the code in modules, quiet zone included (segno: viewBox = modules x scale)."""
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    scale = re.search(r'transform="scale\((\d+)\)"', svg)
    assert box and box.group(1) == box.group(2)
    return int(box.group(1)) // (int(scale.group(1)) if scale else 1)


def test_the_qr_code_is_a_short_link_sized_by_the_screen(demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    with time_machine.travel(AT, tick=False):
        html = present_page(holder(), lic.license_id, list(lic.data))  # every field
    svg = re.search(
        r'<div class="qr" data-testid="qr" data-url="[^"]+"><svg.*?</svg>', html, re.S
    ).group(0)
    assert 'role="img"' in svg and 'aria-label="亮证二维码' in svg
    assert " width=" not in svg and " height=" not in svg  # the CSS sizes it
    # quiet zone of 4 white modules around a version 5-6 code (37-41 modules), where the whole
    # token made a version 23 code (117 modules, 585 px wide)
    assert qr_modules(svg) <= 41 + 8
    assert '<path fill="#fff" d="M0 0h' in svg
    p = Presentation.objects.get()
    assert f"/licenses/verify/?p={services.presentation_ref(p.nonce)}" in html
    assert len(services.presentation_ref(p.nonce)) == 38
    # the self-contained token stays on the page for copying and offline verification
    assert f"/licenses/verify/?t={p.token}" in html and p.token in html


def test_the_page_states_the_expiry_in_words_counts_down_and_offers_a_fresh_code(demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    with time_machine.travel(AT, tick=False):
        client = holder()
        html = present_page(client, lic.license_id, ["name", "sex"])
    with time_machine.travel(AT + dt.timedelta(seconds=100), tick=False):
        html = client.get(f"/licenses/presentations/{Presentation.objects.get().nonce}/")
        html = html.content.decode()
    # without JavaScript: the time in words; with it: a countdown from the server's seconds left
    assert '有效期至 <time datetime="2026-06-01T18:05:00+08:00">18:05:00</time>' in html
    assert "（5 分钟内有效）" in html
    assert 'data-remaining="200"' in html and 'role="timer"' in html
    assert re.search(r'<script src="/static/licenses/presentation\.js" defer>', html)
    # the fresh code: the same fields presented again
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-refresh-form.*?</form>', html, re.S
    )
    assert form and form.group(1) == f"/licenses/{lic.license_id}/present"
    assert re.findall(r'name="fields" value="(\w+)"', form.group(0)) == ["name", "sex"]
    with time_machine.travel(AT + dt.timedelta(minutes=6), tick=False):
        later = client.get(f"/licenses/presentations/{Presentation.objects.get().nonce}/")
        later = later.content.decode()
        assert 'data-testid="presentation-expired"' in later and "<svg" not in later
        assert "重新生成亮证码" in later
        again = client.post(f"/licenses/{lic.license_id}/present", {"fields": ["name", "sex"]})
    assert again.status_code == 302 and Presentation.objects.count() == 2


def test_the_script_is_served(demo_licenses):
    from django.contrib.staticfiles import finders

    path = finders.find("licenses/presentation.js")
    assert path, "licenses/static/licenses/presentation.js"
    text = Path(path).read_text(encoding="utf-8")
    assert "performance.now" in text and "data-refresh-form" in text


def test_the_short_link_verifies_as_the_token_does(demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    with time_machine.travel(AT, tick=False):
        present_page(holder(), lic.license_id, ["name", "sex"])
    p = Presentation.objects.get()
    ref = services.presentation_ref(p.nonce)
    anonymous = Client()
    with time_machine.travel(AT + dt.timedelta(seconds=30), tick=False):
        html = anonymous.get(f"/licenses/verify/?p={ref}").content.decode()
    assert 'data-testid="verify-valid"' in html and "李明" in html and "男" in html
    assert "天宁北路" not in html and CITIZEN not in html
    use = LicenseUse.objects.get(license=lic, kind="verify")
    assert (use.presentation_id, use.result, use.fields) == (p.id, "ok", ["name", "sex"])
    # after the code's five minutes the link is refused, as the token is
    with time_machine.travel(AT + dt.timedelta(minutes=6), tick=False):
        html = anonymous.get(f"/licenses/verify/?p={ref}").content.decode()
    assert 'data-testid="verify-invalid"' in html and "已过期" in html


def test_a_reference_this_server_did_not_make_is_refused_and_audited(demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    with time_machine.travel(AT, tick=False):
        present_page(holder(), lic.license_id, ["name"])
    p = Presentation.objects.get()
    ref = services.presentation_ref(p.nonce)
    forged = ref[:-4] + ("AAAA" if not ref.endswith("AAAA") else "BBBB")  # the MAC changed
    other = services.presentation_ref("0" * 32)  # a genuine reference to no presentation
    with time_machine.travel(AT + dt.timedelta(seconds=30), tick=False):
        for bad, reason in [
            (forged, "malformed"),
            (other, "unknown_presentation"),
            ("x", "malformed"),
        ]:
            before = AuditRecord.objects.count()
            html = Client().get(f"/licenses/verify/?p={bad}").content.decode()
            assert 'data-testid="verify-invalid"' in html and "李明" not in html
            assert services.REASONS[reason] in html
            record = AuditRecord.objects.order_by("-id").first()
            assert AuditRecord.objects.count() == before + 1
            assert (record.action, record.after["reason"]) == ("licenses.verify", reason)
    assert not LicenseUse.objects.filter(kind="verify").exists()
    assert services.presentation_nonce_of_ref(forged) is None
    assert services.presentation_nonce_of_ref(ref) == p.nonce


def test_the_api_gives_the_short_link_and_verifies_it(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    with time_machine.travel(AT, tick=False):
        r = api.call(
            "POST",
            f"/api/v1/licenses/{lic.license_id}/presentations",
            who="demo-citizen",
            json_body={"fields": ["name"]},
        )
        assert r.status_code == 201, r.content
        out = r.json()
        ref = services.presentation_ref(Presentation.objects.get().nonce)
        assert out["qr_url"] == f"http://testserver/licenses/verify/?p={ref}"
        assert out["verify_url"].endswith("/licenses/verify/?t=" + out["token"])
        for scanned in (out["qr_url"], ref, out["token"]):
            body = api.call("POST", "/api/v1/licenses/verify", json_body={"token": scanned}).json()
            assert (body["valid"], body["fields"]) == (True, {"name": "李明"}), scanned
