"""Issue 18 items 1a and 1e: a complaint about an existing 办件 names a case that exists (422
naming ``linked_case_no`` otherwise, nothing changed), the ticket shows the case's status in
words, the case's department is the suggested 主办 and the case's staff read its tickets
(``facade.tickets_for_case``); the operator sees who is calling by phone and their open 办件
(purpose-scoped to the center, audited as a read of personal data)."""

import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.cases import facade as cases
from shuzheng.cases.models import Case
from shuzheng.core.errors import Forbidden
from shuzheng.hotline import facade
from shuzheng.hotline.models import Ticket, TicketEvent
from shuzheng.hotline.tests.conftest import NOISE, OPERATOR, TZ, at
from shuzheng.identity import facade as identity
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db

MZJ = "441200-MZJ"
CASE_NO = "BJ44120020261120000001"


def principal(username):
    from shuzheng.identity.selectors import principal_for_user

    return principal_for_user(User.objects.get(username=username))


def citizen_id():
    return User.objects.get(username="demo-citizen").person.id_number


def make_case(
    no=CASE_NO, *, status="in_progress", applicant=None, dept=MZJ, item="最低生活保障申请"
):
    return Case.objects.create(
        case_no=no,
        kind="item",
        item_code="441200320000130000001",
        item_name=item,
        department_code=dept,
        handling_type="promised",
        promised_days=10,
        applicant_kind="person",
        applicant_id=applicant or citizen_id(),
        applicant_name="李明",
        submitted_by="user:demo-citizen",
        channel="online",
        status=status,
        submitted_at=dt.datetime(2026, 11, 20, 9, tzinfo=TZ),
    )


def _counts():
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        AuditRecord.objects.filter(action__startswith="hotline.").count(),
    )


def test_a_complaint_about_a_case_that_does_not_exist_is_refused(hotline):
    with at(2026, 11, 23, 9):
        make_case()
        before = _counts()
        r = hotline.create(**NOISE, linked_case_no="BJ44120020261120000099")
        assert r.status_code == 422, r.content
        errors = {e["field"]: e["message"] for e in r.json()["errors"]}
        assert errors == {
            "linked_case_no": "未找到编号为 BJ44120020261120000099 的办件，请核对所涉办件编号。"
        }
        assert _counts() == before


def test_a_citizen_names_only_their_own_case(hotline):
    with at(2026, 11, 23, 9):
        make_case()
        make_case("BJ44120020261120000002", applicant="441202199001010011")
        before = _counts()
        other = hotline.create(who="demo-citizen", **NOISE, linked_case_no="BJ44120020261120000002")
        assert other.status_code == 422
        assert [e["field"] for e in other.json()["errors"]] == ["linked_case_no"]
        assert _counts() == before
        own = hotline.create(who="demo-citizen", **NOISE, linked_case_no=CASE_NO.lower())
        assert own.status_code == 201, own.content
        assert own.json()["linked_case"]["case_no"] == CASE_NO


def test_the_link_is_shown_both_ways_and_the_case_department_is_suggested(hotline, api):
    with at(2026, 11, 23, 9):
        make_case()
        r = hotline.create(
            **{**NOISE, "content": "我在办低保，窗口一直说材料不齐，又讲不清缺什么。"},
            linked_case_no=CASE_NO,
        )
        assert r.status_code == 201, r.content
        no = r.json()["ticket_no"]
        assert Ticket.objects.get(ticket_no=no).linked_case_no == CASE_NO
        link = hotline.get(OPERATOR, no).json()["linked_case"]
        assert link == {
            "case_no": CASE_NO,
            "item_name": "最低生活保障申请",
            "status": "in_progress",
            "status_name": "办理中",
            "closed": False,
            "department": MZJ,
            "department_name": identity.department_names()[MZJ],
        }
        # the case's staff page ("相关12345工单") reads the tickets about it
        rows = facade.tickets_for_case(principal("demo-head"), CASE_NO)
        assert [(t["ticket_no"], t["type_name"], t["status_name"]) for t in rows] == [
            (no, "投诉", "待派单")
        ]
        assert "content" not in rows[0] and "caller" not in rows[0]
        # someone who may not see the case learns nothing
        assert facade.tickets_for_case(principal("demo-dataofficer"), CASE_NO) == []
        assert facade.tickets_for_case(principal("demo-citizen"), CASE_NO)[0]["ticket_no"] == no
        # the case's department first, with the reason in words
        s = api.call(
            "POST",
            "/api/v1/hotline/suggest",
            who=OPERATOR,
            json_body={"text": "窗口一直说材料不齐", "linked_case_no": CASE_NO},
        )
        assert s.status_code == 200, s.content
        first = s.json()["departments"][0]
        assert (first["code"], first["why"][0]) == (MZJ, "所涉办件的受理部门")
        assert len({d["code"] for d in s.json()["departments"]}) == len(s.json()["departments"])
        bad = api.call(
            "POST",
            "/api/v1/hotline/suggest",
            who=OPERATOR,
            json_body={"text": "窗口一直说材料不齐", "linked_case_no": "BJ00000000000000000000"},
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "linked_case_no"


def test_with_case_department_moves_an_already_suggested_department_up():
    found = {
        "departments": [
            {"code": "441200-CGJ", "name": "x", "short_name": "x", "score": 0.6, "why": ["噪音"]},
            {"code": MZJ, "name": "y", "short_name": "y", "score": 0.3, "why": ["低保"]},
        ]
    }
    out = facade.with_case_department(found, MZJ)
    assert [(d["code"], d["score"], d["why"]) for d in out["departments"]] == [
        (MZJ, 0.3, ["所涉办件的受理部门", "低保"]),
        ("441200-CGJ", 0.6, ["噪音"]),
    ]
    assert facade.with_case_department(found, "") is found
    assert facade.with_case_department(found, "NO-SUCH") is found


def test_the_operator_sees_the_caller_and_their_open_cases():
    with at(2026, 11, 23, 9):
        make_case()
        make_case("BJ44120020261120000003", status="closed", item="临时救助申请")
        make_case("BJ44120020261120000004", status="draft", item="草稿事项")
        make_case("BJ44120020261120000005", applicant="441202199001010011", item="别人的办件")
        before = AuditRecord.objects.filter(action="cases.hotline_open_cases").count()
        found = facade.caller(principal(OPERATOR), "13800000001")
    assert [(p["name"], p["id_masked"]) for p in found["people"]] == [
        ("李明", identity.mask_id_number(citizen_id()))
    ]
    assert [(c["case_no"], c["item_name"], c["status_name"]) for c in found["open_cases"]] == [
        (CASE_NO, "最低生活保障申请", "办理中")
    ]
    audits = AuditRecord.objects.filter(action="cases.hotline_open_cases").order_by("id")
    assert audits.count() == before + 1
    last = audits.last()
    assert (last.actor, last.object_type, last.object_id) == (
        f"user:{OPERATOR}",
        "person",
        citizen_id(),
    )


def test_persons_by_phone_is_an_exact_match_with_minimal_refs():
    refs = identity.persons_by_phone("13800000001")
    assert [(r.id_number, r.name) for r in refs] == [(citizen_id(), "李明")]
    assert set(refs[0].__dataclass_fields__) == {"id_number", "name"}
    assert identity.persons_by_phone("1380000000") == []
    assert identity.persons_by_phone("138000000011") == []
    assert identity.persons_by_phone("") == []


@pytest.mark.parametrize("who", ["demo-head", "demo-clerk", "demo-handler-cg", "demo-citizen"])
def test_open_cases_are_read_for_the_center_only(who):
    before = AuditRecord.objects.count()
    with pytest.raises(Forbidden):
        cases.hotline_open_cases(principal(who), citizen_id())
    assert AuditRecord.objects.count() == before


def test_an_api_client_links_a_case_but_never_reads_it(hotline):
    with at(2026, 11, 23, 9):
        make_case()
        ok = hotline.create(who="client:demo-bank", **NOISE, linked_case_no=CASE_NO)
        missing = hotline.create(
            who="client:demo-bank", **NOISE, linked_case_no="BJ44120020261120000099"
        )
    assert ok.status_code == 201, ok.content
    assert (ok.json()["linked_case_no"], ok.json()["linked_case"]) == (CASE_NO, None)
    assert "最低生活保障申请" not in ok.content.decode()
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["linked_case_no"]
