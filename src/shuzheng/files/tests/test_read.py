"""Reading a stored file (issue 17): the uploader, or whoever a grant of a module above says
(files cannot import cases, so cases registers one); every read audited; the answer's headers
never let a browser guess the type, cache the file or frame it on another site."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from tests.support import PDF

from shuzheng.audit.models import AuditRecord
from shuzheng.core.errors import NotFound
from shuzheng.files import facade
from shuzheng.files.models import StoredFile
from shuzheng.files.services import reading
from shuzheng.identity.contracts import Principal

pytestmark = pytest.mark.django_db

CITIZEN = Principal(kind="person", username="demo-citizen", id_number="x")
OTHER = Principal(kind="person", username="demo-elder", id_number="y")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stored():
    return facade.file_store(actor=CITIZEN.actor, name='a/b/"报告".pdf', data=PDF)


def test_the_uploader_reads_it_others_need_a_grant(stored, monkeypatch):
    assert facade.readable_by(CITIZEN, stored.file_id) == (stored, "owner")
    assert facade.readable_by(OTHER, stored.file_id) is None
    assert facade.readable_by(Principal(kind="anonymous"), stored.file_id) is None
    asked = []

    def grant(principal, info):
        asked.append((principal.username, info.file_id))
        return "case:BJ1" if principal.username == "demo-elder" else None

    monkeypatch.setattr(reading, "_GRANTS", list(reading._GRANTS))
    facade.register_read_grant(grant)
    facade.register_read_grant(grant)  # once
    assert facade.readable_by(OTHER, stored.file_id) == (stored, "case:BJ1")
    assert asked == [("demo-elder", stored.file_id)]
    assert facade.readable_by(CITIZEN, stored.file_id) == (stored, "owner")  # not asked
    assert len(asked) == 1


def test_each_read_is_audited_and_a_missing_file_is_not_found(stored):
    info, handle = facade.file_read(
        file_id=stored.file_id, actor="user:demo-clerk", purpose="case:BJ1"
    )
    with handle:
        assert handle.read() == PDF
    assert info == stored and info.name == "报告.pdf"
    rec = AuditRecord.objects.get(action="files.read")
    assert (rec.actor, rec.object_type, rec.object_id) == (
        "user:demo-clerk",
        "files.file",
        stored.file_id,
    )
    assert rec.after == {"purpose": "case:BJ1", "name": "报告.pdf", "sha256": stored.sha256}
    for fid in ("x", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            facade.file_read(file_id=fid, actor="user:demo-clerk", purpose="p")
    default_storage.delete(StoredFile.objects.get(pk=stored.file_id).path)
    with pytest.raises(NotFound):
        facade.file_read(file_id=stored.file_id, actor="user:demo-clerk", purpose="p")
    assert AuditRecord.objects.filter(action="files.read").count() == 1


def test_the_read_record_rolls_back_with_the_callers_transaction(stored):
    with pytest.raises(RuntimeError), transaction.atomic():
        facade.file_read(file_id=stored.file_id, actor="user:demo-clerk", purpose="p")[1].close()
        raise RuntimeError
    assert not AuditRecord.objects.filter(action="files.read").exists()


def test_the_inline_answer(stored):
    info, handle = facade.file_read(file_id=stored.file_id, actor=CITIZEN.actor, purpose="owner")
    r = facade.inline_response(info, handle, embeddable=False)
    assert r["Content-Type"] == "application/pdf"
    # the cleaned name (no path, no quotes), RFC 5987-encoded: nothing can break the header
    assert r["Content-Disposition"] == "inline; filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "no-store"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Cross-Origin-Resource-Policy"] == "same-origin"
    assert r["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    handle.close()  # (r.close() would end the request: Django closes the connection)
    info, handle = facade.file_read(file_id=stored.file_id, actor=CITIZEN.actor, purpose="owner")
    r = facade.inline_response(info, handle, embeddable=True)
    assert r["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in r["Content-Security-Policy"]
    handle.close()  # (r.close() would end the request: Django closes the connection)


def test_describe_names_the_files_of_given_ids(stored):
    other = facade.file_store(actor=OTHER.actor, name="b.pdf", data=PDF)
    got = facade.describe([stored.file_id, other.file_id, "nope"])
    assert got == {stored.file_id: stored, other.file_id: other}
