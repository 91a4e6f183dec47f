"""The 公文库 upload page in a real browser: a document officer selects two files (a Word
document and a PDF with a text layer, traditional characters), sees each one's GB/T 9704
elements, corrects a 文号 that does not parse — the refusal names the field and the file —
and registers both; the search finds the PDF by a simplified query. Axe-checked; time frozen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import check_axe, login

pytestmark = pytest.mark.browser

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def upload_site(site):
    with time_machine.travel(dt.datetime(2022, 7, 5, 10, tzinfo=TZ), tick=True):
        yield site


def test_officer_uploads_corrects_and_registers(upload_site, new_context, tmp_path):
    from shuzheng.documents.tests.test_formats import DOCX_LINES, PDF_LINES, make_docx, make_pdf

    (tmp_path / "通知.docx").write_bytes(make_docx(DOCX_LINES))
    (tmp_path / "證照.pdf").write_bytes(make_pdf(PDF_LINES))
    site = upload_site
    page = new_context().new_page()
    login(page, site, "demo-dataofficer")
    page.goto(f"{site}/documents/")
    page.get_by_role("link", name="登记公文（上传文件）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记公文")
    check_axe(page, context="登记公文")
    page.get_by_label("公文文件").set_input_files([tmp_path / "通知.docx", tmp_path / "證照.pdf"])
    page.get_by_role("button", name="识别公文要素").click()

    number = page.get_by_label("发文字号（通知.docx）")
    expect(number).to_have_value("肇政数函〔2022〕8号")
    expect(page.get_by_label("标题（證照.pdf）")).to_have_value(
        "肇慶市政務服務數據管理局關於推進電子證照應用的通知"
    )
    check_axe(page, context="核对公文要素")
    number.fill("肇政数函2022第8号")
    page.get_by_role("button", name="确认登记").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("通知.docx：发文字号“肇政数函2022第8号”无法识别")
    expect(page.get_by_label("发文字号（通知.docx）")).to_have_attribute("aria-invalid", "true")
    check_axe(page, context="公文要素有误")

    page.get_by_label("发文字号（通知.docx）").fill("肇政数函[2022]8号")
    page.get_by_label("成文日期（證照.pdf）").fill("2022-07-04")
    page.get_by_role("button", name="确认登记").click()
    done = page.get_by_role("status")
    expect(done).to_contain_text("已登记 2 份公文")
    page.get_by_role("link", name="肇慶市政務服務數據管理局關於推進電子證照應用的通知").click()
    expect(page.locator("main dl")).to_contain_text("2022年7月4日")

    page.goto(f"{site}/documents/?q=电子证照")
    expect(page.locator("main li").first.locator("mark").first).to_have_text("電子證照")
