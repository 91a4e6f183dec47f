"""Bad input (issue 18): empty or over-long content, an unknown category or department, a place
outside the city, an attachment that is not an image or PDF, a wrong state — a Chinese message
naming the field (409 with allowed_actions for a wrong state), and nothing changes."""

import pytest
from tests.support import PDF

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.hotline.models import Ticket, TicketEvent
from shuzheng.hotline.tests.conftest import CG, CG_CODE, NOISE, OPERATOR, at

pytestmark = pytest.mark.django_db


def _unchanged():
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        AuditRecord.objects.filter(action__startswith="hotline.").count(),
        OutboxMessage.objects.count(),
    )


def _fields(r):
    return {e["field"]: e["message"] for e in r.json()["errors"]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"content": ""}, "content", "请填写诉求内容"),
        ({"content": "   "}, "content", "请填写诉求内容"),
        ({"content": "噪" * 2001}, "content", "不能超过 2000 个字"),
        ({"category": "999999"}, "category", "诉求分类“999999”不存在"),
        ({"type": "闲聊"}, "type", "诉求类型应为"),
        ({"urgency": "asap"}, "urgency", "紧急程度"),
        ({"address": "广州市天河区体育西路1号"}, "address", "“广州市”不在肇庆市"),
        ({"region_code": "440106"}, "region_code", "不属于肇庆市"),
        ({"lat": 23.13, "lng": 113.26, "address": ""}, "lng", "坐标不在肇庆市范围内"),
        ({"caller_phone": "12345"}, "caller_phone", "联系电话"),
        ({"linked_case_no": "X1"}, "linked_case_no", "关联办件编号格式不正确"),
        ({"reporter_id_number": "440000199001010000"}, "reporter_id_number", "未找到"),
    ],
)
def test_bad_ticket_is_refused_naming_the_field(hotline, change, field, words):
    with at(2026, 11, 23, 9):
        before = _unchanged()
        r = hotline.create(**{**NOISE, **change})
    assert r.status_code == 422, r.content
    assert words in _fields(r)[field]
    assert _unchanged() == before


def test_content_about_another_city_is_refused(hotline):
    with at(2026, 11, 23, 9):
        r = hotline.create(
            type="投诉", content="佛山市南海区桂城街道有个工地夜间施工", caller_phone="13912345678"
        )
    assert r.status_code == 422
    assert "不在肇庆市" in _fields(r)["content"]


def test_attachment_must_be_an_image_or_pdf(hotline, api):
    with at(2026, 11, 23, 9):
        up = api.client.post(
            "/api/v1/files",
            {"file": _upload("notes.txt", b"hello", "text/plain")},
            HTTP_AUTHORIZATION=f"Bearer {api.token(OPERATOR)}",
        )
        assert up.status_code == 422  # files keeps only PDFs and images
        # a stored file of another type (e.g. from an older upload rule) is still refused here
        from shuzheng.files.models import StoredFile

        other_type = StoredFile.objects.create(
            owner="user:demo-hotline",
            name="notes.doc",
            size=5,
            sha256="0" * 64,
            path="x",
            content_type="application/msword",
        )
        before = _unchanged()
        r = hotline.create(**NOISE, attachments=[str(other_type.pk)])
        assert r.status_code == 422
        assert "不是图片或 PDF" in _fields(r)["attachments[0]"]
        assert _unchanged() == before
        pdf = api.client.post(
            "/api/v1/files",
            {"file": _upload("photo.pdf", PDF, "application/pdf")},
            HTTP_AUTHORIZATION=f"Bearer {api.token(OPERATOR)}",
        )
        assert pdf.status_code == 201, pdf.content
        r = hotline.create(**NOISE, attachments=[pdf.json()["file_id"]])
        assert r.status_code == 201, r.content
        assert r.json()["attachments"][0]["content_type"] == "application/pdf"
        other = hotline.create(**NOISE, attachments=["00000000-0000-0000-0000-000000000000"])
    assert other.status_code == 422
    assert "不是您上传的文件" in _fields(other)["attachments[0]"]


def _upload(name, data, ctype):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=ctype)


def test_unknown_department_and_missing_reason_change_nothing(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        before = _unchanged()
        r = hotline.act(OPERATOR, no, "dispatch", department="441200-XXX")
        assert r.status_code == 422 and "承办单位“441200-XXX”不存在" in _fields(r)["department"]
        r = hotline.act(OPERATOR, no, "dispatch", department="440000-GAT")  # a provincial one
        assert r.status_code == 422 and "department" in _fields(r)
        r = hotline.act(OPERATOR, no, "dispatch", department=CG_CODE, assisting=["bogus"])
        assert r.status_code == 422 and "assisting[0]" in _fields(r)
        assert _unchanged() == before
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        before = _unchanged()
        r = hotline.act(CG, no, "return", reason="")
        assert r.status_code == 422 and _fields(r)["reason"] == "请填写退单理由。"
        r = hotline.act(CG, no, "fly")
        assert r.status_code == 422 and r.json()["allowed_actions"] == ["sign", "return"]
        r = hotline.act(OPERATOR, no, "callback", satisfaction="满意")
        assert r.status_code == 409
        assert "待签收" in r.json()["message"]
        assert set(r.json()["allowed_actions"]) == {"transfer", "urge"}
        assert _unchanged() == before
        hotline.act(CG, no, "sign")
        before = _unchanged()
        r = hotline.act(CG, no, "extend", amount=99, reason="太忙")
        assert r.status_code == 422 and "延期时长" in _fields(r)["amount"]
        r = hotline.act(CG, no, "answer", answer="")
        assert r.status_code == 422 and _fields(r)["answer"] == "请填写答复内容。"
        assert _unchanged() == before
    assert Ticket.objects.get(ticket_no=no).status == "handling"


def test_callback_needs_a_known_rating(hotline):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        hotline.act(CG, no, "sign")
        hotline.act(CG, no, "answer", answer="已处理")
        before = _unchanged()
        r = hotline.act(OPERATOR, no, "callback", satisfaction="还行")
    assert r.status_code == 422 and "satisfaction" in _fields(r)
    assert _unchanged() == before
