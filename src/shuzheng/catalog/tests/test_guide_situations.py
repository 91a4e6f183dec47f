"""智能导办 answers mark what the situation needs (issue 17 defect 5), and the promised time is
said in words: 即办 for 0 working days, 秒批 for an item the rules decide at once (defect 7)."""

import re

import pytest

from shuzheng.catalog import facade, selectors
from shuzheng.catalog.demo import seed_catalog

pytestmark = pytest.mark.django_db

GAOLING = "44120030500001000000B"  # 高龄津贴申领: 秒批, promised 5 working days for staff
RESIDENCE = "44120032000007000000T"  # 居住证申领
DIVORCE = "44120030700004002000O"  # 离婚登记: 承诺件 with 0 promised working days


@pytest.fixture(autouse=True)
def demo_catalog():
    seed_catalog()


def _materials(page: str) -> dict[str, str]:
    """material name → the line under it (form, count, 非必需)."""
    rows = re.findall(
        r'<span class="material-name">([^<]+)</span>\s*<span class="muted">([^<]+)</span>', page
    )
    return dict(rows)


def test_answered_situation_marks_its_materials_required_and_drops_the_others(client):
    page = client.get(f"/services/item/{RESIDENCE}/", {"Q1": "rent", "Q2": "job"}).content
    shown = _materials(page.decode())
    assert set(shown) == {
        "申请人居民身份证",
        "近期1寸白底免冠彩色照片",
        "房屋租赁合同",
        "劳动合同或单位出具的就业证明",
    }
    assert all("非必需" not in line for line in shown.values()), shown
    # the situation goes on to the application form
    assert f'href="/cases/apply/{RESIDENCE}/?Q1=rent&amp;Q2=job"' in page.decode()


def test_an_elder_applying_herself_is_not_asked_for_agent_materials(client):
    page = client.get(f"/services/item/{GAOLING}/", {"Q1": "self"}).content.decode()
    shown = _materials(page)
    assert "代理人居民身份证" not in shown and "授权委托书" not in shown
    assert "监护关系证明" not in shown
    agent = _materials(client.get(f"/services/item/{GAOLING}/", {"Q1": "agent"}).content.decode())
    assert "非必需" not in agent["授权委托书"] and "非必需" not in agent["代理人居民身份证"]


def test_a_question_left_unanswered_keeps_its_materials_optional():
    item = facade.item(RESIDENCE)
    guide = facade.guide_for(item, {"Q1": "rent"})  # Q2 (上班/做生意/读书) not answered
    by_name = {m.name: m.required for m in guide.materials}
    assert by_name["房屋租赁合同"] is True
    assert "不动产权证书" not in by_name  # ruled out by the answer 租的房子
    assert by_name["营业执照"] is False and by_name["学校出具的在读证明或学生证"] is False
    assert guide.unanswered == ["Q2"] and guide.invalid == []
    assert facade.guide_for(item, {"Q1": "castle", "Q9": "x"}).invalid == ["Q9", "Q1"]


def test_bundle_guide_marks_added_materials_required():
    for bundle in selectors.bundle_list():
        for q in bundle.questions:
            for o in q["options"]:
                guide = selectors.bundle_guide(bundle.code, {q["code"]: o["value"]})
                added = set()
                for ref in o.get("situations", []):
                    code, _, sit = ref.partition(":")
                    spec = facade.item(code).spec
                    s = next(s for s in spec["situations"] if s["code"] == sit)
                    names = {m["code"]: m["name"] for m in spec["materials"]}
                    added |= {names[c] for c in s["add_materials"]}
                listed = {m.name: m.required for m in guide.materials}
                assert all(listed[n] for n in added if n in listed), (bundle.code, o)


def test_promised_time_in_words_everywhere(client):
    results = client.get("/services/", {"q": "高龄津贴"}).content.decode()
    assert "高龄津贴申领" in results
    assert "承诺 5 个工作日" not in results and "秒批，即时办结" in results
    guide = client.get(f"/services/item/{GAOLING}/").content.decode()
    promised = re.search(r'data-testid="promised">([^<]+)<', guide).group(1)
    assert promised.startswith("即时办结（秒批）")
    divorce = client.get("/services/", {"q": "离婚登记"}).content.decode()
    zero = re.compile(r"(?<!\d)0 个工作日")
    assert "离婚登记" in divorce and not zero.search(divorce)
    page = client.get(f"/services/item/{DIVORCE}/").content.decode()
    assert not zero.search(page)
    assert re.search(r'data-testid="promised">([^<]+)<', page).group(1) == "即办（当场办结）"
    assert facade.promised_time(0) == "即办（当场办结）"
    assert facade.promised_time(7) == "7 个工作日"
    assert facade.promised_time(5, instant_approval=True, short=True) == "秒批，即时办结"
