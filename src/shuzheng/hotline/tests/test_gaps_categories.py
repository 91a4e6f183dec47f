"""Issue 18 item 2: the center's 班长 edits the category tree over the API (no Django admin):
add, rename, move, change departments, deactivate (with its subtree), delete only when unused;
audited; 422s in Chinese naming the field with nothing changed; the suggestion stays in step
(an added leaf is never suggested, a deactivated one is dropped, a renamed one renamed)."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.hotline import facade
from shuzheng.hotline.models import Category
from shuzheng.hotline.tests.conftest import LEAD, NOISE, OPERATOR, at

pytestmark = pytest.mark.django_db
URL = "/api/v1/hotline/categories"


def _tree():
    return (
        list(Category.objects.order_by("code").values_list("code", "name", "parent_id", "active")),
        AuditRecord.objects.filter(action__startswith="hotline.category").count(),
    )


def _fields(r):
    return {e["field"]: e["message"] for e in r.json()["errors"]}


def _patch(api, code, body, who=LEAD):
    import json

    return api.client.patch(
        f"{URL}/{code}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token(who)}",
    )


def _delete(api, code, who=LEAD):
    return api.client.delete(f"{URL}/{code}", HTTP_AUTHORIZATION=f"Bearer {api.token(who)}")


def test_the_supervisor_adds_a_leaf_under_a_second_level(api):
    with at(2026, 11, 23, 9):
        r = api.call(
            "POST",
            URL,
            who=LEAD,
            json_body={"name": "二次供水水箱", "parent": "100100", "department": "441200-SWUJ"},
        )
        # a new 一级 takes the next free NN0000; its departments default to none
        top = api.call("POST", URL, who=LEAD, json_body={"name": "城市大脑"}).json()
    assert r.status_code == 201, r.content
    body = r.json()
    assert body == {
        "code": body["code"],
        "name": "二次供水水箱",
        "level": 3,
        "parent_code": "100100",
        "departments": ["441200-SWUJ"],
        "path": ["水务", "供水", "二次供水水箱"],
        "active": True,
    }
    assert body["code"].startswith("1001") and len(body["code"]) == 6
    assert not Category.objects.exclude(name="二次供水水箱").filter(code=body["code"]).exists()
    record = AuditRecord.objects.filter(action="hotline.category_create").order_by("id")
    assert [(x.actor, x.object_id) for x in record] == [
        (f"user:{LEAD}", body["code"]),
        (f"user:{LEAD}", top["code"]),
    ]
    assert top["level"] == 1 and top["code"].endswith("0000") and top["departments"] == []
    # an added leaf without training data is never suggested, but tickets may use it
    found = facade.suggest(text="二次供水水箱好脏，水有异味")
    assert (found["category"] or {}).get("code") != body["code"]
    with at(2026, 11, 23, 10):
        t = api.call(
            "POST",
            "/api/v1/hotline/tickets",
            who=OPERATOR,
            json_body={**NOISE, "category": body["code"]},
        )
    assert t.status_code == 201 and t.json()["category"]["code"] == body["code"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": ""}, "name", "请填写分类名称。"),
        ({"name": "长" * 65}, "name", "分类名称不能超过 64 个字。"),
        (
            {"name": "停水与水质", "parent": "100100"},
            "name",
            "同一上级下已有名为“停水与水质”的分类。",
        ),
        ({"name": "新", "parent": "999900"}, "parent", "上级分类“999900”不存在。"),
        (
            {"name": "新", "parent": "100101"},
            "parent",
            "诉求分类最多三级，三级分类下不能再添加分类。",
        ),
        (
            {"name": "新", "parent": "100100", "department": "NO-SUCH"},
            "department",
            "承办部门“NO-SUCH”不存在。",
        ),
        ({"name": "新", "departments": ["441200-SWUJ", "X"]}, "departments", "承办部门“X”不存在。"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_changes(api, body, field, words):
    before = _tree()
    r = api.call("POST", URL, who=LEAD, json_body=body)
    assert r.status_code == 422, r.content
    assert _fields(r) == {field: words}
    assert _tree() == before


@pytest.mark.parametrize("who", [OPERATOR, "demo-handler-sw", "demo-citizen", "demo-admin"])
def test_only_the_supervisor_edits(api, who):
    before = _tree()
    assert api.call("POST", URL, who=who, json_body={"name": "新"}).status_code == 403
    assert _patch(api, "100101", {"name": "改"}, who=who).status_code == 403
    assert _delete(api, "100101", who=who).status_code == 403
    assert api.call("GET", f"{URL}?include_inactive=true", who=who).status_code == 403
    assert _tree() == before


def test_rename_move_and_departments(api):
    with at(2026, 11, 23, 9):
        r = _patch(api, "100101", {"name": "停水、水压与水质", "departments": ["441200-SWUJ"]})
        assert r.status_code == 200, r.content
        assert r.json()["path"] == ["水务", "供水", "停水、水压与水质"]
        record = AuditRecord.objects.filter(action="hotline.category_update").latest("id")
        assert (record.before["name"], record.after["name"]) == ("停水与水质", "停水、水压与水质")
        # a renamed category is suggested under its new name
        found = facade.in_step_with_tree(
            {"category": {"code": "100101", "name": "停水与水质", "path": [], "score": 0.9}}
        )
        assert found["category"] == {
            "code": "100101",
            "name": "停水、水压与水质",
            "path": ["水务", "供水", "停水、水压与水质"],
            "score": 0.9,
        }
        # moves only to a parent of the same level
        before = _tree()
        up = _patch(api, "100101", {"parent": "100000"})
        assert up.status_code == 422 and _fields(up) == {
            "parent": "只能移到与原上级分类同一级的分类下。"
        }
        assert _tree() == before
        other_l2 = next(
            c for c in Category.objects.filter(level=2).exclude(code="100100").order_by("code")
        )
        moved = _patch(api, "100101", {"parent": other_l2.code})
        assert moved.status_code == 200 and moved.json()["parent_code"] == other_l2.code


def test_deactivate_a_branch_and_the_suggestion_drops_it(api):
    with at(2026, 11, 23, 9):
        r = _patch(api, "100100", {"active": False})
        assert r.status_code == 200, r.content
        listed = api.call("GET", f"{URL}?include_inactive=true", who=LEAD).json()
        # a deactivated category takes no new ticket; reactivating a leaf needs its parent active
        t = api.call(
            "POST",
            "/api/v1/hotline/tickets",
            who=OPERATOR,
            json_body={**NOISE, "category": "100101"},
        )
        before = _tree()
        back = _patch(api, "100101", {"active": True})
    children = Category.objects.filter(parent__code="100100")
    assert children.exists() and not children.filter(active=True).exists()
    record = AuditRecord.objects.filter(action="hotline.category_update").latest("id")
    assert sorted(record.after["deactivated_below"]) == sorted(c.code for c in children)
    assert "100101" not in {c.code for c in facade.categories()}
    assert "100101" in {c.code for c in facade.categories(include_inactive=True)}
    assert next(c for c in listed if c["code"] == "100101")["active"] is False
    found = facade.in_step_with_tree(
        {"category": {"code": "100101", "name": "停水与水质", "path": [], "score": 0.9}}
    )
    assert found["category"] is None
    assert t.status_code == 422 and "category" in _fields(t)
    assert back.status_code == 422
    assert _fields(back) == {"active": "上级分类已停用，请先启用上级分类。"}
    assert _tree() == before


def test_a_category_in_use_cannot_be_deleted(api, hotline):
    with at(2026, 11, 23, 9):
        hotline.noise()  # category 020202
        before = _tree()
        used = _delete(api, "020202")
        assert used.status_code == 409
        assert used.json()["message"] == "已有工单使用该分类，不能删除；如不再使用，请将其停用。"
        parent = _delete(api, "020300")
        assert parent.status_code == 409 and "下级分类" in parent.json()["message"]
        assert _tree() == before
        new = api.call("POST", URL, who=LEAD, json_body={"name": "临时", "parent": "020300"})
        code = new.json()["code"]
        gone = _delete(api, code)
        assert gone.status_code == 204
        assert not Category.objects.filter(code=code).exists()
        record = AuditRecord.objects.filter(action="hotline.category_delete").latest("id")
        assert (record.object_id, record.before["name"]) == (code, "临时")
        assert _delete(api, code).status_code == 404
