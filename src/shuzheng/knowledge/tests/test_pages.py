"""知识库 pages without JavaScript: a department's staff write and submit, a reviewer publishes
or returns with a reason from the 待审核 queue, the expiry warning list, 常见问题 for everyone."""

from __future__ import annotations

import re

import pytest
from tests.support import DEMO_PASSWORD

from shuzheng.knowledge import services
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article
from shuzheng.knowledge.tests.conftest import AGED, CLERK, LEAD, MZJ

pytestmark = pytest.mark.django_db


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _text(r):
    html = r.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


FORM = {
    "title": "长者饭堂就餐",
    "questions": "长者饭堂在哪里\n老人食堂怎么吃饭",
    "answer": "长者饭堂由各镇街运营，60 岁以上老人凭身份证就餐。",
    "department": MZJ,
    "category": "civil_affairs",
    "items": "",
    "tags": "长者饭堂，养老",
    "valid_from": "",
    "valid_to": "",
}


def test_staff_write_a_draft_see_errors_in_chinese_and_submit(client, catalog):
    _login(client, "demo-clerk")
    r = client.get("/knowledge/manage/new/")
    assert r.status_code == 200 and "新建知识条目" in _text(r)
    r = client.post("/knowledge/manage/new/", dict(FORM, title="", valid_to="明天"))
    assert r.status_code == 422
    text = _text(r)
    assert "请填写标题。" in text and "失效日期应为日期" in text
    assert Article.objects.count() == 0
    r = client.post("/knowledge/manage/new/", FORM)
    a = Article.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/knowledge/manage/{a.pk}/?done=create"
    assert (a.questions, a.tags) == (["长者饭堂在哪里", "老人食堂怎么吃饭"], ["长者饭堂", "养老"])
    r = client.get(r["Location"])
    assert "已保存为草稿。" in _text(r) and "提交审核" in _text(r)
    r = client.post(
        f"/knowledge/manage/{a.pk}/edit/", dict(FORM, answer="每餐 10 元。", version="1")
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.answer, a.version) == ("每餐 10 元。", 2)
    r = client.post(f"/knowledge/manage/{a.pk}/submit/")
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "in_review"
    # submitting twice: the page says why, nothing changes
    r = client.post(f"/knowledge/manage/{a.pk}/submit/")
    assert r.status_code == 409 and "待审核" in _text(r) and "不能提交审核" in _text(r)
    # a draft no longer: editing is refused in words
    r = client.get(f"/knowledge/manage/{a.pk}/edit/")
    assert r.status_code == 409 and "只有草稿可以修改" in _text(r)


def test_the_reviewer_returns_with_a_reason_then_publishes_from_the_queue(client, catalog):
    a = services.article_create(
        principal=CLERK,
        data=ArticleInput(
            title="高龄津贴", answer="年满 80 周岁可申领。", department=MZJ, items=(AGED,)
        ),
    )
    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    _login(client, "demo-head")
    r = client.get("/knowledge/review/")
    assert r.status_code == 200 and "高龄津贴" in _text(r) and "退回修改的原因" in _text(r)
    r = client.post(f"/knowledge/manage/{a.pk}/return/", {"reason": "", "next": "review"})
    assert r.status_code == 422 and "请填写退回修改的原因。" in _text(r)
    r = client.post(f"/knowledge/manage/{a.pk}/return/", {"reason": "请写明标准", "next": "review"})
    assert r.status_code == 302 and r["Location"] == "/knowledge/review/?done=return"
    a.refresh_from_db()
    assert (a.status, a.review_note) == ("draft", "请写明标准")
    services.article_act(principal=CLERK, article_id=a.pk, action="submit")
    r = client.post(f"/knowledge/manage/{a.pk}/publish/", {"next": "review"})
    assert r.status_code == 302
    assert "已发布，话务员现在可以检索到这条知识。" in _text(client.get(r["Location"]))
    a.refresh_from_db()
    assert a.status == "published"


def test_the_management_page_lists_the_departments_articles_and_warns_of_expiry(client, catalog):
    mine = services.article_create(
        principal=LEAD,
        data=ArticleInput(
            title="高龄津贴（年度标准）", answer="按月发放。", department=MZJ, valid_to="2026-07-01"
        ),
    )
    services.article_act(principal=LEAD, article_id=mine.pk, action="submit")
    services.article_act(principal=LEAD, article_id=mine.pk, action="publish")
    other = services.article_create(
        principal=LEAD,
        data=ArticleInput(title="驾驶证换证", answer="到车管所。", department="441200-GAJ"),
    )
    _login(client, "demo-head")  # heads 民政 and 政数
    text = _text(client.get("/knowledge/manage/"))
    assert "高龄津贴（年度标准）" in text and "驾驶证换证" not in text
    assert "即将到期的条目" in text and "2026年7月1日 失效" in text
    assert client.get(f"/knowledge/manage/{other.pk}/").status_code == 404
    client.logout()
    _login(client, "demo-dataofficer")
    assert client.get("/knowledge/manage/").status_code == 403


def test_faq_is_public_and_shows_only_published_articles_in_force(client, catalog):
    a = services.article_create(
        principal=LEAD,
        data=ArticleInput(
            title="社保卡丢失怎么补办", answer="先挂失再补办。", department="441200-RSJ"
        ),
    )
    draft = services.article_create(
        principal=LEAD,
        data=ArticleInput(title="社保卡草稿", answer="未定。", department="441200-RSJ"),
    )
    services.article_act(principal=LEAD, article_id=a.pk, action="submit")
    services.article_act(principal=LEAD, article_id=a.pk, action="publish")
    text = _text(client.get("/knowledge/"))
    assert "社保卡丢失怎么补办" in text and "社保卡草稿" not in text
    text = _text(client.get("/knowledge/?q=社保卡唔见咗"))
    assert "查找结果" in text and "社保卡丢失怎么补办" in text
    r = client.get(f"/knowledge/faq/{a.pk}/")
    assert r.status_code == 200 and "先挂失再补办。" in _text(r)
    assert client.get(f"/knowledge/faq/{draft.pk}/").status_code == 404
