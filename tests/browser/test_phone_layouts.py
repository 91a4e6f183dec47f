"""Phone layouts (issue 17 defect 9): no page of the data space, the licences, 我的 or the
elder's application scrolls sideways on a 360 px wide phone, in the normal and the 长辈版 (elder)
mode; data-space tables become one card per row instead of one character per column; label
columns put the label above the value on a narrow screen and never break an ID number.
Screenshots at 360 and 390 px go to $SHUZHENG_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import check_axe

pytestmark = pytest.mark.browser

GAOLING = "44120030500001000000B"  # 高龄津贴申领
ELDER_COOKIE = "sz_elder"
WIDTHS = (360, 390)

OVERFLOW_JS = """(width) => {
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      // only the outermost culprit inside a scroll container that does not scroll is useful
      let clipped = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) { clipped = true; break; }
      }
      const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
      if (!clipped) wide.push(name + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          wide: wide.slice(0, 8)};
}"""


def sign_in(context: Any, site: str, username: str) -> None:
    """A logged-in session for the browser (the login journey has its own tests)."""
    from django.conf import settings
    from django.test import Client

    from shuzheng.identity.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


def phone(width: int) -> dict[str, Any]:
    return {
        "viewport": {"width": width, "height": 780},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    }


def sideways_scroll(page: Any, width: int, what: str) -> str:
    """Why the page is wider than the screen, or "". A mobile browser zooms out to show a page
    wider than its layout viewport (innerWidth grows with it), so both are compared with
    ``width``."""
    result = page.evaluate(OVERFLOW_JS, width)
    if result["inner"] <= width and result["scroll"] <= result["inner"]:
        return ""
    return f"{what} is {max(result['scroll'], result['inner'])} px wide: {result['wide']}"


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("SHUZHENG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def phone_site(site: str) -> str:
    """``site`` with the catalog, the data-exchange demo (data space: records and consents),
    the rule sets and the demo licences."""
    from shuzheng.catalog.demo import seed_catalog
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.licenses.demo import seed_licenses
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    seed_exchange()
    rule_sets_seed()
    seed_licenses()
    return site


def license_path(holder_id: str, type_name: str) -> str:
    from shuzheng.licenses.models import License

    lic = License.objects.get(holder_id=holder_id, license_type__name=type_name)
    return f"/licenses/{lic.license_id}/"


def elder_id() -> str:
    from shuzheng.identity.models import User

    return str(User.objects.get(username="demo-elder").person.id_number)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_no_page_scrolls_sideways_on_a_360_px_phone(phone_site, new_context, elder):
    site = phone_site
    paths = [
        "/",
        "/dataspace/",
        "/licenses/",
        license_path(elder_id(), "居民身份证"),
        "/me/",
        f"/services/item/{GAOLING}/",
        f"/cases/apply/{GAOLING}/",
    ]
    problems = []
    for width in WIDTHS:
        context = new_context(**phone(width))
        page = context.new_page()
        sign_in(context, site, "demo-elder")
        if elder:
            context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": site}])
        for path in paths:
            page.goto(f"{site}{path}")
            if elder:
                assert "elder" in (page.locator("html").get_attribute("class") or "")
            slug = path.strip("/").replace("/", "_") or "home"
            shoot(page, f"{'elder' if elder else 'normal'}-{width}-{slug}")
            problems.append(sideways_scroll(page, width, f"{path} at {width} px"))
        context.close()
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_data_space_tables_are_cards_on_a_phone(phone_site, new_context, elder):
    context = new_context(**phone(360))
    page = context.new_page()
    sign_in(context, phone_site, "demo-citizen")  # holds the demo bank's consent
    if elder:
        context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": phone_site}])
    page.goto(f"{phone_site}/dataspace/")
    for table in (page.get_by_test_id("consents"), page.locator("#my-data table").first):
        expect(table).to_be_visible()
        row = table.locator("tbody tr").first
        card = row.bounding_box()
        font = float(row.evaluate("tr => getComputedStyle(tr).fontSize").removesuffix("px"))
        cells = row.locator("th, td")
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            # each cell spans the card (was: one character per column)
            assert box and card and box["width"] >= card["width"] * 0.8, (i, box, card)
            assert box["width"] >= 8 * font
    purpose = page.get_by_test_id("consents").locator("td[data-label]").nth(2)
    label = purpose.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"用途"', label  # each card cell names its column
    expect(purpose).to_contain_text("个人经营贷款审批")
    check_axe(page, context=f"data space on a phone ({'长辈版' if elder else '标准版'})")


def test_label_columns_put_the_label_above_an_unbroken_id_number(phone_site, new_context):
    context = new_context(**phone(360))
    page = context.new_page()
    sign_in(context, phone_site, "demo-elder")
    context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": phone_site}])
    page.goto(f"{phone_site}{license_path(elder_id(), '居民身份证')}")
    facts = page.get_by_test_id("license-fields")
    number = facts.locator("dd").filter(has_text=elder_id()).first
    expect(number).to_be_visible()
    label = number.evaluate_handle("dd => dd.previousElementSibling").as_element()
    assert label is not None
    label_box, value_box = label.bounding_box(), number.bounding_box()
    assert label_box and value_box
    assert value_box["y"] >= label_box["y"] + label_box["height"] - 1  # label above the value
    line = float(number.evaluate("dd => parseFloat(getComputedStyle(dd).lineHeight)"))
    assert value_box["height"] < 1.5 * line, "the ID number breaks over lines"
    check_axe(page, context="elder licence detail on a phone")


def test_the_elder_home_puts_the_services_elders_use_first(phone_site, new_context):
    """长辈版 switched on from the header (no script needed): the home starts with 长辈常办 in
    big type — 高龄津贴 first, 亮证, 办件进度, the 12345 link — and the first service is on the
    first screen of a 360 px phone."""
    context = new_context(**phone(360), java_script_enabled=False)
    page = context.new_page()
    sign_in(context, phone_site, "demo-elder")
    page.goto(f"{phone_site}/")
    expect(page.get_by_test_id("elder-home")).to_have_count(0)
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("长辈常办")
    first = page.get_by_test_id("elder-service").first
    expect(first).to_contain_text("高龄津贴")
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= 780, box  # on the first screen
    assert float(first.evaluate("a => parseFloat(getComputedStyle(a).fontSize)")) >= 24
    expect(page.get_by_test_id("elder-hotline")).to_have_attribute("href", "tel:12345")
    expect(page.get_by_test_id("elder-licences")).to_be_visible()
    expect(page.get_by_test_id("elder-progress")).to_be_visible()
    assert sideways_scroll(page, 360, "elder home") == ""
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("高龄津贴")
    scripted = new_context(**phone(360))  # axe-core runs as a script
    sign_in(scripted, phone_site, "demo-elder")
    scripted.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": phone_site}])
    axe_page = scripted.new_page()
    axe_page.goto(f"{phone_site}/")
    expect(axe_page.get_by_test_id("elder-home")).to_be_visible()
    check_axe(axe_page, context="elder home on a phone")
