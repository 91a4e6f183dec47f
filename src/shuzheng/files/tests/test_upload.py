"""POST /api/v1/files end to end (issue 16 item 9): every refused upload is a 422 naming
``file`` in Chinese with nothing stored — no row, no bytes in storage, no audit record — and
good files are stored as checked, under a clean name; the virus-scan hook refuses what it
finds (audited) and fails closed (503) when it cannot answer."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from shuzheng.audit.models import AuditRecord
from shuzheng.files import facade
from shuzheng.files.models import StoredFile
from shuzheng.files.services import images, pdfs
from shuzheng.files.tests import samples
from shuzheng.files.tests.fake_clamd import EICAR, FakeClamd

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(api):
    api.token("demo-citizen")  # log in first: logging in writes audit records of its own
    return api


def upload(api, data: bytes, name: str = "scan.pdf", declared: str = "application/pdf"):
    return api.client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile(name, data, declared)},
        HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
    )


def stored_bytes(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


class Unchanged:
    """Nothing stored: no row, no bytes, no audit record (or exactly ``audited`` more)."""

    def __init__(self, media: Path) -> None:
        self.media = media
        self.rows = StoredFile.objects.count()
        self.audit = AuditRecord.objects.count()

    def check(self, audited: int = 0) -> None:
        assert StoredFile.objects.count() == self.rows
        assert stored_bytes(self.media) == []
        assert AuditRecord.objects.count() == self.audit + audited


def refused(response, message: str) -> None:
    assert response.status_code == 422, response.content
    assert response.json() == {
        "code": "validation_error",
        "message": message,
        "errors": [{"field": "file", "message": message}],
    }


# The cases, and their neighbours.
BAD = {
    "PDF header + HTML": (lambda: b"%PDF-1.7\n" + samples.HTML, pdfs.BROKEN),
    "PDF header + PE": (lambda: b"%PDF-1.7\n" + samples.pe_executable(), pdfs.BROKEN),
    "truncated PDF": (lambda: samples.pdf(2)[:-250], pdfs.BROKEN),
    "PDF + HTML after %%EOF": (lambda: samples.pdf() + samples.HTML, pdfs.TRAILING),
    "PDF + PE after %%EOF": (lambda: samples.pdf() + samples.pe_executable(), pdfs.TRAILING),
    "PDF with HTML between objects": (
        lambda: samples.hidden_between_objects(samples.pdf(), samples.HTML),
        pdfs.FOREIGN,
    ),
    "PDF with JavaScript": (
        lambda: samples.with_open_action(samples.javascript_action()),
        pdfs.ACTIVE,
    ),
    "PDF with an embedded file": (samples.with_embedded_file, pdfs.ACTIVE),
    "encrypted PDF": (samples.encrypted_pdf, pdfs.ENCRYPTED),
    "PNG bomb": (
        lambda: samples.png_bomb(20_000, 20_000),
        "图片像素过多（20000×20000，上限 4000 万像素），请缩小后上传。",
    ),
    "truncated PNG": (lambda: samples.png()[:-50], images.BROKEN),
    "truncated JPEG": (lambda: samples.jpeg()[:-50], images.BROKEN),
}


@pytest.mark.parametrize(("make", "message"), BAD.values(), ids=BAD.keys())
def test_a_bad_file_is_refused_and_nothing_is_stored(citizen, media, make, message):
    before = Unchanged(media)
    refused(upload(citizen, make()), message)
    before.check()


def test_a_name_with_markup_is_stored_clean(citizen, media):
    data = samples.pdf()
    r = upload(citizen, data, name='"><img src=x onerror=alert(1)>申请表.pdf')
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "img src=x onerror=alert(1)申请表.pdf"
    row = StoredFile.objects.get(pk=body["file_id"])
    assert row.name == body["name"]
    record = AuditRecord.objects.filter(action="files.upload", object_id=body["file_id"]).get()
    assert record.after["name"] == body["name"]
    assert not set(row.name) & set("<>\"'&")


GOOD = {
    "reportlab PDF": (lambda: samples.pdf(2), "application/pdf", "scan.pdf"),
    "signed PDF": (samples.signed_pdf, "application/pdf", "scan.pdf"),
    "PDF with object streams": (
        lambda: samples.pyhanko_pdf(xref_stream=True, pages=2),
        "application/pdf",
        "scan.pdf",
    ),
    "PNG": (lambda: samples.png(), "image/png", "scan.png"),  # named .pdf, content PNG
    "JPEG": (lambda: samples.jpeg(), "image/jpeg", "scan.jpg"),
    "progressive JPEG": (lambda: samples.jpeg(progressive=True), "image/jpeg", "scan.jpg"),
}


@pytest.mark.parametrize(("make", "ctype", "name"), GOOD.values(), ids=GOOD.keys())
def test_a_good_file_is_stored_as_uploaded(citizen, media, make, ctype, name):
    data = make()
    r = upload(citizen, data, name="scan.pdf")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body | {"file_id": ""} == {
        "file_id": "",
        "name": name,
        "content_type": ctype,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    row = StoredFile.objects.get(pk=body["file_id"])
    assert row.path.endswith(name[name.rindex(".") :])
    with default_storage.open(row.path) as fh:
        assert fh.read() == data
    assert stored_bytes(media) == [media / row.path]
    assert facade.file_for_owner(body["file_id"], "user:demo-citizen") is not None


def test_a_jpeg_is_stored_without_what_followed_it(citizen, media):
    photo = samples.jpeg()
    received = photo + samples.HTML
    r = upload(citizen, received, name="photo.jpg", declared="image/jpeg")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["size"], body["sha256"]) == (len(photo), hashlib.sha256(photo).hexdigest())
    row = StoredFile.objects.get(pk=body["file_id"])
    with default_storage.open(row.path) as fh:
        assert fh.read() == photo
    record = AuditRecord.objects.get(action="files.upload", object_id=body["file_id"])
    assert record.after["size"] == len(photo) and record.after["received_size"] == len(received)


# --- the virus-scan hook ------------------------------------------------------------------------


@pytest.fixture
def clamd(settings):
    with tempfile.TemporaryDirectory(prefix="clamd") as d:
        server = FakeClamd(unix_path=Path(d) / "clamd.sock")
        settings.UPLOAD_SCANNER = f"clamd:{server.address}"
        yield server
        server.close()


def png_carrying(text: bytes) -> bytes:
    """A valid PNG with ``text`` in a tEXt chunk (the bytes a scanner sees, a picture that
    passes every structural check)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode("latin-1"))
    image = Image.new("RGB", (40, 30), "white")
    import io

    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def test_a_clean_file_is_scanned_then_stored(citizen, media, clamd):
    data = samples.jpeg((800, 600))  # several INSTREAM chunks
    r = upload(citizen, data, name="photo.jpg", declared="image/jpeg")
    assert r.status_code == 201, r.content
    assert clamd.received == [data]


def test_an_infected_file_is_refused_audited_and_not_stored(citizen, media, clamd):
    data = png_carrying(EICAR)
    before = Unchanged(media)
    r = upload(citizen, data, name="证件<b>扫描.png", declared="image/png")
    refused(r, "文件未通过安全检查。")
    before.check(audited=1)
    record = AuditRecord.objects.latest("id")
    assert (record.action, record.actor, record.object_type, record.object_id) == (
        "files.upload_refused",
        "user:demo-citizen",
        "files.upload",
        hashlib.sha256(data).hexdigest(),
    )
    assert record.after == {
        "reason": "virus_scan",
        "signature": "Eicar-Test-Signature",
        "name": "证件b扫描.png",
        "content_type": "image/png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def test_the_scanner_sees_what_is_cut_from_a_jpeg(citizen, media, clamd):
    before = Unchanged(media)
    refused(upload(citizen, samples.jpeg() + EICAR, name="x.jpg"), "文件未通过安全检查。")
    before.check(audited=1)


def test_an_unreachable_scanner_refuses_with_503(citizen, media, settings):
    settings.UPLOAD_SCANNER = "clamd:/nonexistent/clamd.sock"
    before = Unchanged(media)
    r = upload(citizen, samples.pdf())
    assert r.status_code == 503
    assert r.json() == {
        "code": "service_unavailable",
        "message": "文件安全检查服务暂时不可用，请稍后再试。",
        "errors": [],
    }
    before.check()


def test_a_bad_file_is_refused_before_it_is_scanned(citizen, media, clamd):
    refused(upload(citizen, samples.pdf() + samples.HTML), pdfs.TRAILING)
    assert clamd.received == []
