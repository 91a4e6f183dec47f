"""Catalog pages: search, guide with 导办 (no JavaScript needed), the form, departments."""

import pytest

from shuzheng.catalog import services
from shuzheng.catalog.tests import fixtures

pytestmark = pytest.mark.django_db

MARRIAGE = fixtures.code_of(fixtures.marriage())
FOOD = fixtures.code_of(fixtures.food_license())


@pytest.fixture(autouse=True)
def catalog():
    services.catalog_import(actor="user:demo-admin", doc=fixtures.document(), publish=True)


def test_search_page_finds_marriage_first(client):
    html = client.get("/services/", {"q": "结婚"}).content.decode()
    first = html.index("结婚登记")
    assert first < html.index("营业执照") if "营业执照" in html else True
    assert f"/services/item/{MARRIAGE}/" in html


def test_search_page_shows_bundle_for_colloquial_query(client):
    html = client.get("/services/", {"q": "开饭店"}).content.decode()
    assert "开办餐饮店一件事" in html and "/services/bundle/YJS441200002/" in html


def test_filters_without_query(client):
    html = client.get("/services/", {"department": "441200-MZJ"}).content.decode()
    assert "结婚登记" in html and "食品经营许可" not in html


def test_guide_page_lists_materials_and_working_day_limits(client):
    html = client.get(f"/services/item/{FOOD}/").content.decode()
    assert "食品经营许可" in html
    assert "10 个工作日" in html and "5 个工作日" in html
    assert "持有电子营业执照可免提交" in html
    assert "《中华人民共和国食品安全法》" in html


def test_guide_questions_reduce_materials_without_js(client):
    full = client.get(f"/services/item/{MARRIAGE}/").content.decode()
    assert full.count('class="material"') == 5
    reduced = client.get(f"/services/item/{MARRIAGE}/", {"Q1": "mainland"}).content.decode()
    assert reduced.count('class="material"') == 3
    assert "根据您的回答，需要 3 份材料。" in reduced


def test_bundle_page_and_guide(client):
    html = client.get("/services/bundle/YJS441200002/").content.decode()
    assert "营业执照（设立登记）" in html and "食品经营许可" in html and "5 个工作日" in html
    reduced = client.get("/services/bundle/YJS441200002/", {"Q1": "yes"}).content.decode()
    assert "您无需办理" in reduced
    assert reduced.count('class="material"') < html.count('class="material"')


def test_form_page_validates_on_server_with_field_messages(client):
    page = client.get(f"/services/item/{MARRIAGE}/form/")
    assert page.status_code == 200 and 'name="applicant_name"' in page.content.decode()
    r = client.post(
        f"/services/item/{MARRIAGE}/form/", {"applicant_name": "李明", "applicant_id_number": "123"}
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "公民身份号码：公民身份号码应为18位" in html
    assert "请填写另一方姓名" in html
    assert 'aria-invalid="true"' in html
    ok = client.post(
        f"/services/item/{MARRIAGE}/form/",
        {
            "applicant_name": "李明",
            "applicant_id_number": "11010519491231002X",
            "applicant_phone": "13800000001",
            "spouse_name": "王芳",
            "spouse_id_number": "11010519491231002X",
            "nationality": "内地居民",
        },
    )
    assert ok.status_code == 200 and "表单填写正确" in ok.content.decode()


def test_unknown_item_page_is_404(client):
    assert client.get("/services/item/nope/").status_code == 404


def test_departments_page(client):
    html = client.get("/services/departments/").content.decode()
    assert "肇庆市市场监督管理局" in html and "?department=441200-SCJGJ" in html


def test_xss_in_query_is_escaped(client):
    html = client.get("/services/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
