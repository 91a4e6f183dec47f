"""The 答复 SMS carries a short signed 评价 link: the caller rates without logging in (an
anonymous caller has no account); the link is good for its ticket and answer round only, and
the rating goes through the one save path (audited, 409 once rated). And the anonymous caller's
SMS code lives in identity's database, not in the web session: another web node (another
session) checks it, and its one-a-minute limit holds across sessions."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.hotline.models import Callback, Ticket, TicketStatus
from shuzheng.hotline.services import rating_link
from shuzheng.hotline.tests.conftest import CG, CG_CODE, NOISE, OPERATOR, at

pytestmark = pytest.mark.django_db

PHONE = "13912345678"  # a caller with no account
LINK = re.compile(r"https?://\S+?(/hotline/r/([A-Za-z0-9_-]+)/)")


def _text(r):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", r.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _answered(hotline, capture, answer="已约谈店主，晚上十点后停止营业。"):
    """An anonymous caller's ticket answered by 城管; the link the answer SMS carried."""
    no = hotline.noise(caller_phone=PHONE, caller_name="市民")
    hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
    hotline.act(CG, no, "sign")
    with capture(execute=True):
        assert hotline.act(CG, no, "answer", answer=answer).status_code == 200
    body = OutboxMessage.objects.filter(recipient=PHONE).latest("id").body
    assert answer[:10] in body
    m = LINK.search(body)
    assert m, body
    return no, m.group(1)


def test_the_answer_sms_links_to_a_rating_without_logging_in(
    hotline, django_capture_on_commit_callbacks
):
    anonymous = Client()
    with at(2026, 11, 23, 9):
        no, path = _answered(hotline, django_capture_on_commit_callbacks)
        assert len(path) < 40  # short: /hotline/r/ + 20 characters
        page = anonymous.get(path)
        assert page.status_code == 200
        text = _text(page)
        assert no in text and "已约谈店主" in text and "请对办理结果作出评价" in text
        assert PHONE not in text and PHONE[-4:] not in text  # nothing of the caller
        r = anonymous.post(path, {"satisfaction": ""})
        assert r.status_code == 422 and "请选择您对办理结果的评价" in _text(r)
        assert Ticket.objects.get(ticket_no=no).status == TicketStatus.ANSWERED
        r = anonymous.post(path, {"satisfaction": "unsatisfied", "note": "晚上还是很吵"})
        assert r.status_code == 200 and "感谢您的评价" in _text(r)
    t = Ticket.objects.get(ticket_no=no)
    assert (t.status, t.satisfaction) == (TicketStatus.UNSATISFIED, "unsatisfied")
    cb = Callback.objects.get(ticket=t)
    assert (cb.actor, cb.note) == ("citizen:rating-link", "晚上还是很吵")
    rec = AuditRecord.objects.filter(action="hotline.callback", object_id=no).get()
    assert rec.actor == "citizen:rating-link"
    with at(2026, 11, 23, 10):
        r = anonymous.post(path, {"satisfaction": "satisfied"})  # rated once: nothing changes
        assert r.status_code == 409
        assert Ticket.objects.get(ticket_no=no).satisfaction == "unsatisfied"
        assert "已评价" in _text(anonymous.get(path))
        # 重办: the old link stops; the new answer texts a new one, which works
        hotline.act(OPERATOR, no, "reopen")
        gone = anonymous.get(path)
        assert gone.status_code == 404 and "评价链接无效或已失效" in _text(gone)
        with django_capture_on_commit_callbacks(execute=True):
            hotline.act(CG, no, "answer", answer="已加装隔音设施。")
        body = OutboxMessage.objects.filter(recipient=PHONE).latest("id").body
        new_path = LINK.search(body).group(1)
        assert new_path != path
        assert anonymous.post(new_path, {"satisfaction": "satisfied"}).status_code == 200
    t.refresh_from_db()
    assert (t.status, t.satisfaction, t.closed_how) == (
        TicketStatus.CLOSED,
        "satisfied",
        "callback",
    )


def test_a_link_not_made_by_the_server_finds_nothing(hotline, django_capture_on_commit_callbacks):
    anonymous = Client()
    with at(2026, 11, 23, 9):
        no, path = _answered(hotline, django_capture_on_commit_callbacks)
        other = hotline.noise()  # another ticket, not answered
        ref = path.rstrip("/").rsplit("/", 1)[1]
        t_other = Ticket.objects.get(ticket_no=other)
        forged = rating_link.rating_ref(t_other)[:8] + ref[8:]  # other id, this MAC
        tampered = ref[:-1] + ("A" if ref[-1] != "A" else "B")
        for bad in (forged, tampered, "abc", "A" * 20):
            r = anonymous.post(f"/hotline/r/{bad}/", {"satisfaction": "satisfied"})
            assert r.status_code == 404, bad
            assert "评价链接无效或已失效" in _text(r)
        # a valid link of a ticket that is not answered: shown, nothing to rate
        r = anonymous.get(f"/hotline/r/{rating_link.rating_ref(t_other)}/")
        assert r.status_code == 200 and "当前不需要评价" in _text(r)
        r = anonymous.post(
            f"/hotline/r/{rating_link.rating_ref(t_other)}/", {"satisfaction": "satisfied"}
        )
        assert r.status_code == 409
    assert Ticket.objects.get(ticket_no=no).status == TicketStatus.ANSWERED
    assert Ticket.objects.get(ticket_no=other).status == TicketStatus.REGISTERED
    assert not Callback.objects.exists()


def _code_for(phone):
    body = OutboxMessage.objects.filter(recipient=phone).latest("id").body
    return re.search(r"(\d{6})", body).group(1)


def test_the_texted_code_is_checked_by_any_web_node(django_capture_on_commit_callbacks):
    """The code is asked for in one session (one web node) and typed in another: identity
    keeps it in the database. The one-a-minute limit per phone holds across sessions too."""
    first, second = Client(), Client()
    with at(2026, 11, 23, 9):
        with django_capture_on_commit_callbacks(execute=True):
            r = first.post("/hotline/new/code/", {"phone": PHONE})
        assert r.status_code == 200 and "验证码已发送" in _text(r)
        code = _code_for(PHONE)
        r = second.post("/hotline/new/code/", {"phone": PHONE})
        assert "请 1 分钟后再重新获取" in _text(r) or "后再重新获取" in _text(r)
        assert OutboxMessage.objects.filter(recipient=PHONE).count() == 1
        data = {"phone": PHONE, "type": "complaint", "content": NOISE["content"]}
        r = second.post("/hotline/new/", {**data, "code": code})
        assert r.status_code == 200 and "诉求已受理" in _text(r)
        assert Ticket.objects.get().caller_phone == PHONE
        r = first.post("/hotline/new/", {**data, "code": code})  # used once
        assert r.status_code == 422 and "请先获取验证码" in _text(r)
    assert Ticket.objects.count() == 1
    assert AuditRecord.objects.filter(action="identity.phone_code_sent").count() == 1
    assert AuditRecord.objects.filter(action="identity.phone_code_verified").count() == 1


def test_five_wrong_codes_spend_it(django_capture_on_commit_callbacks):
    client = Client()
    with at(2026, 11, 23, 9):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/hotline/new/code/", {"phone": PHONE})
        code = _code_for(PHONE)
        wrong = "000000" if code != "000000" else "111111"
        data = {"phone": PHONE, "type": "complaint", "content": NOISE["content"]}
        for _ in range(4):
            r = client.post("/hotline/new/", {**data, "code": wrong})
            assert r.status_code == 422 and "验证码不正确" in _text(r)
        r = client.post("/hotline/new/", {**data, "code": wrong})
        assert r.status_code == 422 and "验证码错误次数过多" in _text(r)
        r = client.post("/hotline/new/", {**data, "code": code})  # spent: the right one too
        assert r.status_code == 422 and "请先获取验证码" in _text(r)
    with at(2026, 11, 23, 9, 11):  # the code expired after 10 minutes
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/hotline/new/code/", {"phone": PHONE})
        fresh = _code_for(PHONE)
    with at(2026, 11, 23, 9, 22):
        r = client.post("/hotline/new/", {**data, "code": fresh})
        assert r.status_code == 422 and "验证码已过期" in _text(r)
    assert not Ticket.objects.exists()
