"""The service catalog (事项中心) as a new user meets it: search, 办事指南, 智能导办, filters, form.

Phone-sized contexts throughout, several journeys also in 长辈版. What the pages should show
(materials per 导办 answer, themes, 全程网办) is derived from the demo content
(``catalog/data/catalog.json``) at test time rather than written down here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, check_axe, english

pytestmark = pytest.mark.browser

MARRIAGE = "441200307000040010003"  # 结婚登记: 即办, one 导办 question with situations
SENIOR_ALLOWANCE = "44120030500001000000B"  # 高龄津贴申领: 5 个工作日, 全程网办
RESTAURANT = "YJS441200002"  # 开办餐饮店一件事
ELDER = re.compile(r"(^|\s)elder(\s|$)")
RESULT_HREF = re.compile(r"^/services/(item|bundle)/([^/]+)/$")


# --- the demo content ------------------------------------------------------------------------


@cache
def catalog() -> dict[str, Any]:
    from shuzheng.catalog.demo import CONTENT

    doc: dict[str, Any] = json.loads(CONTENT.read_text(encoding="utf-8"))
    return doc


def item_spec(code: str) -> dict[str, Any]:
    return next(i for i in catalog()["items"] if i["implementation_code"] == code)


def bundle_spec(code: str) -> dict[str, Any]:
    return next(b for b in catalog()["bundles"] if b["code"] == code)


def bundle_online(bundle: dict[str, Any]) -> bool:
    """A bundle is 全程网办 when every member item is (online_depth 4)."""
    return all(item_spec(c)["online_depth"] == 4 for c in bundle["items"])


def matches_json(kind: str, code: str, *, theme: str, applicant_type: str = "") -> bool:
    spec = item_spec(code) if kind == "item" else bundle_spec(code)
    return theme in spec["themes"] and (
        not applicant_type or applicant_type in spec["applicant_types"]
    )


def expected_codes(*, theme: str, applicant_type: str = "", online: bool = False) -> set[str]:
    """Codes of everything in the JSON that a theme (and type / 全程网办) filter should list."""
    items = {
        i["implementation_code"]
        for i in catalog()["items"]
        if matches_json(
            "item", i["implementation_code"], theme=theme, applicant_type=applicant_type
        )
        and (not online or i["online_depth"] == 4)
    }
    bundles = {
        b["code"]
        for b in catalog()["bundles"]
        if matches_json("bundle", b["code"], theme=theme, applicant_type=applicant_type)
        and (not online or bundle_online(b))
    }
    return items | bundles


# --- page helpers ----------------------------------------------------------------------------


def open_home(new_context: Any, site: str, *, elder: bool = False, **options: Any) -> Any:
    """A phone-sized page on the portal home, switched to 长辈版 through its toggle if asked."""
    page = new_context(**{**PHONE, **options}).new_page()
    page.goto(f"{site}/")
    if elder:
        page.get_by_test_id("elder-toggle").click()
        page.wait_for_url(f"{site}/")
        expect(page.locator("html")).to_have_class(ELDER)
    return page


def search_from(page: Any, query: str) -> None:
    """Type into the search box in <main> (home or 找服务) and submit it like a user."""
    box = page.locator("main form[role=search] input[name=q]")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/services/\?q="))
    expect(page.get_by_test_id("results")).to_be_visible()


def results(page: Any) -> list[tuple[str, str, Any]]:
    """(kind, code, <li>) of every search result, in order."""
    out = []
    items = page.get_by_test_id("results").locator("li.result")
    for i in range(items.count()):
        li = items.nth(i)
        href = li.locator("h2.result-title a").get_attribute("href") or ""
        match = RESULT_HREF.match(urlsplit(href).path)
        assert match, f"unexpected result link {href!r}"
        out.append((match.group(1), unquote(match.group(2)), li))
    return out


def material_names(page: Any) -> list[str]:
    names: list[str] = (
        page.get_by_test_id("materials").locator("li.material .material-name").all_inner_texts()
    )
    return [n.strip() for n in names]


def answer_guide(page: Any, answers: dict[str, str], questions: list[dict[str, Any]]) -> None:
    """Tick the 导办 options (question code → option value) and submit the GET form."""
    form = page.get_by_test_id("guide-form")
    for q in questions:
        if q["code"] not in answers:
            continue
        option = next(o for o in q["options"] if o["value"] == answers[q["code"]])
        group = form.get_by_role("group", name=q["text"], exact=True)
        group.get_by_label(option["label"], exact=True).check()
    form.get_by_role("button", name="查看我需要的材料").click()
    first = next(iter(answers))
    page.wait_for_url(re.compile(rf"[?&]{first}={re.escape(answers[first])}"))


def no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone viewport"


def expected_item_materials(
    spec: dict[str, Any], situations: set[str]
) -> tuple[set[str], set[str]]:
    """(must appear, must not appear) material names for the chosen situations, per the JSON.

    Materials a chosen situation adds must be listed, unless another chosen situation removes
    them; situational materials nobody chose, and removed ones, must not be listed; required
    materials no situation is about must always be listed.
    """
    by_code = {m["code"]: m["name"] for m in spec["materials"]}
    chosen = [s for s in spec.get("situations", []) if s["code"] in situations]
    added = {m for s in chosen for m in s.get("add_materials", [])}
    removed = {m for s in chosen for m in s.get("remove_materials", [])}
    situational = {m for s in spec.get("situations", []) for m in s.get("add_materials", [])}
    base = {m["code"] for m in spec["materials"] if m["required"] and m["code"] not in situational}
    present = (base | added) - removed
    absent = (situational - added) | removed
    return {by_code[c] for c in present}, {by_code[c] for c in absent}


def days_text(days: int) -> str:
    return f"{days} 个工作日"


# --- 1. search → 办事指南 --------------------------------------------------------------------


@pytest.mark.parametrize("elder", [False, True], ids=["phone", "elder"])
def test_search_marriage_opens_its_guide(catalog_site, new_context, elder):
    site = catalog_site
    page = open_home(new_context, site, elder=elder)
    search_from(page, "结婚")
    found = results(page)
    assert found, "搜索“结婚”没有结果"
    kind, code, first = found[0]
    assert (kind, code) == ("item", MARRIAGE), f"first result is {kind} {code}"
    expect(first.locator("h2")).to_have_text("结婚登记")
    no_horizontal_scroll(page)
    check_axe(page, context=f"results 结婚 elder={elder}")

    first.get_by_role("link", name="结婚登记").click()
    page.wait_for_url(f"{site}/services/item/{MARRIAGE}/")
    if elder:
        expect(page.locator("html")).to_have_class(ELDER)
    expect(page.locator("main h1")).to_have_text("结婚登记")
    spec = item_spec(MARRIAGE)
    # Without 导办 the guide lists every material the JSON names.
    assert material_names(page) == [m["name"] for m in spec["materials"]]
    promised = page.get_by_test_id("promised")
    if spec["promised_days"]:
        expect(promised).to_have_text(days_text(spec["promised_days"]))
    else:
        expect(promised).to_contain_text("即办")
    expect(page.get_by_test_id("limits")).to_contain_text(
        days_text(spec["statutory_days"]) if spec["statutory_days"] else "当场办结"
    )
    no_horizontal_scroll(page)
    check_axe(page, context=f"guide 结婚登记 elder={elder}")


def test_elder_guide_fits_the_phone(catalog_site, new_context):
    page = open_home(new_context, catalog_site, elder=True)
    page.goto(f"{catalog_site}/services/item/{MARRIAGE}/")
    no_horizontal_scroll(page)


# --- 2. search → 一件事 → 导办 ----------------------------------------------------------------


@pytest.mark.parametrize("elder", [False, True], ids=["phone", "elder"])
def test_restaurant_bundle_guide_narrows_materials(catalog_site, new_context, elder):
    from shuzheng.catalog.selectors import department_names

    site = catalog_site
    page = open_home(new_context, site, elder=elder)
    search_from(page, "开饭店")
    top3 = [(kind, code) for kind, code, _ in results(page)[:3]]
    assert ("bundle", RESTAURANT) in top3, f"开办餐饮店一件事 not in the top 3: {top3}"
    check_axe(page, context=f"results 开饭店 elder={elder}")

    page.get_by_test_id("results").get_by_role("link", name="开办餐饮店一件事").click()
    page.wait_for_url(f"{site}/services/bundle/{RESTAURANT}/")
    expect(page.locator("main h1")).to_have_text("开办餐饮店一件事")

    # The member table names every member item and its department.
    spec = bundle_spec(RESTAURANT)
    names = department_names()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(spec["items"]))
    for row, code in zip(rows.all(), spec["items"], strict=True):
        member = item_spec(code)
        link = row.locator("td").nth(0).get_by_role("link")
        expect(link).to_have_text(member["name"])
        expect(link).to_have_attribute("href", f"/services/item/{code}/")
        dept = names.get(member["department"])
        assert dept, f"no department name for {member['department']}"
        expect(row.locator("td").nth(1)).to_have_text(dept)
    check_axe(page, context=f"bundle elder={elder}")

    before = page.get_by_test_id("materials").locator("li.material").count()
    assert before > 0
    # A small shop: for each question take the option that drops the most member items.
    answers = {
        q["code"]: max(
            q["options"],
            key=lambda o: (len(o.get("exclude_items", [])), -len(o.get("situations", []))),
        )["value"]
        for q in spec["questions"]
    }
    excluded = {
        c
        for q in spec["questions"]
        for o in q["options"]
        if o["value"] == answers[q["code"]]
        for c in o.get("exclude_items", [])
    }
    assert excluded, "the chosen answers should leave some member items out"
    answer_guide(page, answers, spec["questions"])

    after = page.get_by_test_id("materials").locator("li.material").count()
    assert 0 < after < before, f"导办 did not shorten the list: {before} → {after}"
    notice = page.get_by_test_id("guide-result")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(f"根据您的回答，需要 {after} 份材料（全部情形共 {before} 份）。")
    for code in excluded:
        expect(
            page.locator("main table tbody tr", has_text=item_spec(code)["name"])
        ).to_contain_text("您无需办理")
    # The answers stay ticked on the result page.
    for q in spec["questions"]:
        expect(page.locator(f"input[name={q['code']}][value={answers[q['code']]}]")).to_be_checked()
    check_axe(page, context=f"bundle after 导办 elder={elder}")


# --- 3. 导办 changes an item's materials as the JSON's situations say ------------------------


def test_item_guide_answers_follow_situations(catalog_site, new_context):
    """Every answer to an item's first 导办 question, in 长辈版, checked against the JSON."""
    site = catalog_site
    page = open_home(new_context, site, elder=True)
    for query, code in [("结婚", MARRIAGE), ("高龄津贴", SENIOR_ALLOWANCE)]:
        spec = item_spec(code)
        questions = spec["questions"]
        assert questions and spec["situations"], f"{code} has no 导办 in the JSON"
        page.goto(f"{site}/")
        search_from(page, query)
        page.get_by_test_id("results").locator(f"a[href='/services/item/{code}/']").click()
        page.wait_for_url(f"{site}/services/item/{code}/")
        if spec.get("instant_approval"):  # 秒批: decided at once, not "承诺 5 个工作日"
            expect(page.get_by_test_id("promised")).to_contain_text("即时办结（秒批）")
        elif spec["promised_days"]:
            expect(page.get_by_test_id("promised")).to_have_text(days_text(spec["promised_days"]))
        unguided = material_names(page)

        # The user tries every option of the first question (others at their first option).
        q1 = questions[0]
        for option in q1["options"]:
            answers = {q["code"]: q["options"][0]["value"] for q in questions}
            answers[q1["code"]] = option["value"]
            answer_guide(page, answers, questions)
            situations = {
                s
                for q in questions
                for o in q["options"]
                if o["value"] == answers[q["code"]]
                for s in o.get("situations", [])
            }
            present, absent = expected_item_materials(spec, situations)
            shown = material_names(page)
            where = f"{spec['name']} {answers}"
            assert present <= set(shown), f"{where}: missing {present - set(shown)}"
            assert not absent & set(shown), f"{where}: should not list {absent & set(shown)}"
            assert len(shown) < len(unguided), f"{where}: list not reduced ({len(shown)})"
            expect(page.get_by_test_id("guide-result")).to_have_text(
                f"根据您的回答，需要 {len(shown)} 份材料。"
            )
            expect(page.locator("main h2#h-materials")).to_have_text("您需要准备的材料")
            if not situations:
                # The plain case lists exactly what every applicant needs.
                assert set(shown) == present, where
        check_axe(page, context=f"长辈版 {spec['name']} after 导办")


# --- 4. without JavaScript --------------------------------------------------------------------


def test_search_guide_and_daoban_without_javascript(catalog_site, new_context):
    site = catalog_site
    page = open_home(new_context, site, elder=True, java_script_enabled=False)
    search_from(page, "结婚")
    kind, code, first = results(page)[0]
    assert (kind, code) == ("item", MARRIAGE)
    first.get_by_role("link", name="结婚登记").click()
    page.wait_for_url(f"{site}/services/item/{MARRIAGE}/")
    spec = item_spec(MARRIAGE)
    q1 = spec["questions"][0]
    option = next(o for o in q1["options"] if o["situations"])
    answer_guide(page, {q1["code"]: option["value"]}, spec["questions"])
    present, absent = expected_item_materials(spec, set(option["situations"]))
    shown = set(material_names(page))
    assert present <= shown and not absent & shown, shown
    expect(page.get_by_test_id("guide-result")).to_be_visible()
    expect(page.locator("html")).to_have_class(ELDER)

    # 重新回答 is a plain link back to the full list.
    page.get_by_role("link", name="重新回答").click()
    page.wait_for_url(f"{site}/services/item/{MARRIAGE}/?")
    expect(page.get_by_test_id("guide-result")).to_have_count(0)
    assert material_names(page) == [m["name"] for m in spec["materials"]]


# --- 5. filters -------------------------------------------------------------------------------

FILTER_THEME = "养老"  # has 全程网办 items and an all-online 一件事 (退休一件事)


def apply_filters(page: Any, *, theme: str, online: bool) -> None:
    filters = page.locator("details.filters")
    filters.locator("summary").click()
    expect(filters).to_have_attribute("open", "")
    filters.get_by_label("主题").select_option(theme)
    if online:
        filters.get_by_label("只看全程网办").check()
    filters.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(re.compile(r"[?&]online=1" if online else r"[?&]theme="))


def test_filters_theme_and_fully_online(catalog_site, new_context):
    site = catalog_site
    page = open_home(new_context, site)
    page.goto(f"{site}/services/")  # 找服务, the filter form under the search box
    expect(page.get_by_test_id("results")).to_have_count(0)
    apply_filters(page, theme=FILTER_THEME, online=True)
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    expect(page.get_by_label("主题")).to_have_value(FILTER_THEME)
    expect(page.get_by_label("只看全程网办")).to_be_checked()

    found = results(page)
    assert {code for _, code, _ in found} == expected_codes(theme=FILTER_THEME, online=True)
    for kind, code, li in found:
        assert matches_json(kind, code, theme=FILTER_THEME), f"{code} is not {FILTER_THEME}"
        if kind == "item":
            assert item_spec(code)["online_depth"] == 4, code
            expect(li.locator(".badge.online")).to_have_text("全程网办")
        else:
            assert bundle_online(bundle_spec(code)), f"{code} has members not 全程网办"
    expect(page.get_by_test_id("result-count")).to_have_text(f"找到 {len(found)} 项服务")
    check_axe(page, context="filtered results")


def test_fully_online_filter_badges_bundles_too(catalog_site, new_context):
    page = open_home(new_context, catalog_site)
    page.goto(f"{catalog_site}/services/?theme={FILTER_THEME}&online=1")
    bundles = [li for kind, _, li in results(page) if kind == "bundle"]
    assert bundles, "expected an all-online 一件事 among the results"
    for li in bundles:
        expect(li.locator(".badge.online")).to_have_text("全程网办", timeout=1_000)


# --- 6. the form ------------------------------------------------------------------------------


def valid_id_number() -> str:
    from shuzheng.core.codes import gb11643_check_char

    body = "44120219900101123"  # 肇庆市端州区, born 1990-01-01
    return body + gb11643_check_char(body)


def test_form_validation_messages_and_success(catalog_site, new_context):
    site = catalog_site
    spec = item_spec(MARRIAGE)
    schema = spec["form"]["schema"]
    props = schema["properties"]
    page = open_home(new_context, site, elder=True)
    page.goto(f"{site}/services/item/{MARRIAGE}/form/")
    check_axe(page, context="empty form")

    page.get_by_role("button", name="检查填写").click()
    summary = page.get_by_test_id("form-errors")
    expect(summary).to_be_visible()
    # Every required field without a default is named in the summary, in Chinese.
    missing = [n for n in schema["required"] if "default" not in props[n]]
    links = summary.locator("li a")
    expect(links).to_have_count(len(missing))
    for link, name in zip(links.all(), missing, strict=True):
        expect(link).to_have_text(f"请填写{props[name]['title']}")
        expect(link).to_have_attribute("href", f"#f-{name}")
    first = page.locator(f"#f-{missing[0]}")
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(first).to_have_accessible_description(f"请填写{props[missing[0]]['title']}")
    expect(page.get_by_label(props[missing[0]]["title"])).to_have_attribute("aria-invalid", "true")
    check_axe(page, context="form with errors")

    # The summary link takes keyboard users to the field.
    links.first.click()
    expect(page).to_have_url(re.compile(rf"#f-{missing[0]}$"))

    values = {
        "applicant_name": "张三",
        "applicant_id_number": valid_id_number(),
        "applicant_phone": "13800138000",
        "hukou_address": "广东省肇庆市端州区天宁北路1号",
        "spouse_name": "李四",
        "spouse_id_number": "44120219920202002X",
        "appointment_date": "2030-05-20",
    }
    assert set(values) | {"spouse_id_type"} >= set(schema["required"])
    for name, value in values.items():
        page.locator(f"#f-{name}").fill(value)
    page.get_by_role("button", name="检查填写").click()
    expect(page.get_by_test_id("form-valid")).to_have_text("表单填写正确。")
    expect(page.get_by_test_id("form-errors")).to_have_count(0)
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    expect(page.locator("#f-applicant_name")).to_have_value("张三")
    check_axe(page, context="valid form")


# --- 7. life-event tiles ----------------------------------------------------------------------


def test_life_event_tile_lists_its_theme(catalog_site, new_context):
    site = catalog_site
    page = open_home(new_context, site)
    page.locator("section[aria-labelledby=h-person]").get_by_role(
        "link", name="婚姻", exact=True
    ).click()
    page.wait_for_url(re.compile(r"/services/\?theme="))
    query = dict(p.split("=", 1) for p in urlsplit(page.url).query.split("&"))
    assert unquote(query["theme"]) == "婚姻" and query.get("applicant_type") == "person"
    expect(page.get_by_label("主题")).to_have_value("婚姻")

    found = results(page)
    codes = {code for _, code, _ in found}
    assert codes == expected_codes(theme="婚姻", applicant_type="person")
    assert MARRIAGE in codes
    check_axe(page, context="婚姻 tile results")


# --- 8. English -------------------------------------------------------------------------------


def test_guide_in_english(catalog_site, new_context):
    site = catalog_site
    labels = {
        msgid: english(msgid)
        for msgid in (
            "申请材料",
            "办事指南",
            "查看我需要的材料",
            "您需要准备的材料",
            "即办（当场办结）",
        )
    }
    untranslated = [k for k, v in labels.items() if not v]
    assert not untranslated, f"the English .po lacks {untranslated}"
    page = open_home(new_context, site)
    page.goto(f"{site}/services/item/{MARRIAGE}/")
    page.get_by_test_id("lang-toggle").click()
    page.wait_for_url(f"{site}/services/item/{MARRIAGE}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h2#h-materials")).to_have_text(labels["申请材料"])
    expect(page).to_have_title(re.compile(re.escape(labels["办事指南"])))
    expect(page.get_by_test_id("promised")).to_have_text(labels["即办（当场办结）"])
    check_axe(page, context="English guide")

    spec = item_spec(MARRIAGE)
    q1 = spec["questions"][0]
    page.get_by_test_id("guide-form").get_by_label(q1["options"][0]["label"]).check()
    page.get_by_role("button", name=labels["查看我需要的材料"]).click()
    page.wait_for_url(re.compile(rf"[?&]{q1['code']}="))
    expect(page.locator("main h2#h-materials")).to_have_text(labels["您需要准备的材料"])
    expect(page.get_by_test_id("guide-result")).to_be_visible()
    expect(page.get_by_test_id("guide-result")).not_to_contain_text("根据您的回答")
    check_axe(page, context="English guide after 导办")
