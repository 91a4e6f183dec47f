"""The 公文库 pages: search highlights the words, the detail page shows the elements; a
document the caller may not read is 404."""

import pytest
from django.contrib.auth import get_user_model

from shuzheng.documents.demo import seed_documents
from shuzheng.documents.models import Document

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_search_and_detail(client):
    seed_documents()
    login(client, "demo-citizen")  # the seeds are 主动公开
    page = client.get("/documents/?q=秒享").content.decode()
    assert "<mark>秒享</mark>" in page
    assert "共 1 份公文" in page
    doc = Document.objects.get(doc_number="粤办函〔2020〕20号")
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "广东省人民政府办公厅" in page and "数字政府改革建设复制推广经验" in page
    Document.objects.filter(pk=doc.pk).update(openness="不予公开")
    assert client.get(f"/documents/{doc.pk}/").status_code == 404


def test_search_page_filters_by_kind_and_topic(client):
    seed_documents()
    login(client, "demo-citizen")
    docs = list(Document.objects.all())
    kind = next(d.kind for d in docs if d.kind)
    topic = docs[0].topic
    # the seeds differ in both, so each filter leaves some out
    assert any(d.kind != kind for d in docs) and any(d.topic != topic for d in docs)
    page = client.get("/documents/", {"kind": kind}).content.decode()
    assert f'<option value="{kind}" selected>' in page
    assert f"共 {sum(d.kind == kind for d in docs)} 份公文" in page
    for d in docs:
        assert (d.title in page) == (d.kind == kind)
    page = client.get("/documents/", {"topic": topic}).content.decode()
    assert f'<option value="{topic}" selected>' in page
    for d in docs:
        assert (d.title in page) == (d.topic == topic)
    # an unknown value is ignored, not an error
    page = client.get("/documents/", {"kind": "<b>x", "topic": "?"}).content.decode()
    assert f"共 {len(docs)} 份公文" in page
