"""The licences API: permission matrix per endpoint, presentation and verification, tamper
tests, and independent checks (OpenSSL 3, offline verification with only the PEM)."""

import base64
import datetime as dt
import json
import shutil
import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import User
from shuzheng.licenses import offline, tokens
from shuzheng.licenses.models import License, LicenseUse, Presentation
from shuzheng.licenses.services.pdffiles import pdf_bytes
from shuzheng.licenses.tests.conftest import AGENT, CITIZEN, ELDER, ENTERPRISE

pytestmark = pytest.mark.django_db


def _openssl_has_sm2() -> bool:
    if not shutil.which("openssl"):
        return False
    out = subprocess.run(
        ["openssl", "list", "-public-key-algorithms"], capture_output=True, text=True, check=False
    ).stdout
    return "SM2" in out


# --- wallet -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        (None, 401, None),
        ("demo-citizen", 200, {(CITIZEN, "居民身份证"), (CITIZEN, "居民户口簿")}),
        ("demo-elder", 200, {(ELDER, "居民身份证"), (ELDER, "居民户口簿")}),
        (
            "demo-agent",
            200,
            {(AGENT, "居民身份证"), (ENTERPRISE, "营业执照"), (ENTERPRISE, "食品经营许可证")},
        ),
        ("demo-hotline", 200, set()),  # staff without a role in an issuing department
        ("client:demo-mz-system", 200, set()),  # MZJ issued none of the demo licences
        ("client:demo-bank", 200, set()),
    ],
)
def test_wallet_matrix(api, demo_licenses, who, status, expected):
    r = api.call("GET", "/api/v1/licenses", who=who)
    assert r.status_code == status, r.content
    if expected is not None:
        assert {(x["holder"]["id"], x["type_name"]) for x in r.json()} == expected


def test_wallet_for_staff_lists_their_departments_issues(api, demo_licenses):
    # demo-clerk is a window clerk in every Zhaoqing city department (GAJ and SCJGJ issued)
    r = api.call("GET", "/api/v1/licenses?type_name=营业执照", who="demo-clerk")
    assert [x["holder"]["id"] for x in r.json()] == [ENTERPRISE]


# --- detail, PDF, history: who may read ------------------------------------------------------

READERS = [
    (None, 401, ""),
    ("demo-citizen", 200, "full"),  # the holder
    ("demo-elder", 404, ""),  # another citizen
    ("demo-agent", 404, ""),  # another citizen (agent of an unrelated enterprise)
    ("demo-clerk", 200, "full"),  # handling staff of the issuing department (441200-GAJ)
    # the issuing department's data officer and the platform administrator keep the register,
    # not the person: they see the licence masked (issue 16 item 3)
    ("demo-dataofficer", 200, "masked"),
    ("demo-hotline", 404, ""),  # staff without such a role
    ("demo-admin", 200, "masked"),  # platform administrator
    ("client:demo-mz-system", 404, ""),  # government client of another department
    ("client:demo-bank", 404, ""),  # outside client
]


@pytest.mark.parametrize(("who", "status", "view"), READERS)
def test_detail_matrix(api, demo_licenses, who, status, view):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call("GET", f"/api/v1/licenses/{lic.license_id}", who=who)
    assert r.status_code == status, r.content
    if status == 404:
        assert r.json()["code"] == "not_found"
    if status != 200:
        return
    body = r.json()
    assert body["license_id"] == lic.license_id
    assert body["type_code"] == lic.license_type.code
    assert body["status"] == "valid"
    assert body["issuer"]["department_code"] == "441200-GAJ"
    assert body["signature"]["algorithm"] == "SM2-SM3"
    assert base64.b64decode(body["signature"]["signature_b64"]) == bytes(lic.signature)
    pdf = api.call("GET", f"/api/v1/licenses/{lic.license_id}/pdf", who=who)
    if view == "full":
        assert body["holder"] == {"kind": "person", "id": CITIZEN, "name": "李明"}
        assert body["data"]["address"] == "广东省肇庆市端州区城东街道天宁北路12号"
        payload = base64.b64decode(body["signature"]["signed_payload_b64"])
        assert json.loads(payload)["license_id"] == lic.license_id
        assert pdf.status_code == 200
    else:
        assert body["holder"] == {"kind": "person", "id": "441202********0317", "name": "李*"}
        assert body["data"]["id_number"] == "441202********0317"
        address = "广东省肇庆市端州区城东街道天宁北路12号"
        assert body["data"]["address"] == "广" + "*" * (len(address) - 1)
        assert CITIZEN not in r.content.decode()  # nor in the signed original
        assert body["signature"]["signed_payload_b64"] == ""
        assert pdf.status_code == 403
        listed = api.call("GET", "/api/v1/licenses?limit=1000", who=who).json()
        assert CITIZEN not in str(listed) and "李明" not in str(listed)
    if who != "demo-citizen":
        assert AuditRecord.objects.filter(
            action="licenses.read_detail", object_id=lic.license_id
        ).exists()


def test_uses_are_masked_for_readers_who_see_the_licence_masked(api, demo_licenses, client):
    """The 用证记录 name the holder (his 亮证, his applications): the issuing department's data
    officer and the platform admin, who see the licence masked, see them masked too — by the
    API and on the page, which also showed an ID card's number in full (both found by the
    permission matrix, tests/test_permission_matrix.py)."""
    lic = demo_licenses(CITIZEN, "居民身份证")
    shown = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who="demo-citizen",
        json_body={"fields": ["name"]},
    )
    assert shown.status_code == 201
    LicenseUse.objects.create(
        license=lic,
        kind="use",
        actor="user:demo-citizen",
        actor_name="李明",
        purpose="免证办：补领婚姻登记证",
        case_no="BJ44120020260601000001",
        result="used",
        at=timezone.now(),
    )
    path = f"/api/v1/licenses/{lic.license_id}/history"
    own = api.call("GET", path, who="demo-citizen").json()["uses"]
    assert {(u["actor"], u["actor_name"]) for u in own} == {("user:demo-citizen", "李明")}
    assert {u["case_no"] for u in own} == {"", "BJ44120020260601000001"}
    for who in ("demo-dataofficer", "demo-admin"):
        r = api.call("GET", path, who=who)
        uses = r.json()["uses"]
        assert [u["kind"] for u in uses] == [u["kind"] for u in own]  # the same uses …
        assert {u["actor_name"] for u in uses} == {"李*"}  # … masked
        assert {u["case_no"] for u in uses} == {""}
        assert all(u["purpose"][1:] == "*" * (len(u["purpose"]) - 1) for u in uses)
        for text in ("李明", "demo-citizen", "补领婚姻登记证", "BJ44120020260601000001"):
            assert text not in r.content.decode(), (who, text)
        client.force_login(User.objects.get(username=who))
        page = client.get(f"/licenses/{lic.license_id}/").content.decode()
        assert 'data-testid="use-present"' in page and "李明" not in page
        assert CITIZEN not in page  # nor the ID card's number, which is his ID number
    clerk = api.call("GET", path, who="demo-clerk").json()["uses"]  # handling staff: in full
    assert {u["actor_name"] for u in clerk} == {"李明"}


def test_enterprise_license_is_visible_to_its_agent(api, demo_licenses):
    lic = demo_licenses(ENTERPRISE, "营业执照")
    assert (
        api.call("GET", f"/api/v1/licenses/{lic.license_id}", who="demo-agent").status_code == 200
    )
    r = api.call("GET", f"/api/v1/licenses/{lic.license_id}", who="demo-citizen")
    assert r.status_code == 404


@pytest.mark.parametrize(("who", "status", "view"), READERS)
def test_pdf_matrix(api, demo_licenses, who, status, view):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call("GET", f"/api/v1/licenses/{lic.license_id}/pdf", who=who)
    if view == "masked":  # the PDF holds the person's data in clear
        status = 403
    assert r.status_code == status
    if status == 200:
        assert r["Content-Type"] == "application/pdf"
        assert r.content == pdf_bytes(lic)
        assert "attachment" in r["Content-Disposition"]


@pytest.mark.parametrize(("who", "status", "view"), READERS)
def test_history_matrix(api, demo_licenses, who, status, view):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call("GET", f"/api/v1/licenses/{lic.license_id}/history", who=who)
    assert r.status_code == status
    if status == 200:
        assert r.json()["events"][0]["action"] == "issue"


def test_unknown_license_is_404(api, demo_licenses):
    r = api.call("GET", "/api/v1/licenses/1.2.156.3005.2.X", who="demo-admin")
    assert r.status_code == 404


# --- presentations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 201),
        ("demo-elder", 404),
        ("demo-clerk", 403),  # may read it, but only the holder presents
        ("demo-admin", 403),
        ("client:demo-mz-system", 404),
    ],
)
def test_present_matrix(api, demo_licenses, who, status):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who=who,
        json_body={"fields": ["name", "sex"]},
    )
    assert r.status_code == status, r.content
    assert Presentation.objects.count() == (1 if status == 201 else 0)


def present(api, lic, fields=("name", "sex"), who="demo-citizen", **extra):
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who=who,
        json_body={"fields": list(fields), **extra},
    )
    assert r.status_code == 201, r.content
    return r.json()


def verify(api, token, who=None, purpose=""):
    r = api.call(
        "POST", "/api/v1/licenses/verify", who=who, json_body={"token": token, "purpose": purpose}
    )
    assert r.status_code == 200, r.content
    return r.json()


def test_presentation_shows_only_the_chosen_fields(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    at = dt.datetime(2026, 6, 1, 10, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        out = present(api, lic)
    assert out["token"].startswith("SZP1.")
    assert out["qr_svg"].startswith("<svg") and 'role="img"' in out["qr_svg"]
    assert out["verify_url"].endswith("/licenses/verify/?t=" + out["token"])
    assert dt.datetime.fromisoformat(out["expires_at"]) == at + dt.timedelta(minutes=5)
    with time_machine.travel(at + dt.timedelta(seconds=30), tick=False):
        body = verify(api, out["token"], purpose="酒店入住登记")
    assert body["valid"] is True and body["reason"] == "ok"
    assert body["license_id"] == lic.license_id
    assert body["fields"] == {"name": "李明", "sex": "男"}
    assert body["labels"] == {"name": "姓名", "sex": "性别"}
    assert "441202" not in json.dumps(body)  # the ID number and address were not disclosed
    use = LicenseUse.objects.get(license=lic, kind="verify")
    assert (use.actor, use.purpose, use.result, use.fields) == (
        "anonymous",
        "酒店入住登记",
        "ok",
        ["name", "sex"],
    )
    assert AuditRecord.objects.filter(action="licenses.present", object_id=lic.license_id).exists()
    assert AuditRecord.objects.filter(action="licenses.verify", object_id=lic.license_id).exists()


def test_the_holders_history_shows_the_verification_by_name(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    out = present(api, lic)
    verify(api, out["token"], who="client:demo-mz-system", purpose="婚姻登记核验身份")
    uses = api.call("GET", f"/api/v1/licenses/{lic.license_id}/history", who="demo-citizen")
    kinds = [(u["kind"], u["actor_name"], u["purpose"]) for u in uses.json()["uses"]]
    assert ("verify", "肇庆市民政业务系统（演示）", "婚姻登记核验身份") in kinds
    assert kinds[-1][0] == "present"


@pytest.mark.parametrize(
    ("fields", "field"),
    [(["name", "blood_type"], "fields.1"), (["name", "name"], "fields")],
)
def test_bad_fields_are_refused(api, demo_licenses, fields, field):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who="demo-citizen",
        json_body={"fields": fields},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    assert Presentation.objects.count() == 0


def test_ttl_bounds(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who="demo-citizen",
        json_body={"fields": ["name"], "ttl_seconds": 3600},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ttl_seconds"


def _flip(text: str, i: int) -> str:
    c = text[i]
    return text[:i] + ("B" if c != "B" else "C") + text[i + 1 :]


def test_a_changed_byte_in_the_token_fails_with_the_reason(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    token = present(api, lic)["token"]
    prefix, payload, sig = token.split(".")
    # change one disclosed value but keep the form valid: the signature no longer matches
    doc = json.loads(tokens.b64d(payload))
    doc["f"]["name"] = "李四"
    forged = f"{prefix}.{tokens.b64e(json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(',', ':')).encode())}.{sig}"  # noqa: E501
    assert verify(api, forged)["reason"] == "bad_signature"
    assert verify(api, f"{prefix}.{payload}.{_flip(sig, 20)}")["reason"] == "bad_signature"
    assert verify(api, f"{prefix}.{_flip(payload, 30)}.{sig}")["reason"] in (
        "malformed",
        "bad_signature",
    )
    for junk in ("", "hello", "SZP1.x.y", token + "x", token.replace("SZP1", "SZP2")):
        body = verify(api, junk)
        assert (body["valid"], body["fields"]) == (False, {})
    assert verify(api, token)["valid"]  # the genuine token still passes
    assert (
        LicenseUse.objects.filter(license=lic, kind="verify", result="bad_signature").count() == 0
    )
    assert AuditRecord.objects.filter(action="licenses.verify").count() >= 9


def test_expired_token_and_replay_after_expiry_are_refused(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        out = present(api, lic, ttl_seconds=60)
        assert verify(api, out["token"])["valid"]
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert verify(api, out["token"])["valid"]  # replay within the minute: fine
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        body = verify(api, out["token"])
        assert (body["valid"], body["reason"], body["fields"]) == (False, "token_expired", {})
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        assert verify(api, out["token"])["reason"] == "token_expired"


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("revoke", "license_revoked"),
        ("cancel", "license_revoked"),
        ("suspend", "license_suspended"),
    ],
)
def test_revoked_or_suspended_license_is_refused(api, demo_licenses, action, reason):
    lic = demo_licenses(CITIZEN, "居民身份证")
    token = present(api, lic)["token"]
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/status",
        who="demo-reviewer",
        json_body={"action": action, "reason": "依法处理"},
    )
    assert r.status_code == 200, r.content
    body = verify(api, token)
    assert (body["valid"], body["reason"], body["fields"]) == (False, reason, {})
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/presentations",
        who="demo-citizen",
        json_body={"fields": ["name"]},
    )
    assert r.status_code == 409


def test_expired_license_is_refused(api, demo_licenses):
    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    token = present(api, lic, fields=["name"], who="demo-agent")["token"]
    # the licence's end date passes while the token is still fresh (status not yet updated)
    License.objects.filter(pk=lic.pk).update(valid_until=dt.date(2020, 1, 1))
    assert verify(api, token)["reason"] == "license_expired"


def test_rotation_keeps_presented_tokens_verifiable(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    token = present(api, lic)["token"]
    r = api.call("POST", "/api/v1/seals/441200-GAJ/rotate", who="demo-admin", json_body={})
    assert r.status_code == 201
    assert verify(api, token)["valid"]
    assert present(api, lic)["token"] != token


# --- status changes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),  # the holder cannot revoke
        ("demo-elder", 404),
        ("demo-clerk", 403),  # window clerk: may read, not change
        ("demo-reviewer", 200),
        ("demo-admin", 200),
        ("client:demo-mz-system", 404),
    ],
)
def test_status_matrix(api, demo_licenses, who, status):
    lic = demo_licenses(CITIZEN, "居民身份证")
    r = api.call(
        "POST",
        f"/api/v1/licenses/{lic.license_id}/status",
        who=who,
        json_body={"action": "suspend", "reason": "证件挂失"},
    )
    assert r.status_code == status, r.content
    lic.refresh_from_db()
    assert lic.status == ("suspended" if status == 200 else "valid")


# --- import --------------------------------------------------------------------------------------

CSV = (
    "证照类型,持证主体类型,持证主体代码,持证主体名称,颁发部门,姓名,公民身份号码,资格名称,专业,级别,"
    "评审通过时间,证书编号\n"
    f"职称证书,person,{ELDER},陈桂英,441200-RSJ,陈桂英,{ELDER},高级会计师,会计,副高级,"
    "1995-12-01,Z441200199500012\n"
)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),
        # staff without an issuing role anywhere are refused outright (permission matrix)
        ("demo-hotline", 403),
        ("demo-dataofficer", 403),
        ("demo-head", 422),  # an issuing role, but not in 441200-RSJ: that row's error
        ("demo-clerk", 201),
        ("demo-admin", 201),
    ],
)
def test_import_matrix(api, demo_licenses, who, status):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"} if who else {}
    before = License.objects.count()
    r = api.client.post(
        "/api/v1/licenses/import",
        {"file": SimpleUploadedFile("zc.csv", CSV.encode(), "text/csv")},
        **headers,
    )
    assert r.status_code == status, r.content
    assert License.objects.count() == before + (1 if status == 201 else 0)
    if status == 422:
        assert r.json()["errors"][0]["field"] == "rows.2.department_code"


# --- PDF verification ---------------------------------------------------------------------------


def test_verify_pdf_and_a_changed_byte(api, demo_licenses):
    lic = demo_licenses(CITIZEN, "居民身份证")
    pdf = pdf_bytes(lic)
    r = api.client.post(
        "/api/v1/licenses/verify-pdf", {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")}
    )
    assert r.json()["valid"] and r.json()["license_id"] == lic.license_id
    i = pdf.index(b"/Title")  # inside the signed byte range
    changed = pdf[:i] + b"/Titlf" + pdf[i + 6 :]
    r = api.client.post(
        "/api/v1/licenses/verify-pdf",
        {"file": SimpleUploadedFile("a.pdf", changed, "application/pdf")},
    )
    body = r.json()
    assert body["valid"] is False and body["reason"] == "bad_signature"
    assert "PDF" in body["message"]


# --- independent checks ---------------------------------------------------------------------


@pytest.mark.skipif(not _openssl_has_sm2(), reason="system OpenSSL lacks SM2")
def test_openssl_verifies_an_issued_license_with_the_published_key(api, demo_licenses, tmp_path):
    lic = demo_licenses(CITIZEN, "居民身份证")
    body = api.call("GET", f"/api/v1/licenses/{lic.license_id}", who="demo-citizen").json()
    pem = api.client.get("/api/v1/seals/441200-GAJ/public-key")
    assert pem.status_code == 200
    (tmp_path / "pub.pem").write_bytes(pem.content)
    (tmp_path / "payload").write_bytes(base64.b64decode(body["signature"]["signed_payload_b64"]))
    (tmp_path / "sig").write_bytes(base64.b64decode(body["signature"]["signature_b64"]))
    cmd = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
        "-rawin", "-in", str(tmp_path / "payload"), "-sigfile", str(tmp_path / "sig"),
        "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
    ]  # fmt: skip
    ok = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout, ok.stderr
    text = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(tmp_path / "pub.pem"), "-text", "-noout"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ASN1 OID: SM2" in text
    payload = (tmp_path / "payload").read_bytes()
    (tmp_path / "payload").write_bytes(payload.replace("李明".encode(), "李四".encode()))
    bad = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert bad.returncode != 0


@pytest.mark.skipif(not _openssl_has_sm2(), reason="system OpenSSL lacks SM2")
def test_openssl_verifies_a_presentation_token(api, demo_licenses, tmp_path):
    lic = demo_licenses(CITIZEN, "居民户口簿")
    token = present(api, lic, fields=["household_no"])["token"]
    _, payload, sig = token.split(".")
    pem = api.client.get("/api/v1/seals/441200-GAJ/public-key").content
    (tmp_path / "pub.pem").write_bytes(pem)
    (tmp_path / "payload").write_bytes(tokens.b64d(payload))
    (tmp_path / "sig").write_bytes(tokens.b64d(sig))
    ok = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(tmp_path / "pub.pem"),
            "-rawin",
            "-in",
            str(tmp_path / "payload"),
            "-sigfile",
            str(tmp_path / "sig"),
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr


def test_offline_verification_with_only_the_pem(api, demo_licenses, django_db_blocker):
    lic = demo_licenses(CITIZEN, "居民身份证")
    out = present(api, lic, fields=["name", "birth_date"])
    pem = api.client.get("/api/v1/seals/441200-GAJ/public-key").content.decode()
    detail = api.call("GET", f"/api/v1/licenses/{lic.license_id}", who="demo-citizen").json()
    payload = base64.b64decode(detail["signature"]["signed_payload_b64"])
    signature = base64.b64decode(detail["signature"]["signature_b64"])
    token = out["token"]
    prefix, p, s = token.split(".")
    with django_db_blocker.block():  # no database from here on: only the PEM
        good = offline.verify_token(token, pem)
        assert good["valid"] and good["fields"] == {"name": "李明", "birth_date": "1990-05-12"}
        assert good["license_id"] == lic.license_id
        assert (
            offline.verify_token(f"{prefix}.{p}.{_flip(s, 10)}", pem)["reason"] == "bad_signature"
        )
        assert offline.verify_token("garbage", pem)["reason"] == "malformed"
        late = dt.datetime.now(dt.UTC).timestamp() + 3600
        assert offline.verify_token(token, pem, now=late)["reason"] == "token_expired"
        assert offline.verify_signature(payload, signature, pem)
        assert not offline.verify_signature(payload + b" ", signature, pem)


def test_public_key_endpoint_is_public_and_standard(client, demo_licenses):
    r = client.get("/api/v1/seals/441200-GAJ/public-key")
    assert r.status_code == 200
    assert r.content.startswith(b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE")


def test_types_endpoint_is_public(client, demo_licenses):
    body = client.get("/api/v1/licenses/types").json()
    assert len(body) == 31
    card = next(t for t in body if t["name"] == "居民身份证")
    assert {"name": "id_number", "label": "公民身份号码"} in card["fields"]
