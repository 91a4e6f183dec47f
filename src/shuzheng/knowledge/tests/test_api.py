"""知识库 API: search for the center and API clients, authoring with Chinese field errors,
the lifecycle actions (409 with allowed_actions), reads scoped to the department."""

from __future__ import annotations

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.knowledge.models import Article
from shuzheng.knowledge.tests.conftest import AGED, MZJ

pytestmark = pytest.mark.django_db

BODY = {
    "title": "高龄津贴申领条件",
    "questions": ["老人八十岁有补贴吗", "长寿金怎么领"],
    "answer": "年满 80 周岁的肇庆户籍老年人可申领高龄津贴。",
    "department": MZJ,
    "items": [AGED],
    "category": "civil_affairs",
    "tags": ["高龄津贴"],
    "valid_to": "2026-12-31",
}


def _state():
    return (
        list(Article.objects.order_by("id").values_list("id", "status", "version", "title")),
        AuditRecord.objects.filter(action__startswith="knowledge.").count(),
    )


@pytest.fixture
def published(api, catalog):
    r = api.call("POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=BODY)
    assert r.status_code == 201, r.content
    no = r.json()["id"]
    for who, action in (("demo-clerk", "submit"), ("demo-head", "publish")):
        r = api.call(
            "POST",
            f"/api/v1/knowledge/articles/{no}/actions",
            who=who,
            json_body={"action": action},
        )
        assert r.status_code == 200, r.content
    return no


def test_create_answers_201_with_the_allowed_actions(api, catalog):
    r = api.call("POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=BODY)
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "draft" and body["status_name"] == "草稿"
    assert body["allowed_actions"] == ["submit"]
    assert body["items"] == [{"code": AGED, "name": "高龄津贴申领"}]
    assert body["department_name"] == "肇庆市民政局"
    assert (body["valid_from"], body["valid_to"], body["version"]) == (
        "2026-06-10",
        "2026-12-31",
        1,
    )


def test_bad_input_is_422_naming_the_fields_and_nothing_changes(api, catalog):
    before = _state()
    bad = dict(BODY, title="", items=["NO-SUCH"], valid_to="31/12/2026")
    r = api.call("POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=bad)
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors == {
        "title": "请填写标题。",
        "items": "关联事项不存在或未发布：NO-SUCH。",
        "valid_to": "失效日期应为日期，格式如 2026-01-31。",
    }
    assert _state() == before


def test_search_for_the_center_and_clients_only(api, published):
    r = api.call("GET", "/api/v1/knowledge/search?q=阿嫲九十岁有冇长寿金", who="demo-hotline")
    assert r.status_code == 200
    [hit] = r.json()
    assert hit["id"] == published and hit["title"] == "高龄津贴申领条件"
    assert hit["department_name"] == "肇庆市民政局"
    assert hit["items"] == [{"code": AGED, "name": "高龄津贴申领"}]
    assert hit["matched_words"] == ["九十岁", "长寿"]
    assert hit["excerpt"].startswith("年满 80 周岁")
    r = api.call("GET", "/api/v1/knowledge/search?q=长寿金", who="client:demo-mz-system")
    assert [h["id"] for h in r.json()] == [published]
    assert api.call("GET", "/api/v1/knowledge/search?q=", who="demo-hotline").json() == []
    r = api.call("GET", "/api/v1/knowledge/search?q=长寿金", who="demo-citizen")
    assert r.status_code == 403
    r = api.call("GET", "/api/v1/knowledge/search?q=长寿金", who="demo-clerk")
    assert r.status_code == 403
    r = api.call("GET", "/api/v1/knowledge/search?q=" + "长" * 201, who="demo-hotline")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"
    r = api.call("GET", "/api/v1/knowledge/search?q=长寿金&limit=0", who="demo-hotline")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "limit"


def test_wrong_state_is_409_with_the_allowed_actions(api, published):
    before = _state()
    r = api.call(
        "POST",
        f"/api/v1/knowledge/articles/{published}/actions",
        who="demo-head",
        json_body={"action": "publish"},
    )
    assert r.status_code == 409
    assert r.json()["allowed_actions"] == ["retire", "revise"]
    assert "已发布" in r.json()["message"]
    r = api.call(
        "PATCH",
        f"/api/v1/knowledge/articles/{published}",
        who="demo-clerk",
        json_body={"title": "改标题"},
    )
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["revise"]
    assert _state() == before


def test_patch_a_draft_bumps_the_version_and_a_stale_version_is_409(api, catalog):
    no = api.call("POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=BODY).json()[
        "id"
    ]
    r = api.call(
        "PATCH",
        f"/api/v1/knowledge/articles/{no}",
        who="demo-reviewer",
        json_body={"answer": "年满 80 周岁即可申领，按月发放。", "version": 1},
    )
    assert r.status_code == 200
    assert (r.json()["version"], r.json()["answer"], r.json()["title"]) == (
        2,
        "年满 80 周岁即可申领，按月发放。",
        "高龄津贴申领条件",
    )
    r = api.call(
        "PATCH",
        f"/api/v1/knowledge/articles/{no}",
        who="demo-clerk",
        json_body={"title": "旧版本上的修改", "version": 1},
    )
    assert r.status_code == 409 and r.json()["version"] == 2


def test_reads_are_scoped_to_the_department(api, published, catalog):
    draft = api.call(
        "POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=dict(BODY, title="草稿")
    ).json()["id"]
    # the published article: any signed-in caller; the draft: its department's authors only
    r = api.call("GET", f"/api/v1/knowledge/articles/{published}", who="demo-citizen")
    assert r.json()["allowed_actions"] == [] and r.json()["review_note"] == ""
    assert (
        api.call("GET", f"/api/v1/knowledge/articles/{draft}", who="demo-citizen").status_code
        == 404
    )
    assert (
        api.call("GET", f"/api/v1/knowledge/articles/{draft}", who="demo-dataofficer").status_code
        == 404
    )
    assert (
        api.call("GET", f"/api/v1/knowledge/articles/{draft}", who="demo-head").status_code == 200
    )
    listed = api.call("GET", "/api/v1/knowledge/articles?status=draft", who="demo-head").json()
    assert [a["id"] for a in listed] == [draft]
    r = api.call("GET", "/api/v1/knowledge/articles?status=zzz", who="demo-head")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


def test_uses_are_recorded_once_per_ticket(api, published):
    path = f"/api/v1/knowledge/articles/{published}/uses"
    r = api.call("POST", path, who="demo-hotline", json_body={"ticket_no": "RX2026061000001"})
    assert r.json() == {"id": published, "uses": 1}
    r = api.call("POST", path, who="demo-hotline", json_body={"ticket_no": "RX2026061000001"})
    assert r.json() == {"id": published, "uses": 1}
    r = api.call("POST", path, who="demo-clerk", json_body={"ticket_no": "RX2026061000002"})
    assert r.status_code == 403
