"""A small, realistic catalog for tests (independent of the demo content)."""

from __future__ import annotations

import copy
from typing import Any

from shuzheng.catalog.codes import implementation_code

PERSON_FORM = {
    "type": "object",
    "properties": {
        "applicant_name": {
            "type": "string",
            "title": "申请人姓名",
            "x-prefill": "person.name",
            "maxLength": 64,
        },
        "applicant_id_number": {
            "type": "string",
            "title": "公民身份号码",
            "format": "id_number",
            "x-prefill": "person.id_number",
        },
        "applicant_phone": {
            "type": "string",
            "title": "联系电话",
            "format": "phone",
            "x-prefill": "person.phone",
        },
    },
    "required": ["applicant_name", "applicant_id_number", "applicant_phone"],
}


def marriage() -> dict[str, Any]:
    form = copy.deepcopy(PERSON_FORM)
    form["properties"]["spouse_name"] = {"type": "string", "title": "另一方姓名"}
    form["properties"]["spouse_id_number"] = {
        "type": "string",
        "title": "另一方身份号码",
        "format": "id_number",
    }
    form["properties"]["marriage_date"] = {
        "type": "string",
        "title": "拟登记日期",
        "format": "date",
    }
    form["properties"]["nationality"] = {
        "type": "string",
        "title": "另一方身份",
        "enum": ["内地居民", "港澳台居民", "外国人"],
        "x-widget": "radio",
    }
    form["required"] += ["spouse_name", "spouse_id_number", "nationality"]
    return {
        "basic_code": "0700001000",
        "region_code": "441200",
        "exercise_level": 3,
        "name": "结婚登记",
        "aliases": ["领结婚证", "登记结婚", "扯证"],
        "item_type": "07",
        "department": "441200-MZJ",
        "legal_basis": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条至第七条",
        "conditions": "男女双方自愿结婚，达到法定婚龄，均无配偶，不属于禁止结婚的亲属关系。",
        "applicant_types": ["person"],
        "themes": ["婚姻"],
        "handling_type": "instant",
        "statutory_days": 0,
        "promised_days": 0,
        "channels": ["window", "online", "mobile"],
        "online_depth": 3,
        "visits": 1,
        "result": {"name": "结婚证", "kind": "license", "license_type": "结婚证"},
        "steps": ["受理并办结"],
        "phone": "0758-2228710",
        "location": "肇庆市婚姻登记处",
        "materials": [
            {
                "code": "M1",
                "name": "居民身份证",
                "form_kind": "original",
                "count": 1,
                "license_type": "居民身份证",
            },
            {
                "code": "M2",
                "name": "居民户口簿",
                "form_kind": "original",
                "count": 1,
                "license_type": "居民户口簿",
            },
            {"code": "M3", "name": "近期半身免冠合影照片", "form_kind": "original", "count": 3},
            {"code": "M4", "name": "港澳台居民往来内地通行证", "form_kind": "original", "count": 1},
            {"code": "M5", "name": "本人有效护照及无配偶证明", "form_kind": "original", "count": 1},
        ],
        "situations": [
            {
                "code": "S1",
                "name": "另一方为港澳台居民",
                "add_materials": ["M4"],
                "remove_materials": ["M2"],
            },
            {
                "code": "S2",
                "name": "另一方为外国人",
                "add_materials": ["M5"],
                "remove_materials": ["M2"],
            },
        ],
        "questions": [
            {
                "code": "Q1",
                "text": "另一方是什么身份？",
                "options": [
                    {"value": "mainland", "label": "内地居民"},
                    {"value": "hmt", "label": "港澳台居民", "situations": ["S1"]},
                    {"value": "foreign", "label": "外国人", "situations": ["S2"]},
                ],
            },
        ],
        "form": {"schema": form},
    }


def business_license() -> dict[str, Any]:
    form = copy.deepcopy(PERSON_FORM)
    form["properties"]["enterprise_name"] = {"type": "string", "title": "企业名称"}
    form["properties"]["registered_capital"] = {
        "type": "number",
        "title": "注册资本（万元）",
        "minimum": 0,
    }
    form["required"] += ["enterprise_name"]
    return {
        "basic_code": "0100002000",
        "region_code": "441200",
        "exercise_level": 3,
        "name": "营业执照（设立登记）",
        "aliases": ["办执照", "开公司", "注册公司"],
        "item_type": "01",
        "department": "441200-SCJGJ",
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第三条",
        "conditions": "申请人名称经登记机关自主申报，符合市场主体设立条件。",
        "applicant_types": ["person", "enterprise"],
        "themes": ["开办"],
        "handling_type": "promised",
        "statutory_days": 3,
        "promised_days": 1,
        "channels": ["online", "window"],
        "online_depth": 4,
        "result": {"name": "营业执照", "kind": "license", "license_type": "营业执照"},
        "steps": ["受理", "审查", "决定", "办结"],
        "phone": "0758-12315",
        "materials": [
            {
                "code": "M1",
                "name": "居民身份证",
                "form_kind": "original",
                "license_type": "居民身份证",
            },
            {"code": "M2", "name": "公司章程", "form_kind": "original"},
            {"code": "M3", "name": "住所使用证明", "form_kind": "copy"},
        ],
        "form": {"schema": form},
    }


def food_license() -> dict[str, Any]:
    form = copy.deepcopy(PERSON_FORM)
    form["properties"]["enterprise_name"] = {"type": "string", "title": "企业名称"}
    form["properties"]["business_area"] = {
        "type": "integer",
        "title": "经营场所面积（平方米）",
        "minimum": 1,
    }
    form["required"] += ["business_area"]
    return {
        "basic_code": "0100003000",
        "region_code": "441200",
        "exercise_level": 3,
        "name": "食品经营许可",
        "aliases": ["餐饮许可证", "开饭店许可"],
        "item_type": "01",
        "department": "441200-SCJGJ",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "conditions": "具有与经营的食品品种、数量相适应的经营场所和设施。",
        "applicant_types": ["enterprise"],
        "themes": ["开办", "经营"],
        "handling_type": "promised",
        "statutory_days": 10,
        "promised_days": 5,
        "channels": ["online", "window"],
        "online_depth": 4,
        "result": {"name": "食品经营许可证", "kind": "license", "license_type": "食品经营许可证"},
        "steps": ["受理", "审查", "决定", "办结"],
        "phone": "0758-12315",
        "materials": [
            {"code": "M1", "name": "营业执照", "form_kind": "copy", "license_type": "营业执照"},
            {
                "code": "M2",
                "name": "居民身份证",
                "form_kind": "original",
                "license_type": "居民身份证",
            },
            {"code": "M3", "name": "经营场所平面布局图", "form_kind": "original"},
            {"code": "M4", "name": "网络经营说明", "form_kind": "original", "required": False},
        ],
        "situations": [{"code": "S1", "name": "通过网络经营", "add_materials": ["M4"]}],
        "questions": [
            {
                "code": "Q1",
                "text": "是否通过网络销售？",
                "options": [
                    {"value": "no", "label": "否"},
                    {"value": "yes", "label": "是", "situations": ["S1"]},
                ],
            }
        ],
        "form": {"schema": form},
    }


def code_of(item: dict[str, Any]) -> str:
    return implementation_code(
        item["region_code"], item["exercise_level"], item["basic_code"], item.get("serial", 0)
    )


def restaurant_bundle() -> dict[str, Any]:
    bl, fl = business_license(), food_license()
    return {
        "code": "YJS441200002",
        "name": "开办餐饮店一件事",
        "aliases": ["开饭店", "开餐馆"],
        "description": "营业执照和食品经营许可一次申请、并联审批。",
        "themes": ["开办"],
        "applicant_types": ["person", "enterprise"],
        "lead_department": "441200-SCJGJ",
        "items": [code_of(bl), code_of(fl)],
        "questions": [
            {
                "code": "Q1",
                "text": "是否已经有营业执照？",
                "options": [
                    {"value": "no", "label": "还没有"},
                    {"value": "yes", "label": "已有", "exclude_items": [code_of(bl)]},
                ],
            }
        ],
    }


def document() -> dict[str, Any]:
    return {
        "items": [marriage(), business_license(), food_license()],
        "bundles": [restaurant_bundle()],
    }
