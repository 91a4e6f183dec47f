"""Administrators import, edit drafts, review and publish in the Django admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzheng.audit.models import AuditRecord
from shuzheng.catalog.models import ServiceItem, Status
from shuzheng.catalog.tests import fixtures
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
MARRIAGE = fixtures.code_of(fixtures.marriage())


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="demo-admin"))
    return client


def _upload(client, doc, **extra):
    f = SimpleUploadedFile(
        "c.json", json.dumps(doc, ensure_ascii=False).encode(), "application/json"
    )
    return client.post("/admin/catalog/serviceitem/import/", {"file": f, **extra})


def test_import_page_rejects_bad_file_naming_row_and_field(admin_client):
    doc = fixtures.document()
    doc["items"][2]["promised_days"] = 99
    r = _upload(admin_client, doc)
    html = r.content.decode()
    assert r.status_code == 200
    assert "未导入任何内容" in html and "items 第3行（食品经营许可）" in html
    assert ServiceItem.objects.count() == 0


def test_import_edit_review_publish(admin_client):
    assert _upload(admin_client, fixtures.document()).status_code == 302
    item = ServiceItem.objects.get(code=MARRIAGE)
    assert item.status == Status.DRAFT
    spec = dict(item.spec)
    spec["aliases"] = [*spec["aliases"], "办结婚证"]
    r = admin_client.post(
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        {"spec_json": json.dumps(spec, ensure_ascii=False)},
    )
    assert r.status_code == 302
    assert "办结婚证" in ServiceItem.objects.get(pk=item.pk).spec["aliases"]
    assert AuditRecord.objects.filter(action="catalog.serviceitem_draft_edit").exists()
    for action in ("submit", "publish"):
        admin_client.post(
            "/admin/catalog/serviceitem/", {"action": action, "_selected_action": [item.pk]}
        )
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.published_by == "user:demo-admin"


def test_invalid_draft_edit_changes_nothing(admin_client):
    _upload(admin_client, fixtures.document())
    item = ServiceItem.objects.get(code=MARRIAGE)
    spec = dict(item.spec, statutory_days=-1)
    admin_client.post(
        f"/admin/catalog/serviceitem/{item.pk}/change/", {"spec_json": json.dumps(spec)}
    )
    assert ServiceItem.objects.get(pk=item.pk).spec["statutory_days"] == 0


def test_citizen_cannot_reach_catalog_admin(client):
    client.force_login(User.objects.get(username="demo-citizen"))
    r = client.get("/admin/catalog/serviceitem/import/")
    assert r.status_code == 302 and "/login" in r.url
