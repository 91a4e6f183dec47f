"""12345 pages without JavaScript (issue 18 items 1a, 1b, 1e, 4–6, 8 as pages): the operator
console (who is calling, 知识库 hits, 直接答复办结, 登记), the ticket page's actions for each role,
the queues, the citizen's form, 我的诉求 and 评价, progress by number and phone; who may open
which page, and that nothing of another's ticket leaks."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from tests.support import DEMO_PASSWORD

from shuzheng.hotline.models import Ticket, TicketStatus
from shuzheng.hotline.tests.conftest import CG, CG_CODE, LEAD, NOISE, OPERATOR, SW, at

pytestmark = pytest.mark.django_db

CITIZEN_PHONE = "13800000001"  # demo-citizen 李明's registered mobile


def _login(client, username):
    client.logout()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _text(r):
    html = r.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def articles():
    from shuzheng.knowledge.demo import seed_knowledge

    with at(2026, 11, 23, 9):
        seed_knowledge()


def _no(r):
    found = re.search(r"/hotline/tickets/(12345-\d{8}-\d{6})/", r["Location"])
    assert found, r["Location"]
    return found.group(1)


def test_console_knows_the_caller_answers_from_the_knowledge_base_and_closes(client, articles):
    _login(client, OPERATOR)
    with at(2026, 11, 23, 9):
        r = client.get(f"/hotline/console/?phone={CITIZEN_PHONE}")
        assert r.status_code == 200
        text = _text(r)
        assert "李明" in text and "实名用户" in text
        r = client.get("/hotline/console/kb/", {"content": "社保卡不见了怎么补办"})
        assert r.status_code == 200 and "社保卡丢失怎么补办" in _text(r)
        article = re.search(r'name="article" value="(\d+)"', r.content.decode()).group(1)
        r = client.post(
            "/hotline/console/",
            {
                "caller_phone": CITIZEN_PHONE,
                "type": "consult",
                "content": "社保卡不见了怎么补办？",
                "address": "端州区城东街道",
                "urgency": "normal",
                "article": article,
            },
        )
        assert r.status_code == 302, _text(r)
        no = _no(r)
        t = Ticket.objects.get(ticket_no=no)
        assert t.status == TicketStatus.CLOSED and t.knowledge_ref == article
        assert t.reporter_id_number  # the known caller: his 我的诉求 shows it
        r = client.get(r["Location"])
        assert "已依据知识库直接答复" in _text(r) and "已办结" in _text(r)


def test_console_refuses_bad_input_in_chinese_and_creates_nothing(client):
    _login(client, OPERATOR)
    with at(2026, 11, 23, 9):
        r = client.post(
            "/hotline/console/",
            {"caller_phone": CITIZEN_PHONE, "content": "", "op": "create", "urgency": "normal"},
        )
    assert r.status_code == 200
    assert "请填写" in _text(r) and "诉求内容" in _text(r)
    assert not Ticket.objects.exists()


def _create(client, **extra):
    data = {
        "caller_phone": NOISE["caller_phone"],
        "caller_name": NOISE["caller_name"],
        "type": "complaint",
        "content": NOISE["content"],
        "address": "端州区城东街道天宁北路12号",
        "urgency": "normal",
        "op": "create",
        **extra,
    }
    r = client.post("/hotline/console/", data)
    assert r.status_code == 302, _text(r)
    return _no(r)


def _act(client, no, action, **params):
    return client.post(f"/hotline/tickets/{no}/act/", {"action": action, **params})


def test_the_whole_path_through_the_pages(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        no = _create(client)
        page = _text(client.get(f"/hotline/tickets/{no}/"))
        assert "派单建议" in page and "市城市管理和综合执法局" in page
        r = _act(client, no, "dispatch", department=CG_CODE)
        assert r.status_code == 302
        _login(client, CG)
        page = _text(client.get(f"/hotline/tickets/{no}/"))
        assert "李*" in page and NOISE["caller_phone"] not in page  # masked for a department
        assert "剩余 14 天 14 小时" in page  # 10 working days from Monday 09:00, in words
        assert _act(client, no, "sign").status_code == 302
        r = _act(client, no, "return", reason="")
        assert r.status_code == 422 and "请填写退单理由" in _text(r)
        assert Ticket.objects.get(ticket_no=no).status == TicketStatus.HANDLING
        r = _act(client, no, "return", reason="属噪声扰民，应由公安处理")
        assert r.status_code == 302
        assert Ticket.objects.get(ticket_no=no).status == TicketStatus.RETURNED
        _login(client, OPERATOR)
        assert _act(client, no, "dispatch", department=CG_CODE).status_code == 302
        _login(client, CG)
        _act(client, no, "sign")
        assert (
            _act(client, no, "answer", answer="已约谈店主，晚上十点后停止营业。").status_code == 302
        )
        r = _act(client, no, "sign")  # wrong state: 409 with the allowed actions in words
        assert r.status_code == 409
        _login(client, OPERATOR)
        r = client.get("/hotline/callbacks/")
        assert no in _text(r)
        r = client.post(
            f"/hotline/tickets/{no}/act/",
            {"action": "callback", "satisfaction": "unsatisfied", "next": "callbacks"},
        )
        assert r.status_code == 302
        assert _act(client, no, "reopen").status_code == 302
        _login(client, CG)
        _act(client, no, "answer", answer="已联合公安夜查，烧烤档已整改。")
        _login(client, OPERATOR)
        _act(client, no, "callback", satisfaction="satisfied")
    t = Ticket.objects.get(ticket_no=no)
    assert t.status == TicketStatus.CLOSED and t.reopen_count == 1 and t.return_count == 1


def test_who_opens_which_page(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        no = _create(client)
        _act(client, no, "dispatch", department=CG_CODE)
        client.logout()
        for url in ("/hotline/console/", "/hotline/tickets/", f"/hotline/tickets/{no}/"):
            r = client.get(url)
            assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        assert client.get("/hotline/").status_code == 200
        assert client.get("/hotline/progress/").status_code == 200
        expected = {
            "demo-citizen": (403, 403, 403, 403),
            "demo-clerk": (403, 403, 403, 403),
            SW: (403, 200, 404, 403),
            CG: (403, 200, 200, 403),
            OPERATOR: (200, 200, 200, 200),
            LEAD: (200, 200, 200, 200),
        }
        for who, codes in expected.items():
            _login(client, who)
            got = tuple(
                client.get(url).status_code
                for url in (
                    "/hotline/console/",
                    "/hotline/tickets/",
                    f"/hotline/tickets/{no}/",
                    "/hotline/callbacks/",
                )
            )
            assert got == codes, who
        _login(client, SW)
        assert no not in _text(client.get("/hotline/tickets/"))
        _login(client, OPERATOR)
        assert client.get("/hotline/supervisor/").status_code == 403
        _login(client, LEAD)
        assert client.get("/hotline/supervisor/").status_code == 200


def test_a_citizen_files_follows_and_rates(client):
    with at(2026, 11, 23, 9):
        _login(client, "demo-citizen")
        r = client.post(
            "/hotline/new/",
            {"type": "help", "content": "鼎湖区坑口街道路灯坏了一个星期，晚上很黑。"},
        )
        assert r.status_code == 302
        no = re.search(r"(12345-\d{8}-\d{6})", r["Location"]).group(1)
        assert no in _text(client.get("/hotline/mine/"))
        _login(client, "demo-elder")
        assert client.get(f"/hotline/mine/{no}/").status_code == 404
        assert no not in _text(client.get("/hotline/mine/"))
        _login(client, OPERATOR)
        _act(client, no, "dispatch", department=CG_CODE)
        _login(client, CG)
        _act(client, no, "sign")
        _act(client, no, "answer", answer="路灯已修复。")
        _login(client, "demo-citizen")
        page = _text(client.get(f"/hotline/mine/{no}/"))
        assert "路灯已修复" in page and "请对办理结果作出评价" in page
        r = client.post(f"/hotline/mine/{no}/rate/", {"satisfaction": ""})
        assert r.status_code == 422 and "请选择" in _text(r)
        r = client.post(f"/hotline/mine/{no}/rate/", {"satisfaction": "satisfied"})
        assert r.status_code == 302
    assert Ticket.objects.get(ticket_no=no).status == TicketStatus.CLOSED


def test_anonymous_with_a_texted_code(client, django_capture_on_commit_callbacks):
    from shuzheng.core.models import OutboxMessage  # the demo SMS outbox

    with at(2026, 11, 23, 9):
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/hotline/new/code/", {"phone": "13912345678"})
        assert r.status_code == 200 and "验证码已发送" in _text(r)
        text = OutboxMessage.objects.filter(recipient="13912345678").latest("id").body
        code = re.search(r"(\d{6})", text).group(1)
        data = {
            "phone": "13912345678",
            "type": "complaint",
            "content": "端州区黄岗街道宋城路夜市油烟很大。",
        }
        r = client.post("/hotline/new/", {**data, "code": "000000" if code != "000000" else "1"})
        assert r.status_code == 422 and "验证码不正确" in _text(r)
        assert not Ticket.objects.exists()
        r = client.post("/hotline/new/", {**data, "code": code})
        assert r.status_code == 200 and "诉求已受理" in _text(r)
        no = Ticket.objects.get().ticket_no
        r = client.get("/hotline/progress/", {"ticket_no": no, "phone": "13912345678"})
        assert r.status_code == 200 and "已受理，等待派单" in _text(r)
        r = client.get("/hotline/progress/", {"ticket_no": no, "phone": "13900000000"})
        assert r.status_code == 404 and "未找到该工单" in _text(r)
        assert "宋城路" not in _text(r)


def test_a_confidential_caller_is_hidden_from_the_department(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        no = _create(client, type="report")  # 举报: always 保密
        _act(client, no, "dispatch", department=CG_CODE)
        _login(client, CG)
        page = _text(client.get(f"/hotline/tickets/{no}/"))
    assert "保密（诉求人身份不向承办单位公开）" in page
    assert NOISE["caller_name"] not in page and "138" not in page


def test_extension_and_dispute_go_to_the_supervisor(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        ext = _create(client)
        disputed = _create(client, content="端州区城东街道天宁北路夜间施工噪音扰民，持续一周。")
        for no in (ext, disputed):
            _act(client, no, "dispatch", department=CG_CODE)
        _login(client, CG)
        _act(client, ext, "sign")
        r = _act(client, ext, "extend", amount="x", reason="需协调多部门")
        assert r.status_code == 422 and "请填写延期时长" in _text(r)
        assert _act(client, ext, "extend", amount="5", reason="需协调多部门").status_code == 302
        _act(client, disputed, "return", reason="不属本单位职责")
        _login(client, OPERATOR)
        _act(client, disputed, "dispatch", department=CG_CODE)
        _login(client, CG)
        _act(client, disputed, "return", reason="仍不属本单位职责")
        _login(client, LEAD)
        page = _text(client.get("/hotline/supervisor/"))
        assert ext in page and disputed in page
        assert _act(client, ext, "approve_extension").status_code == 302
        r = _act(client, disputed, "decide", department=CG_CODE, reason="噪声属城管职责")
        assert r.status_code == 302
        page = _text(client.get("/hotline/supervisor/"))
        assert ext not in page and disputed not in page
    assert Ticket.objects.get(ticket_no=ext).extended
    assert Ticket.objects.get(ticket_no=disputed).status == TicketStatus.DISPATCHED


def test_a_citizen_attaches_a_photo_and_not_other_files(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.support import PDF

    with at(2026, 11, 23, 9):
        _login(client, "demo-citizen")
        data = {"type": "complaint", "content": "端州区城东街道天宁北路垃圾堆放三天无人清理。"}
        bad = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
        r = client.post("/hotline/new/", {**data, "photos": bad})
        assert r.status_code == 422 and "不是图片或 PDF 文件" in _text(r)
        assert not Ticket.objects.exists()
        good = SimpleUploadedFile("scan.pdf", PDF, "application/pdf")
        r = client.post("/hotline/new/", {**data, "photos": good})
        assert r.status_code == 302
    t = Ticket.objects.get()
    assert [a["name"] for a in t.attachments] == ["scan.pdf"]


def test_without_javascript_the_console_searches_the_knowledge_base_by_button(client, articles):
    _login(client, OPERATOR)
    with at(2026, 11, 23, 9):
        r = client.post(
            "/hotline/console/",
            {"caller_phone": CITIZEN_PHONE, "content": "公积金租房可以提取吗", "op": "kb"},
        )
    assert r.status_code == 200
    assert "住房公积金提取（租房）" in _text(r) and "依据此条直接答复办结" in _text(r)
    assert "公积金租房可以提取吗" in r.content.decode()  # typed once: the form keeps it
    assert not Ticket.objects.exists()


def test_a_similar_ticket_is_offered_for_merging_and_merged(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        master = _create(client)
        no = _create(client, caller_phone="13912345678", caller_name="张三")
        page = _text(client.get(f"/hotline/tickets/{no}/"))
        assert "相似的在办工单（可合并）" in page and master in page
        assert _act(client, no, "merge", master_no=master).status_code == 302
        page = _text(client.get(f"/hotline/tickets/{no}/"))
    assert "已合并" in page and master in page
    assert Ticket.objects.get(ticket_no=no).master.ticket_no == master


def test_supervision_notice_is_linked_as_a_pdf(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        no = _create(client)
        _act(client, no, "dispatch", department=CG_CODE)
        assert _act(client, no, "urge", note="请尽快签收").status_code == 302
        _login(client, LEAD)
        r = _act(client, no, "supervise", reason="")
        assert r.status_code == 422 and "请填写督办意见" in _text(r)
        assert _act(client, no, "supervise", reason="逾期未签收，请立即办理").status_code == 302
        page = client.get(f"/hotline/tickets/{no}/").content.decode()
        assert f"/hotline/tickets/{no}/supervision/1.pdf" in page
        r = client.get(f"/hotline/tickets/{no}/supervision/1.pdf")
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert "办理时限为 2026年12月7日 23:59。" in text  # dates written as the rest of it
        _login(client, SW)
        assert client.get(f"/hotline/tickets/{no}/supervision/1.pdf").status_code == 404


def test_the_queue_filters_and_pages_without_errors(client):
    with at(2026, 11, 23, 9):
        _login(client, OPERATOR)
        no = _create(client)
        _act(client, no, "dispatch", department=CG_CODE)
        base = "/hotline/tickets/"
        assert no in _text(client.get(base, {"status": "dispatched", "department": CG_CODE}))
        assert no not in _text(client.get(base, {"status": "handling"}))
        assert no not in _text(client.get(base, {"warning": "red"}))
        for page in ("0", "x", "99999999999999999999", ""):
            assert client.get(base, {"page": page, "status": "nonsense"}).status_code == 200
