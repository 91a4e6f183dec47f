"""Editing in the console: syntax errors with their position, unknown facts, JSON errors with
line and column; nothing is saved when anything is wrong."""

import json

import pytest
from django.test import Client

from shuzheng.rules import jdm
from shuzheng.rules.models import RuleVersion

pytestmark = pytest.mark.django_db

GOOD = jdm.build(
    conditions=[{"key": "age", "label": "年满80周岁", "expr": "age >= 80"}],
    rows=[
        {"when": {"age": False}, "outcome": "deny", "reason": "未满80周岁"},
        {"outcome": "approve", "reason": "符合"},
    ],
)


def with_condition(expr):
    doc = json.loads(json.dumps(GOOD))
    doc["nodes"][1]["content"]["expressions"][0]["value"] = expr
    return doc


@pytest.fixture
def admin_client():
    from shuzheng.identity.models import User

    c = Client()
    c.force_login(User.objects.get(username="demo-admin"))
    return c


def put_draft(api, doc, tests=()):
    return api.call(
        "PUT",
        "/api/v1/rules/gaoling-jintie/draft",
        who="demo-admin",
        json_body={"document": doc, "tests": list(tests)},
    )


def test_api_reports_syntax_errors_with_position_and_saves_nothing(api):
    drafts = RuleVersion.objects.filter(status="draft").count()
    r = put_draft(api, with_condition("age >= "))
    assert r.status_code == 422
    body = r.json()
    assert body["errors"] == [
        {
            "field": "document",
            "message": "节点“条件” › cond.age：第 8 个字符处：表达式不完整（表达式：age >= ）",
        }
    ]
    assert RuleVersion.objects.filter(status="draft").count() == drafts


def test_api_reports_unknown_facts_with_position_and_a_suggestion(api):
    r = put_draft(api, with_condition('startsWith(hukou_regoin, "4412") and age >= 80'))
    assert r.status_code == 422
    msg = r.json()["errors"][0]["message"]
    assert "第 12 个字符处：未知事实“hukou_regoin”（是否为 hukou_region？）" in msg


def test_api_rejects_unknown_functions_and_type_errors(api):
    assert (
        "未知函数“has_benefit”"
        in put_draft(api, with_condition('has_benefit("高龄津贴")')).json()["errors"][0]["message"]
    )
    assert (
        "只能比较两个数字或两段文字"
        in put_draft(api, with_condition('age >= "80"')).json()["errors"][0]["message"]
    )


def test_api_checks_test_cases(api):
    r = put_draft(
        api, GOOD, tests=[{"name": "x", "facts": {"agee": 3}, "expect": {"outcome": "maybe"}}]
    )
    fields = {e["field"] for e in r.json()["errors"]}
    assert r.status_code == 422 and fields == {"tests"}


def test_a_valid_draft_is_saved(api):
    r = put_draft(
        api, GOOD, tests=[{"name": "82岁", "facts": {"age": 82}, "expect": {"outcome": "approve"}}]
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "draft" and r.json()["version"] == 2


def test_editor_page_shows_json_errors_with_line_and_column(admin_client):
    r = admin_client.post(
        "/rules/gaoling-jintie/edit/", {"document": '{"nodes": [}', "tests": "[]"}
    )
    assert r.status_code == 422
    assert "第 1 行第 12 列：JSON 格式错误" in r.content.decode()


def test_editor_page_shows_expression_errors_with_the_line_in_the_textarea(admin_client):
    text = json.dumps(with_condition("age >= "), ensure_ascii=False, indent=2)
    line = text.splitlines().index(next(x for x in text.splitlines() if '"age >= "' in x)) + 1
    r = admin_client.post("/rules/gaoling-jintie/edit/", {"document": text, "tests": "[]"})
    page = r.content.decode()
    assert r.status_code == 422
    assert f"（决策图第 {line} 行）" in page and "第 8 个字符处：表达式不完整" in page


def test_editor_page_saves_a_valid_draft_and_redirects(admin_client):
    text = json.dumps(GOOD, ensure_ascii=False)
    r = admin_client.post(
        "/rules/gaoling-jintie/edit/", {"document": text, "tests": "[]", "note": "试改"}
    )
    assert r.status_code == 302
    assert RuleVersion.objects.get(rule_set__code="gaoling-jintie", status="draft").note == "试改"
