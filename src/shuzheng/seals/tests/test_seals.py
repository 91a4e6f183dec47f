"""Seals in the database: made on first use, rotated, revoked, published; PAdES."""

import datetime as dt
import io

import pytest
import time_machine
from reportlab.pdfgen import canvas

from shuzheng.audit.models import AuditRecord
from shuzheng.core.errors import NotFound
from shuzheng.seals import crypto, facade, services
from shuzheng.seals.models import Seal

pytestmark = pytest.mark.django_db
DEPT = "441200-MZJ"


def _pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    c.drawString(100, 700, "hello")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_first_signature_makes_the_seal_once_and_audits_it():
    before = AuditRecord.objects.filter(action="seals.create").count()
    a = facade.sign(DEPT, b"one")
    b = facade.sign(DEPT, b"two")
    assert a.key_id == b.key_id
    seal = Seal.objects.get(department_code=DEPT, algorithm=crypto.SM2_SM3)
    assert seal.status == "active"
    assert seal.name == "肇庆市民政局电子证照专用章"
    assert seal.private_key_enc.startswith("v1.")
    assert len(bytes(seal.public_key_der)) == 91
    assert (
        "肇" in seal.image_svg and 'role="img"' in seal.image_svg and "style=" not in seal.image_svg
    )
    assert AuditRecord.objects.filter(action="seals.create").count() == before + 1
    assert facade.verify(a.key_id, b"one", a.signature).valid


def test_unknown_department_has_no_seal():
    with pytest.raises(NotFound):
        facade.sign("000000-XXX", b"x")


def test_rotation_keeps_old_signatures_verifiable():
    old = facade.sign(DEPT, b"licence v1")
    new_seal = services.seal_rotate(department_code=DEPT, algorithm=crypto.SM2_SM3, actor="t")
    new = facade.sign(DEPT, b"licence v2")
    assert new.key_id == new_seal.key_id != old.key_id
    assert Seal.objects.get(key_id=old.key_id).status == "retired"
    assert facade.verify(old.key_id, b"licence v1", old.signature).valid
    assert facade.verify(new.key_id, b"licence v2", new.signature).valid
    assert not facade.verify(new.key_id, b"licence v1", old.signature).valid
    assert AuditRecord.objects.filter(action="seals.rotate", object_id=new_seal.seal_id).exists()


def test_revoked_key_no_longer_verifies():
    sig = facade.sign(DEPT, b"x")
    services.seal_revoke(key_id=sig.key_id, actor="t", reason="私钥泄露")
    out = facade.verify(sig.key_id, b"x", sig.signature)
    assert (out.valid, out.reason) == (False, "key_revoked")
    assert facade.sign(DEPT, b"y").key_id != sig.key_id  # a new seal is made


def test_verify_names_the_reason():
    sig = facade.sign(DEPT, b"x")
    assert facade.verify("0" * 16, b"x", sig.signature).reason == "unknown_key"
    assert facade.verify(sig.key_id, b"y", sig.signature).reason == "bad_signature"
    assert (
        facade.verify(sig.key_id, b"x", sig.signature, department_code="441200-GAJ").reason
        == "wrong_department"
    )
    assert facade.verify(sig.key_id, b"x", sig.signature, algorithm="ED25519").reason == (
        "bad_signature"
    )


def test_expired_seal_is_renewed_and_the_old_one_retired():
    first = facade.sign(DEPT, b"x")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 6), tick=False):
        second = facade.sign(DEPT, b"x")
    assert second.key_id != first.key_id
    assert Seal.objects.get(key_id=first.key_id).status == "retired"
    assert facade.verify(first.key_id, b"x", first.signature).valid


@pytest.mark.parametrize("algorithm", [crypto.ED25519, crypto.ECDSA_P256])
def test_alternative_suites(algorithm):
    sig = facade.sign(DEPT, b"x", algorithm=algorithm)
    assert sig.algorithm == algorithm
    assert facade.verify(sig.key_id, b"x", sig.signature).valid


def test_pades_signature_is_valid_and_tampering_is_detected():
    signed, kid = facade.sign_pdf(DEPT, _pdf(), reason="测试", location="肇庆")
    ok = facade.verify_pdf(signed)
    assert (ok.valid, ok.reason, ok.key_id, ok.department_code) == (True, "ok", kid, DEPT)
    i = signed.index(b"hello")
    tampered = signed[:i] + b"jello" + signed[i + 5 :]
    assert facade.verify_pdf(tampered).reason in ("modified", "bad_signature")
    assert not facade.verify_pdf(tampered).valid
    assert facade.verify_pdf(_pdf()).reason == "no_signature"
    assert facade.verify_pdf(b"not a pdf").reason == "malformed"
    appended = signed + b"\n% appended after signing\n"
    assert not facade.verify_pdf(appended).valid


def test_pades_from_another_key_is_untrusted():
    from asn1crypto import keys, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from shuzheng.seals import certs

    private, _ = crypto.generate(crypto.ECDSA_P256)
    now = dt.datetime.now(dt.UTC)
    der = certs.self_signed(
        private_der=private,
        department_name="肇庆市民政局",
        department_uscc="11441200MB0000001X",
        seal_name="伪造印章",
        not_before=now,
        not_after=now + dt.timedelta(days=1),
    )
    cert = x509.Certificate.load(der)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=keys.PrivateKeyInfo.load(private),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(_pdf())),
        signers.PdfSignatureMetadata(field_name="X", subfilter=SigSeedSubFilter.PADES),
        signer=signer,
    )
    assert facade.verify_pdf(out.getvalue()).reason == "untrusted"


# --- API -------------------------------------------------------------------------------------


def test_public_key_endpoint_serves_the_active_key_and_old_ones_by_id(client):
    old = facade.sign(DEPT, b"x")
    r = client.get(f"/api/v1/seals/{DEPT}/public-key")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/x-pem-file")
    assert r["X-Seal-Key-Id"] == old.key_id
    assert r.content.decode().startswith("-----BEGIN PUBLIC KEY-----")
    services.seal_rotate(department_code=DEPT, algorithm=crypto.SM2_SM3, actor="t")
    assert client.get(f"/api/v1/seals/{DEPT}/public-key")["X-Seal-Key-Id"] != old.key_id
    r = client.get(f"/api/v1/seals/{DEPT}/public-key?key_id={old.key_id}")
    assert r["X-Seal-Key-Id"] == old.key_id and r["X-Seal-Status"] == "retired"
    assert client.get("/api/v1/seals/000000-XXX/public-key").status_code == 404


def test_seal_detail_certificate_and_image(client):
    facade.sign(DEPT, b"x")
    facade.sign(DEPT, b"x", algorithm=crypto.ECDSA_P256)
    body = client.get(f"/api/v1/seals/{DEPT}").json()
    assert body["department_name"] == "肇庆市民政局"
    assert body["signer_id"] == "1234567812345678"
    assert {k["algorithm"] for k in body["keys"]} == {crypto.SM2_SM3, crypto.ECDSA_P256}
    cert = client.get(f"/api/v1/seals/{DEPT}/certificate")
    assert cert.status_code == 200 and b"BEGIN CERTIFICATE" in cert.content
    img = client.get(f"/api/v1/seals/{DEPT}/image.svg")
    assert img["Content-Type"].startswith("image/svg+xml")
    assert "肇庆市民政局".encode() in img.content or b"&#" in img.content


@pytest.mark.parametrize(
    ("who", "dept", "status"),
    [
        (None, DEPT, 401),
        ("demo-citizen", DEPT, 403),
        ("demo-clerk", DEPT, 403),  # window clerk, not head
        ("demo-head", "441200-GAJ", 403),  # head of MZJ and ZSJ only
        ("demo-head", DEPT, 201),
        ("demo-admin", DEPT, 201),
        ("client:demo-mz-system", DEPT, 403),
    ],
)
def test_rotate_permissions(api, who, dept, status):
    facade.sign(dept, b"x")
    before = set(Seal.objects.values_list("key_id", flat=True))
    r = api.call("POST", f"/api/v1/seals/{dept}/rotate", who=who, json_body={})
    assert r.status_code == status, r.content
    after = set(Seal.objects.values_list("key_id", flat=True))
    if status == 201:
        assert r.json()["key_id"] in after - before
    else:
        assert after == before
