"""Resource codes and masking rules (pure functions)."""

import pytest

from shuzheng.exchange import codes, masking


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("101001/000001", ("1", "01", "001", "", "000001")),
        ("20800101/000012", ("2", "08", "001", "01", "000012")),
        ("399001/1", ("3", "99", "001", "", "1")),
    ],
)
def test_resource_code_parts(code, parts):
    rc = codes.parse(code)
    assert (rc.catalogue_class, rc.item, rc.catalogue, rc.detail, rc.serial) == parts
    assert str(rc) == code


def test_resource_code_names():
    assert codes.parse("101001/000001").class_name == "基础信息资源"
    assert codes.parse("101001/000001").item_name == "人口基础信息"
    assert codes.parse("208001/000001").item_name == "信用体系"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("401001/000001", "格式"),
        ("106001/000001", "基础信息资源"),
        ("213001/000001", "主题信息资源"),
        ("101000/000001", "目"),
        ("1010011/000001", "格式"),
        ("101001/000000", "顺序码"),
        ("101001-000001", "格式"),
    ],
)
def test_bad_resource_codes(code, message):
    with pytest.raises(codes.ResourceCodeError, match=message):
        codes.parse(code)


def test_make_code():
    assert codes.make("203002", 7) == "203002/000007"


@pytest.mark.parametrize(
    ("grade", "personal", "basis", "purpose", "masked"),
    [
        ("core", False, "consent", "service", True),
        ("core", True, "grant", "supervision", True),
        ("important", True, "consent", "", False),
        ("important", True, "grant", "supervision", False),
        ("important", True, "grant", "service", True),
        ("important", False, "grant", "service", False),
        ("general", True, "grant", "service", False),
        ("general", True, "grant", "statistics", True),
        ("general", False, "grant", "statistics", False),
        ("important", False, "grant", "public", True),
    ],
)
def test_mask_decision(grade, personal, basis, purpose, masked):
    decision = masking.must_mask(
        classification=grade, personal=personal, basis=basis, purpose=purpose
    )
    assert decision is masked


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ("name", "李明", "李*"),
        ("name", "欧阳明华", "欧***"),
        ("id_number", "44120219900512031X", "441202********031X"),
        ("phone", "13800000001", "138****0001"),
        ("address", "广东省肇庆市端州区城东街道天宁北路12号", "广东省肇庆市端州区****"),
        ("address", "广东省肇庆市四会市演示路1号", "广东省肇庆市四会市****"),
        ("date", "1990-05-12", "1990-**-**"),
        ("amount", "6200", "5000-8000"),
        ("amount", 13500, "12000以上"),
        ("partial", "J441202-2018-000001", "J4" + "*" * 15 + "01"),
        ("hidden", "已婚", "******"),
        ("none", "已婚", "******"),
    ],
)
def test_mask_rules(rule, value, expected):
    assert masking.mask(rule, value) == expected


def test_mask_lists_booleans_and_nothing():
    assert masking.mask("partial", ["粤A12345", "粤B6789X"]) == ["粤A***45", "粤B***9X"]
    assert masking.mask("hidden", True) == "******"
    assert masking.mask("name", None) is None


def test_license_summary_maps_to_the_license_resource_fields():
    from shuzheng.exchange.providers import license_fields, names

    summary = {
        "licences": [
            {"type_name": "营业执照", "license_no": "91441202MA5XH00010", "status": "valid"},
            {"type_name": "食品经营许可证", "license_no": "JY14412020000001", "status": "revoked"},
        ],
        "valid_types": ["营业执照"],
    }
    assert license_fields(summary) == {
        "licence.count": 1,
        "licence.types": ["营业执照"],
        "licence.numbers": ["91441202MA5XH00010"],
    }
    assert {"registry", "population", "legal_entity", "licences", "licences_module"} <= set(names())
