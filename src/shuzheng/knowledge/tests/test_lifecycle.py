"""The 知识库's services: authoring with Chinese field errors (nothing changed), the review
lifecycle as one table (409 with allowed actions), versions, validity dates and expiry, uses,
every change audited in its transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shuzheng.knowledge import facade, selectors, services
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article, ArticleUse
from shuzheng.knowledge.tests.conftest import (
    AGED,
    CITIZEN,
    CLERK,
    DATA_OFFICER,
    DAY,
    HEAD,
    LEAD,
    MORNING,
    MZJ,
    OTHER_HEAD,
    RSJ,
    SOCIAL_CARD,
)

pytestmark = pytest.mark.django_db


def _input(**over):
    base = {
        "title": "高龄津贴申领条件",
        "questions": ("老人八十岁有补贴吗", "长寿金怎么领"),
        "answer": "年满 80 周岁的肇庆户籍老年人可申领高龄津贴。",
        "department": MZJ,
        "items": (AGED,),
        "category": "civil_affairs",
        "tags": ("高龄津贴",),
    }
    base.update(over)
    return ArticleInput(**base)


def _state():
    return (
        list(Article.objects.order_by("id").values_list("id", "status", "version", "title")),
        AuditRecord.objects.filter(action__startswith="knowledge.").count(),
        ArticleUse.objects.count(),
    )


def _published(**over):
    a = services.article_create(principal=CLERK, data=_input(**over))
    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    return services.article_act(principal=LEAD, article_id=a.pk, action="publish")


def _audits(article):
    return list(
        AuditRecord.objects.filter(object_type="knowledge.article", object_id=str(article.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_create_copies_item_names_starts_a_draft_and_is_audited(catalog):
    a = services.article_create(principal=CLERK, data=_input(valid_to="2026-12-31"))
    assert (a.status, a.version, a.valid_from, a.valid_to) == (
        "draft",
        1,
        DAY,
        dt.date(2026, 12, 31),
    )
    assert a.items == [{"code": AGED, "name": "高龄津贴申领"}]
    assert a.questions == ["老人八十岁有补贴吗", "长寿金怎么领"]
    assert _audits(a) == ["knowledge.article_create"]
    record = AuditRecord.objects.get(object_id=str(a.pk), object_type="knowledge.article")
    assert record.actor == "user:demo-clerk"
    assert record.after["items"] == [AGED]


def test_text_inputs_are_split_into_questions_and_tags(catalog):
    a = services.article_create(
        principal=CLERK,
        data=_input(questions="社保卡丢了\n\n社保卡补办  \n社保卡丢了", tags="社保卡，补办, 挂失"),
    )
    assert a.questions == ["社保卡丢了", "社保卡补办"]
    assert a.tags == ["社保卡", "补办", "挂失"]


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"title": "  "}, "title", "请填写标题。"),
        ({"title": "长" * 81}, "title", "标题不能超过 80 个字"),
        ({"answer": ""}, "answer", "请填写答复口径。"),
        ({"answer": "字" * 1001}, "answer", "答复口径不能超过 1000 个字"),
        ({"answer": "含\x07响铃"}, "answer", "答复口径含有无法显示的字符"),
        ({"questions": tuple(f"问法{i}" for i in range(21))}, "questions", "常见问法最多 20 条"),
        ({"department": ""}, "department", "请选择所属部门。"),
        ({"department": "no-such"}, "department", "所属部门不存在"),
        ({"items": ("NO-SUCH-ITEM",)}, "items", "关联事项不存在或未发布：NO-SUCH-ITEM"),
        ({"category": "风水"}, "category", "请选择列出的分类"),
        ({"valid_from": "2026-02-30"}, "valid_from", "生效日期应为日期"),
        ({"valid_from": "2026-07-01", "valid_to": "2026-06-30"}, "valid_to", "失效日期不能早于"),
        ({"tags": ("标" * 21,)}, "tags", "每个标签不能超过 20 个字"),
    ],
)
def test_bad_input_names_the_field_in_chinese_and_changes_nothing(catalog, over, field, words):
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        services.article_create(principal=CLERK, data=_input(**over))
    assert [e.field for e in exc.value.errors] == [field]
    assert words in exc.value.errors[0].message
    assert _state() == before


def test_several_bad_fields_are_named_together(catalog):
    with pytest.raises(ValidationFailed) as exc:
        services.article_create(principal=CLERK, data=_input(title="", answer="", department=""))
    assert [e.field for e in exc.value.errors] == ["title", "answer", "department"]
    assert exc.value.message.startswith("提交的数据有误")


def test_who_writes_for_which_department(catalog):
    before = _state()
    with pytest.raises(Forbidden):  # the clerk writes for 民政 and 人社, not 公安
        services.article_create(principal=CLERK, data=_input(department="441200-GAJ", items=()))
    with pytest.raises(Forbidden):  # a data officer writes no articles
        services.article_create(principal=DATA_OFFICER, data=_input())
    with pytest.raises(Forbidden):  # citizens neither
        services.article_create(principal=CITIZEN, data=_input())
    assert _state() == before
    # the 12345 center writes for every department
    a = services.article_create(principal=LEAD, data=_input(department=RSJ, items=(SOCIAL_CARD,)))
    assert a.department_code == RSJ


def test_review_lifecycle_with_wrong_states_refused_409(catalog):
    a = services.article_create(principal=CLERK, data=_input())
    # the author may not publish; publish from a draft is a wrong state for anyone
    with pytest.raises(Conflict) as exc:
        services.article_act(principal=HEAD, article_id=a.pk, action="publish")
    assert exc.value.extra == {"status": "draft", "allowed_actions": ["submit"]}
    assert "草稿" in exc.value.message and "审核通过并发布" in exc.value.message

    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    before = _state()
    with pytest.raises(Conflict) as exc:  # the clerk is no reviewer
        services.article_act(principal=CLERK, article_id=a.pk, action="publish")
    assert exc.value.extra["allowed_actions"] == []
    with pytest.raises(NotFound):  # another department's head does not see it
        services.article_act(principal=OTHER_HEAD, article_id=a.pk, action="publish")
    with pytest.raises(ValidationFailed) as v:  # returning needs a reason
        services.article_act(principal=HEAD, article_id=a.pk, action="return", reason=" ")
    assert v.value.errors[0].field == "reason" and "原因" in v.value.message
    with pytest.raises(ValidationFailed) as v:
        services.article_act(principal=HEAD, article_id=a.pk, action="fly")
    assert v.value.errors[0].field == "action"
    assert _state() == before

    returned = services.article_act(
        principal=HEAD, article_id=a.pk, action="return", reason="请写明发放标准"
    )
    assert (returned.status, returned.review_note) == ("draft", "请写明发放标准")
    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    published = services.article_act(principal=LEAD, article_id=a.pk, action="publish")
    assert (published.status, published.published_by) == ("published", "user:demo-hotline-lead")
    assert _audits(a) == [
        "knowledge.article_create",
        "knowledge.article_submit",
        "knowledge.article_return",
        "knowledge.article_submit",
        "knowledge.article_publish",
    ]
    ret = AuditRecord.objects.get(object_id=str(a.pk), action="knowledge.article_return")
    assert (ret.before["status"], ret.after["status"], ret.after["reason"]) == (
        "in_review",
        "draft",
        "请写明发放标准",
    )


def test_edits_only_drafts_count_versions_and_refuse_a_stale_version(catalog):
    a = _published()
    with pytest.raises(Conflict) as exc:
        services.article_update(principal=CLERK, article_id=a.pk, data=_input(title="新标题"))
    assert exc.value.extra["allowed_actions"] == ["revise"]
    services.article_act(principal=CLERK, article_id=a.pk, action="revise")
    edited = services.article_update(
        principal=CLERK, article_id=a.pk, data=_input(title="高龄津贴（2026 年标准）"), version=1
    )
    assert (edited.version, edited.title) == (2, "高龄津贴（2026 年标准）")
    before = _state()
    with pytest.raises(Conflict) as exc:  # someone edited version 1 meanwhile
        services.article_update(principal=CLERK, article_id=a.pk, data=_input(), version=1)
    assert exc.value.extra == {"version": 2}
    # an unchanged save writes nothing
    services.article_update(
        principal=CLERK, article_id=a.pk, data=_input(title="高龄津贴（2026 年标准）"), version=2
    )
    assert _state() == before
    edit = AuditRecord.objects.get(object_id=str(a.pk), action="knowledge.article_edit")
    assert (edit.before["title"], edit.after["title"], edit.after["version"]) == (
        "高龄津贴申领条件",
        "高龄津贴（2026 年标准）",
        2,
    )


def test_only_published_articles_in_force_are_offered(catalog, clock):
    a = _published(valid_to="2026-06-20")
    draft = services.article_create(principal=CLERK, data=_input(title="高龄津贴草稿"))
    hits = facade.search(text="阿嫲九十岁有冇长寿金", limit=5)
    assert [h.id for h in hits] == [a.pk]
    assert facade.article(article_id=a.pk).title == "高龄津贴申领条件"
    assert facade.article(article_id=draft.pk) is None
    # the last day of validity still counts; the next day it is gone
    assert [h.id for h in facade.search(text="长寿金", today=dt.date(2026, 6, 20))] == [a.pk]
    assert facade.search(text="长寿金", today=dt.date(2026, 6, 21)) == []
    clock.move_to(MORNING + dt.timedelta(days=11))
    assert facade.search(text="长寿金") == []
    assert facade.article(article_id=a.pk) is None
    # not yet in force
    later = _published(title="高龄津贴新标准", valid_from="2026-08-01")
    assert later.pk not in [h.id for h in facade.search(text="高龄津贴")]
    assert later.pk in [h.id for h in facade.search(text="高龄津贴", today=dt.date(2026, 8, 1))]


def test_retired_and_revised_articles_leave_the_search(catalog):
    a = _published()
    assert [h.id for h in facade.search(text="长寿金")] == [a.pk]
    with pytest.raises(ValidationFailed):
        services.article_act(principal=HEAD, article_id=a.pk, action="retire")
    services.article_act(principal=HEAD, article_id=a.pk, action="retire", reason="政策调整")
    assert facade.search(text="长寿金") == []
    services.article_act(principal=CLERK, article_id=a.pk, action="revise")
    assert Article.objects.get(pk=a.pk).status == "draft"
    assert facade.search(text="长寿金") == []


def test_expiring_lists_articles_ending_within_30_days_of_the_callers_departments(catalog):
    soon = _published(title="高龄津贴 2026 标准", valid_to="2026-07-10")  # 30 days
    far = _published(title="高龄津贴 远期", valid_to="2026-07-11")  # 31 days
    _published(title="长期有效")
    social = _published(
        title="社保卡补办", department=RSJ, items=(SOCIAL_CARD,), valid_to="2026-06-15"
    )
    assert [a.pk for a in selectors.expiring(CLERK, today=DAY)] == [social.pk, soon.pk]
    assert [a.pk for a in selectors.expiring(HEAD, today=DAY)] == [soon.pk]  # 民政 only
    assert [a.pk for a in selectors.expiring(LEAD, today=DAY)] == [social.pk, soon.pk]
    assert selectors.expiring(OTHER_HEAD, today=DAY) == []
    # ten days on: the expired one stays on the list (no longer offered), the far one joins
    later = DAY + dt.timedelta(days=10)
    assert [a.pk for a in selectors.expiring(CLERK, today=later)] == [social.pk, soon.pk, far.pk]


def test_publishing_an_expired_article_is_refused(catalog, clock):
    a = services.article_create(principal=CLERK, data=_input(valid_to="2026-06-12"))
    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    clock.move_to(MORNING + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as exc:
        services.article_act(principal=HEAD, article_id=a.pk, action="publish")
    assert exc.value.errors[0].field == "valid_to"
    assert Article.objects.get(pk=a.pk).status == "in_review"


def test_uses_are_counted_once_per_ticket(catalog):
    a = _published()
    assert facade.record_use(article_id=a.pk, ticket_no="RX202606100001", actor="user:x") == 1
    assert facade.record_use(article_id=a.pk, ticket_no="RX202606100001") == 1
    assert facade.record_use(article_id=a.pk, ticket_no="RX202606100002") == 2
    assert Article.objects.get(pk=a.pk).uses == 2
    assert facade.article(article_id=a.pk).uses == 2
    with pytest.raises(ValidationFailed) as exc:
        facade.record_use(article_id=a.pk, ticket_no="<x>")
    assert exc.value.errors[0].field == "ticket_no"
    draft = services.article_create(principal=CLERK, data=_input())
    with pytest.raises(NotFound):
        facade.record_use(article_id=draft.pk, ticket_no="RX202606100003")
    assert ArticleUse.objects.count() == 2
