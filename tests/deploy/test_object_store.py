"""Files on an S3-compatible object store (``SHUZHENG_STORAGE=s3``, django-storages): a case
material uploaded through ``POST /api/v1/files`` and a licence's signed PDF are written to a
bucket of a real S3 server running as its own process (moto_server, tests/deploy/objectstore.py),
read back through the platform's API, and found in the bucket by a separate S3 client — and not
on the local disk."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.core.filestorage import default_storage_config
from shuzheng.files.tests import samples
from shuzheng.licenses import facade as licenses
from shuzheng.licenses.tests.test_issue import MARRIAGE
from tests.deploy import objectstore

pytestmark = [pytest.mark.deploy, pytest.mark.django_db]

BUCKET = "shuzheng-files"


@pytest.fixture(scope="module")
def s3() -> Iterator[objectstore.S3Server]:
    binary = objectstore.moto_server_path()
    if binary is None:
        pytest.skip("moto_server not installed (pip install -e '.[dev]' installs moto[server])")
    server = objectstore.start(binary)
    try:
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture
def on_s3(s3, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The storage settings.py makes of SHUZHENG_STORAGE=s3 and the server's address (Django
    resets ``default_storage`` when STORAGES changes); the local media directory stays empty."""
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config(s3.env(BUCKET))}
    settings.MEDIA_ROOT = tmp_path / "media"
    return s3


def test_an_upload_and_a_licence_pdf_live_in_the_bucket(on_s3, api, settings):  # type: ignore[no-untyped-def]
    scan = samples.pdf(2)
    token = api.token("demo-citizen")
    up = api.client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile("身份证扫描件.pdf", scan, "application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert up.status_code == 201, up.content
    file_id = up.json()["file_id"]
    back = api.client.get(f"/api/v1/files/{file_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert back.status_code == 200
    assert b"".join(back.streaming_content if back.streaming else [back.content]) == scan

    lic = licenses.issue_from_case(
        case_no="BJ4412022026000001",
        item_code="441202-JHDJ",
        license_type_name="结婚证",
        holder_kind="person",
        holder_id=licenses_citizen(),
        holder_name="李明",
        department_code="441202-MZJ",
        data=MARRIAGE,
    )
    pdf = api.call("GET", f"/api/v1/licenses/{lic.license_id}/pdf", who="demo-citizen")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    sha = hashlib.sha256(pdf.content).hexdigest()

    keys = on_s3.keys(BUCKET)  # a separate S3 client, over HTTP
    assert f"uploads/{file_id.replace('-', '')[:2]}/{file_id.replace('-', '')}.pdf" in keys
    assert f"licenses/{sha[:2]}/{sha}.pdf" in keys
    stored = on_s3.client().get_object(Bucket=BUCKET, Key=f"licenses/{sha[:2]}/{sha}.pdf")
    assert stored["Body"].read() == pdf.content
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def test_the_platform_starts_on_s3_settings(s3):  # type: ignore[no-untyped-def]
    """settings.py itself, in a process of its own, with the environment a deployment sets."""
    code = (
        "import django; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.exists('nothing-here'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shuzheng.settings", **s3.env(BUCKET)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["S3Storage", BUCKET, "False"]


def licenses_citizen() -> str:
    from shuzheng.licenses.tests.conftest import CITIZEN

    return CITIZEN


def test_a_backup_names_the_bucket_instead_of_copying_it(on_s3, settings):  # type: ignore[no-untyped-def]
    from shuzheng.console.backup import _files_store

    assert _files_store() == {
        "backend": "storages.backends.s3.S3Storage",
        "endpoint_url": on_s3.endpoint,
        "bucket": BUCKET,
        "prefix": "",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert _files_store() is None
