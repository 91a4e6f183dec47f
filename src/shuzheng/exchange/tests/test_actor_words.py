"""A share request's applicant and approver are shown in words, never as the actor ids the
records keep (issue 17, defect 4: ``demo:441200-RSJ`` on the data officer's request page)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shuzheng.exchange.models import ShareRequest
from shuzheng.exchange.views import actor_words
from shuzheng.identity.models import User

NAMES = {"441200-RSJ": "肇庆市人力资源和社会保障局"}


def test_actor_words() -> None:
    assert (
        actor_words("demo:441200-RSJ 数据管理员", NAMES) == "肇庆市人力资源和社会保障局 数据管理员"
    )
    assert actor_words("user:demo-dataofficer", NAMES) == "demo-dataofficer"
    assert actor_words("system:秒享", NAMES) == "系统（秒享）"
    assert actor_words("client:demo-mz-system", NAMES) == "接口调用方 demo-mz-system"
    assert actor_words("", NAMES) == ""


@pytest.mark.django_db
def test_the_request_page_names_the_department() -> None:
    # the demo's share history (seeded with the test database: seed_exchange)
    req = ShareRequest.objects.filter(requested_by__startswith="demo:").order_by("id").first()
    assert req is not None
    client = Client()
    client.force_login(User.objects.get(username="demo-admin"))
    page = client.get(f"/data/requests/{req.pk}/").content.decode()
    shown = re.search(r'data-testid="requested-by">([^<]*)<', page)
    assert shown and "demo:" not in shown[1] and not re.search(r"\d{6}-[A-Z]+", shown[1])
