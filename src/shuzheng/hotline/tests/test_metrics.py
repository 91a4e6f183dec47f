"""三率 and friends per department and district, counted exactly from the tickets' outcomes."""

import sys
import types

import pytest

from shuzheng.hotline.tests.conftest import CG, CG_CODE, HB, HB_CODE, OPERATOR, at

pytestmark = pytest.mark.django_db
URL = "/api/v1/hotline/metrics?start=2026-11-01&end=2026-11-30"


def _through(hotline, no, dept, who, *, rating):
    hotline.act(OPERATOR, no, "dispatch", department=dept)
    hotline.act(who, no, "sign")
    hotline.act(who, no, "answer", answer="已处理")
    hotline.act(OPERATOR, no, "callback", satisfaction=rating)


def test_rates_per_department_and_district(hotline):
    with at(2026, 11, 23, 9):
        a = hotline.noise()  # 端州, 城管: signed in time, answered in time, 满意
        _through(hotline, a, CG_CODE, CG, rating="satisfied")
    with at(2026, 11, 23, 9, 10):
        b = hotline.noise()  # same phone, same category within 30 days: a repeat call
        hotline.act(OPERATOR, b, "dispatch", department=CG_CODE)
        hotline.act(CG, b, "return", reason="非本单位职责")
        hotline.act(OPERATOR, b, "dispatch", department=HB_CODE)
    with at(2026, 11, 23, 12):  # 生态环境 signs late (limit 120 minutes after 09:10)
        hotline.act(HB, b, "sign")
        hotline.act(HB, b, "answer", answer="已处理")
        hotline.act(OPERATOR, b, "callback", satisfaction="unsatisfied")
        c = hotline.noise(
            type="咨询",
            content="四会市大旺街道怎么办居住证？",
            category="",
            caller_phone="13912345678",
        )
        hotline.act(OPERATOR, c, "answer_direct", answer="到派出所办理。")
        by_dept = hotline.api.call("GET", URL, who=OPERATOR).json()
        by_region = hotline.api.call("GET", URL + "&group=region", who=OPERATOR).json()
        mine = hotline.api.call("GET", URL, who=CG).json()
    overall = by_dept["overall"]
    assert overall["tickets"] == 3
    assert overall["first_contact_rate"] == round(1 / 3, 4)
    assert overall["satisfaction_rate"] == 0.5
    assert overall["resolution_rate"] == round(2 / 3, 4)  # a (callback) and c (direct)
    assert overall["response_rate"] == 0.5  # a in time, b late
    assert overall["return_rate"] == 0.5
    assert overall["on_time_rate"] == 1.0
    assert overall["repeat_call_rate"] == round(1 / 3, 4)  # b repeats a
    groups = {g["code"]: g for g in by_dept["groups"]}
    assert groups[CG_CODE]["name"] == "肇庆市城市管理和综合执法局"
    assert groups[CG_CODE]["satisfaction_rate"] == 1.0
    assert groups[HB_CODE]["satisfaction_rate"] == 0.0
    regions = {g["code"]: g for g in by_region["groups"]}
    assert regions["441202"]["tickets"] == 2 and regions["441284"]["name"] == "四会市"
    assert mine["overall"]["tickets"] == 1  # 城管's own list: a (b went to 生态环境)
    assert by_dept["names"]["response_rate"] == "响应率"


def test_metrics_access(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.api.call("GET", URL, who="demo-clerk")
        anon = hotline.api.client.get(URL)
        citizen = hotline.api.call("GET", URL, who="demo-citizen")
        bad = hotline.api.call(
            "GET", "/api/v1/hotline/metrics?start=2026-12-01&end=2026-11-01", who=OPERATOR
        )
    assert (r.status_code, anon.status_code, citizen.status_code) == (403, 401, 403)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "start"


def test_suggest_calls_the_classifier(hotline, monkeypatch):
    """The endpoint passes text and address to ``hotline.suggest.suggest`` (a stub here: the
    classifier is another part of the module) and answers its result as JSON."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Dept:
        code: str
        name: str
        short_name: str
        score: float
        why: tuple[str, ...]

    seen = {}

    def suggest(*, text, address=""):
        seen.update(text=text, address=address)
        return {
            "departments": [
                Dept(
                    CG_CODE,
                    "肇庆市城市管理和综合执法局",
                    "市城市管理和综合执法局",
                    0.9,
                    ("烧烤", "噪音"),
                )
            ],
            "type": "投诉",
            "category": {"code": "030103", "name": "社会生活噪声"},
        }

    stub = types.ModuleType("shuzheng.hotline.suggest")
    stub.suggest = suggest
    monkeypatch.setitem(sys.modules, "shuzheng.hotline.suggest", stub)
    with at(2026, 11, 23, 9):
        body = {"text": "楼下烧烤档噪音", "address": "端州区"}
        r = hotline.api.call("POST", "/api/v1/hotline/suggest", who=OPERATOR, json_body=body)
        refused = hotline.api.call("POST", "/api/v1/hotline/suggest", who=CG, json_body=body)
        empty = hotline.api.call(
            "POST", "/api/v1/hotline/suggest", who=OPERATOR, json_body={"text": " "}
        )
    assert r.status_code == 200, r.content
    assert seen == {"text": "楼下烧烤档噪音", "address": "端州区"}
    assert r.json()["departments"][0] == {
        "code": CG_CODE,
        "name": "肇庆市城市管理和综合执法局",
        "short_name": "市城市管理和综合执法局",
        "score": 0.9,
        "why": ["烧烤", "噪音"],
    }
    assert refused.status_code == 403
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "text"
