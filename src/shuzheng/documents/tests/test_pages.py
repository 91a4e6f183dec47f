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
