"""Printable notices of a case as sealed PDFs (issue 17): 受理通知书, 一次性告知书 (the items the
clerk asked for) and 不予受理通知书 (the reason, the rights to 复议 and 诉讼); available once the
case reached that point (409 before), to the applicant and the department's handling staff
(404 for anyone else), PAdES-signed with the department's seal, every download audited."""

import datetime as dt
import io

import pytest
import time_machine
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from shuzheng.audit.models import AuditRecord
from shuzheng.seals import facade as seals

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
DEPARTMENT = "肇庆市市场监督管理局"  # 441200-SCJGJ, of 营业执照（设立登记）
STAFF_AND_CITIZENS = (
    *("demo-citizen", "demo-clerk", "demo-reviewer", "demo-elder"),
    *("demo-dataofficer", "demo-hotline", "demo-admin"),
)


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


# --- reading a PDF back ------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text the pages show (pypdf reads the CID font's and the embedded seal font's
    strings alike)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_info(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {k: str(v) for k, v in reader.trailer["/Info"].items()}


# --- the case ----------------------------------------------------------------------------------


def _submitted(catalog, cases):
    r = cases.apply("demo-citizen", catalog["licence"])
    assert r.status_code == 201, r.content
    return r.json()["case_no"]


def _notice(api, no, kind, who="demo-citizen"):
    return api.call("GET", f"/api/v1/cases/{no}/notices/{kind}.pdf", who=who)


def test_acceptance_notice_is_sealed_and_names_the_case_and_department(catalog, cases, api):
    with at(2026, 11, 23):
        no = _submitted(catalog, cases)
        assert cases.act("demo-clerk", no, "accept").status_code == 200
        r = _notice(api, no, "acceptance")
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    pdf = r.content
    verdict = seals.verify_pdf(pdf)
    assert verdict.valid and verdict.department_code == "441200-SCJGJ", verdict
    text = pdf_text(pdf)
    assert "受理通知书" in text and f"编号：{no}-SL" in text and DEPARTMENT in text
    assert "李明：" in text  # addressed to the applicant
    assert "2026年11月23日" in text  # accepted on
    assert "承诺于2026年11月30日前办结" in text.replace("\n", "")
    info = pdf_info(pdf)
    assert info["/Title"] == f"受理通知书 {no}" and info["/Author"] == DEPARTMENT
    # a changed byte in the page's (compressed) content breaks the seal
    where = pdf.index(b"stream\n", pdf.index(b"/FlateDecode")) + 20
    tampered = pdf[:where] + bytes([pdf[where] ^ 0x01]) + pdf[where + 1 :]
    assert not seals.verify_pdf(tampered).valid
    rec = AuditRecord.objects.get(action="cases.notice_pdf")
    assert (rec.actor, rec.object_id) == ("user:demo-citizen", no)
    assert rec.after["kind"] == "acceptance" and rec.after["doc_no"] == f"{no}-SL"


def test_correction_notice_lists_every_item_the_clerk_asked_for(catalog, cases, api):
    # each item names a material of the item (the 补正 rules), then what is wrong with it
    items = ["公司章程：缺少全体股东签字页", "住所使用证明：租赁合同已过期"]
    with at(2026, 11, 24):
        no = _submitted(catalog, cases)
        r = cases.act("demo-clerk", no, "request_correction", items=items, note="请补齐后提交")
        assert r.status_code == 200, r.content
        pdf = _notice(api, no, "correction").content
    assert seals.verify_pdf(pdf).valid
    text = pdf_text(pdf)
    assert "一次性告知书" in text and f"{no}-BZ" in text and DEPARTMENT in text
    joined = text.replace("\n", "")
    assert f"1．{items[0]}" in joined and f"2．{items[1]}" in joined
    assert "补正说明：请补齐后提交。" in joined and "2026年11月24日" in text


def test_refusal_notice_gives_the_reason_and_the_rights(catalog, cases, api):
    with at(2026, 11, 25):
        no = _submitted(catalog, cases)
        r = cases.act("demo-clerk", no, "refuse", note="申请事项不属于本机关职权范围")
        assert r.status_code == 200, r.content
        pdf = _notice(api, no, "refusal", who="demo-clerk").content  # the department's staff
    assert seals.verify_pdf(pdf).valid
    joined = pdf_text(pdf).replace("\n", "")
    assert "不予受理通知书" in joined and f"{no}-BY" in joined and DEPARTMENT in joined
    assert "不予受理的理由：申请事项不属于本机关职权范围。" in joined
    assert "六十日内依法申请行政复议" in joined and "六个月内依法向人民法院提起行政诉讼" in joined


def test_a_notice_before_the_case_reached_its_point_is_a_409(catalog, cases, api):
    with at(2026, 11, 23):
        no = _submitted(catalog, cases)
        answers = {kind: _notice(api, no, kind) for kind in ("acceptance", "correction", "refusal")}
        cases.act("demo-clerk", no, "refuse", note="不属于本机关职权范围")
        refused = _notice(api, no, "acceptance")
    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 409)
    assert answers["acceptance"].json()["message"] == "该办件尚未受理，受理后才能下载受理通知书。"
    assert answers["correction"].json()["message"] == "该办件没有补正告知，没有一次性告知书。"
    assert answers["refusal"].json()["message"] == "该办件没有被不予受理，没有不予受理通知书。"
    assert refused.status_code == 409
    assert refused.json()["message"] == "该办件不予受理，没有受理通知书；请下载不予受理通知书。"
    assert not AuditRecord.objects.filter(action="cases.notice_pdf").exists()


def test_only_the_applicant_and_the_departments_handling_staff(catalog, cases, api):
    with at(2026, 11, 23):
        no = _submitted(catalog, cases)
        cases.act("demo-clerk", no, "accept")
        status = {
            who: _notice(api, no, "acceptance", who=who).status_code for who in STAFF_AND_CITIZENS
        }
        anonymous = api.client.get(f"/api/v1/cases/{no}/notices/acceptance.pdf")
        bad_kind = _notice(api, no, "licence")
    assert status == {
        "demo-citizen": 200,
        "demo-clerk": 200,
        "demo-reviewer": 200,
        "demo-elder": 404,  # someone else's case
        "demo-dataofficer": 404,  # not a handling role
        "demo-hotline": 404,
        "demo-admin": 404,
    }
    assert anonymous.status_code == 401
    assert bad_kind.status_code == 422 and bad_kind.json()["errors"][0]["field"] == "kind"
    assert AuditRecord.objects.filter(action="cases.notice_pdf").count() == 3


# --- the pages ---------------------------------------------------------------------------------


def test_the_case_pages_link_the_notices_and_serve_them(catalog, cases, api, client):
    from shuzheng.identity.models import User

    with at(2026, 11, 23):
        no = _submitted(catalog, cases)
        client.force_login(User.objects.get(username="demo-citizen"))
        before = client.get(f"/cases/{no}/").content.decode()
        cases.act("demo-clerk", no, "accept")
        page = client.get(f"/cases/{no}/").content.decode()
        served = client.get(f"/cases/{no}/notices/acceptance.pdf")
        early = client.get(f"/cases/{no}/notices/refusal.pdf")
        unknown = client.get(f"/cases/{no}/notices/licence.pdf")
        client.force_login(User.objects.get(username="demo-elder"))
        other = client.get(f"/cases/{no}/notices/acceptance.pdf")
        client.force_login(User.objects.get(username="demo-reviewer"))
        desk = client.get(f"/workbench/cases/{no}/").content.decode()
        staff = client.get(f"/cases/{no}/notices/acceptance.pdf")
    link = f'href="/cases/{no}/notices/acceptance.pdf"'
    assert 'data-testid="notices"' not in before
    assert link in page and "refusal.pdf" not in page
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert seals.verify_pdf(served.content).valid
    assert early.status_code == 409 and "没有不予受理通知书" in early.content.decode()
    assert unknown.status_code == 404 and other.status_code == 404
    assert link in desk
    assert staff.status_code == 200 and seals.verify_pdf(staff.content).valid
