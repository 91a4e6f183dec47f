"""A window clerk previews an applicant's materials on the workbench case page (issue 17
defect 2), in a real browser: the photo is shown as an image and the PDF in a frame by the
browser's own PDF viewer — under the pages' strict CSP, without JavaScript of ours — and the
link opens the PDF inline in a new tab, not as a download. Every view is an audit record.
axe-core runs on the page, on a desktop and on a phone, where the previews fit the screen.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import expect

from tests.support import PDF, Api

from .conftest import PHONE, check_axe, login

pytestmark = pytest.mark.browser


def photo() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def filed(site: str, settings: Any, tmp_path: Any) -> dict[str, str]:
    """李明's 营业执照（设立登记） at 市市场监督管理局 (where demo-clerk is a window clerk), filed
    through the API: M1 a PDF, M2 a photo, M3 another PDF."""
    from shuzheng.catalog import services as catalog_services
    from shuzheng.catalog.tests import fixtures

    settings.MEDIA_ROOT = tmp_path / "media"
    item = fixtures.business_license()
    catalog_services.catalog_import(
        actor="user:demo-admin", doc={"items": [item], "bundles": []}, publish=True
    )
    code = fixtures.code_of(item)
    api = Api(Client())
    token = api.token("demo-citizen")

    def upload(name: str, data: bytes, ctype: str) -> str:
        r = api.client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile(name, data, ctype)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert r.status_code == 201, r.content
        return str(r.json()["file_id"])

    ids = {
        "pdf": upload("身份证.pdf", PDF, "application/pdf"),
        "png": upload("公司章程照片.png", photo(), "image/png"),
    }
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who="demo-citizen").json()
    form = {**prep["prefill"], "enterprise_name": "肇庆市星湖味道餐饮有限公司"}
    materials = [
        {"material_code": "M1", "file_id": ids["pdf"]},
        {"material_code": "M2", "file_id": ids["png"]},
        {"material_code": "M3", "file_id": upload("租赁合同.pdf", PDF, "application/pdf")},
    ]
    body = {"item_code": code, "form": form, "materials": materials}
    r = api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=body)
    assert r.status_code == 201, r.content
    return {"site": site, "case_no": r.json()["case_no"], **ids}


def reads(file_id: str) -> list[str]:
    from shuzheng.audit.models import AuditRecord

    return list(
        AuditRecord.objects.filter(action="files.read", object_id=file_id).values_list(
            "actor", flat=True
        )
    )


def assert_pdf_viewer(page: Any, frame: Any) -> None:
    """Chromium's PDF viewer shows the document: its viewer frame (an extension page) inside
    the document's frame, or the older plugin ``<embed>``."""
    for _ in range(50):
        viewer = [f.url for f in frame.child_frames if f.url.startswith("chrome-extension://")]
        if viewer or frame.locator("embed[type*='pdf']").count():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no PDF viewer in {frame.url}: {frame.content()[:300]}")


def fits_the_phone(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def test_a_clerk_previews_a_pdf_and_an_image_material(filed, new_context):
    site, no = filed["site"], filed["case_no"]
    pdf_url = f"{site}/workbench/cases/{no}/files/{filed['pdf']}/"
    context = new_context()
    clerk = context.new_page()
    login(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/workbench/cases/{no}/")
    materials = clerk.get_by_test_id("case-materials")

    # the photo, shown as an image (decoded: it has its width)
    image = materials.get_by_role("img", name="公司章程：公司章程照片.png")
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("src", f"/workbench/cases/{no}/files/{filed['png']}/")
    clerk.wait_for_function(
        "src => [...document.images].some(i => i.src.endsWith(src) && i.naturalWidth === 120)",
        arg=f"/files/{filed['png']}/",
    )

    # the PDF, in a frame the browser's PDF viewer draws (a frame the CSP refused would be an
    # error page instead)
    frame_el = materials.locator("iframe[title='居民身份证：身份证.pdf（PDF 预览）']")
    frame_el.scroll_into_view_if_needed()
    expect(frame_el).to_be_visible()
    frame = frame_el.element_handle().content_frame()
    assert frame is not None and frame.url == pdf_url
    assert_pdf_viewer(clerk, frame)
    # every view is a read in the audit log (the frames of both PDFs may have loaded)
    assert set(reads(filed["pdf"])) == {"user:demo-clerk"}
    assert reads(filed["png"]) == ["user:demo-clerk"]

    # the link opens the PDF inline in a new tab (an attachment would be downloaded instead,
    # leaving no viewer)
    with context.expect_page() as opened:
        materials.get_by_role("link", name="在新窗口打开 身份证.pdf").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == pdf_url
    assert_pdf_viewer(tab, tab.main_frame)
    tab.close()
    check_axe(clerk, context="workbench case with material previews")


def test_the_previews_need_no_script(filed, new_context):
    """With JavaScript off the page still shows the photo and frames the PDF (Chromium's own
    PDF viewer is script inside the browser, so what it draws is checked above)."""
    site, no = filed["site"], filed["case_no"]
    clerk = new_context(java_script_enabled=False).new_page()
    login(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/workbench/cases/{no}/")
    materials = clerk.get_by_test_id("case-materials")
    materials.get_by_role("img").scroll_into_view_if_needed()
    clerk.wait_for_function("() => [...document.images].some(i => i.naturalWidth === 120)")
    frame_el = materials.locator("iframe").first
    frame_el.scroll_into_view_if_needed()
    frame = frame_el.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    assert frame.url == f"{site}/workbench/cases/{no}/files/{filed['pdf']}/"


def test_the_previews_fit_a_phone(filed, new_context):
    site, no = filed["site"], filed["case_no"]
    clerk = new_context(**PHONE).new_page()
    login(clerk, site, "demo-clerk")
    clerk.goto(f"{site}/workbench/cases/{no}/")
    materials = clerk.get_by_test_id("case-materials")
    expect(materials.locator("iframe")).to_have_count(2)
    materials.locator("iframe").last.scroll_into_view_if_needed()
    fits_the_phone(clerk)
    check_axe(clerk, context="workbench case with material previews, phone")
