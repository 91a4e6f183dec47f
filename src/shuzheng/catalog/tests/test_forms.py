import pytest
from django.http import QueryDict

from shuzheng.catalog import forms
from shuzheng.catalog.tests import fixtures

SCHEMA = fixtures.marriage()["form"]["schema"]


def test_valid_form_has_no_errors():
    data = forms.coerce(
        SCHEMA,
        {
            "applicant_name": "李明",
            "applicant_id_number": "11010519491231002X",
            "applicant_phone": "13800000001",
            "spouse_name": "王芳",
            "spouse_id_number": "11010519491231002X",
            "nationality": "内地居民",
            "marriage_date": "2026-12-01",
        },
    )
    assert forms.validate_form(SCHEMA, data) == {}


def test_errors_name_fields_in_chinese():
    data = forms.coerce(
        SCHEMA,
        QueryDict(
            "applicant_name=李明&applicant_id_number=110105194912310021&applicant_phone=123&nationality=火星人&marriage_date=2026-13-01"
        ),
    )
    errors = forms.validate_form(SCHEMA, data)
    assert errors == {
        "applicant_id_number": "公民身份号码：公民身份号码校验码错误",
        "applicant_phone": "联系电话：应为11位手机号码或带区号的固定电话",
        "nationality": "另一方身份：请从给出的选项中选择",
        "marriage_date": "拟登记日期：日期格式应为 YYYY-MM-DD",
        "spouse_name": "请填写另一方姓名",
        "spouse_id_number": "请填写另一方身份号码",
    }


def test_coerce_types_and_number_errors():
    schema = fixtures.food_license()["form"]["schema"]
    data = forms.coerce(schema, {"business_area": "120"})
    assert data["business_area"] == 120
    errors = forms.validate_form(schema, forms.coerce(schema, {"business_area": "0"}))
    assert errors["business_area"] == "经营场所面积（平方米）：数值过小"
    errors = forms.validate_form(schema, forms.coerce(schema, {"business_area": "很大"}))
    assert errors["business_area"] == "经营场所面积（平方米）：格式不正确"


def test_field_views_keep_order_widgets_and_prefill():
    views = forms.field_views(
        SCHEMA,
        {"applicant_name": "李明"},
        {"spouse_name": "请填写另一方姓名"},
        {"applicant_name": "人口基础信息（市公安局）"},
    )
    assert [v.name for v in views][:3] == [
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
    ]
    by = {v.name: v for v in views}
    assert by["nationality"].kind == "radio" and len(by["nationality"].options) == 3
    assert by["marriage_date"].kind == "date"
    assert by["applicant_phone"].input_type == "tel"
    assert by["applicant_name"].prefill == "person.name" and by["applicant_name"].prefilled_from
    assert by["spouse_name"].error == "请填写另一方姓名"


@pytest.mark.parametrize("bad", ["<script>", "x" * 65])
def test_max_length_and_markup_are_just_data(bad):
    errors = forms.validate_form(SCHEMA, {"applicant_name": bad})
    assert ("applicant_name" in errors) == (len(bad) > 64)


def test_a_number_field_takes_decimals_in_the_browser():
    """A JSON-schema "number" (资金数额 2.5 万元) renders with step="any": without it the
    browser holds 2.5 for invalid (its default step is 1: ``:invalid``, a step mismatch
    announced to assistive technology, the spinner moving in whole numbers); an "integer"
    keeps the default whole-number step."""
    from django.template.loader import render_to_string

    schema = {
        "type": "object",
        "properties": {
            "capital": {"type": "number", "title": "资金数额（万元）", "minimum": 0},
            "staff": {"type": "integer", "title": "从业人数"},
        },
    }
    html = render_to_string(
        "catalog/_form_fields.html", {"fields": forms.field_views(schema, {}, {}, {})}
    )
    capital = html[html.index('id="f-capital"') - 40 : html.index('id="f-capital"') + 200]
    staff = html[html.index('id="f-staff"') - 40 : html.index('id="f-staff"') + 200]
    assert 'type="number"' in capital and 'step="any"' in capital
    assert 'type="number"' in staff and "step=" not in staff
    assert forms.coerce(schema, {"capital": "2.5"})["capital"] == 2.5
