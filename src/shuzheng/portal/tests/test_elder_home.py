"""长辈版 home (issue 17): with 长辈版 on, the home page starts with the services elders use
first — the catalog's 养老 items (高龄津贴 first, 秒批 ones next: pensions and retirees' 医保),
亮证, 办件进度 and a big 12345 link — and leaves out the enterprise stages and bundles."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shuzheng.catalog.demo import seed_catalog
from shuzheng.core.context_processors import ELDER_COOKIE

pytestmark = pytest.mark.django_db


def home(elder: bool) -> str:
    client = Client()
    if elder:
        client.cookies[ELDER_COOKIE] = "1"
    r = client.get("/")
    assert r.status_code == 200
    return r.content.decode()


def services(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<a class="button block elder-service" href="([^"]+)" data-testid="elder-service">'
        r"([^<]+)",
        html,
    )


def test_the_elder_home_starts_with_the_services_elders_use():
    seed_catalog()
    html = home(elder=True)
    found = services(html)
    names = [name for _href, name in found]
    assert len(names) == 4  # few choices
    assert names[0] == "高龄津贴申领"
    assert "城乡居民基本养老保险待遇申领" in names and "退休人员医保待遇核定" in names
    assert all(href.startswith("/services/item/") for href, _name in found)
    assert found[0][0] == "/services/item/44120030500001000000B/"
    # they come before the search box and the life events, then 亮证, 进度 and the hotline
    order = [
        html.index('data-testid="elder-home"'),
        html.index('data-testid="elder-licences"'),
        html.index('data-testid="elder-progress"'),
        html.index('href="tel:12345"'),
        html.index('role="search"'),
    ]
    assert order == sorted(order)
    assert '<a class="button block elder-service" href="/licenses/"' in html
    assert 'href="/cases/progress/"' in html
    assert html.count("<h1") == 1
    # fewer choices: no enterprise stages, no bundles
    assert "企业办事" not in html and "一件事一次办" not in html
    assert "个人办事" in html


def test_the_standard_home_is_unchanged():
    seed_catalog()
    html = home(elder=False)
    assert 'data-testid="elder-home"' not in html and not services(html)
    assert "企业办事" in html and "一件事一次办" in html
    assert html.count("<h1") == 1


def test_the_elder_home_without_a_catalog_still_offers_licences_progress_and_the_hotline():
    html = home(elder=True)
    assert services(html) == []
    for testid in ("elder-licences", "elder-progress", "elder-hotline"):
        assert f'data-testid="{testid}"' in html
