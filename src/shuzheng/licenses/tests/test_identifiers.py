"""证照标识, data checks and validity periods (pure functions)."""

import datetime as dt

import pytest

from shuzheng.licenses import identifiers

FIELDS = [
    {"name": "name", "label": "姓名", "type": "string", "required": True},
    {"name": "sex", "label": "性别", "type": "enum", "required": True, "choices": ["男", "女"]},
    {"name": "birth_date", "label": "出生", "type": "date", "required": False},
    {"name": "id_number", "label": "公民身份号码", "type": "id_number", "required": False},
    {"name": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": False},
    {"name": "amount", "label": "金额", "type": "decimal", "required": False},
]


def test_license_id_matches_the_verified_example_of_standards_cn():
    lid = identifiers.license_id("11100000000013338W032", "11220000013544541J", "2430599")
    assert lid == "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"
    assert identifiers.check_license_id(lid)


@pytest.mark.parametrize("pos", [-1, 20, 40, 60])
def test_changed_character_fails_the_mod_37_36_check(pos):
    lid = identifiers.license_id("11100000000013338W032", "11220000013544541J", "2430599")
    chars = list(lid)
    i = pos % len(chars)
    while chars[i] == ".":
        i += 1
    chars[i] = "7" if chars[i] != "7" else "8"
    assert not identifiers.check_license_id("".join(chars))


def test_check_rejects_wrong_structure():
    assert not identifiers.check_license_id("1.2.156.3005.2.ABC")
    assert not identifiers.check_license_id("")


def test_clean_data_names_every_bad_field():
    data, errors = identifiers.clean_data(
        FIELDS,
        {
            "sex": "未知",
            "birth_date": "1990-13-01",
            "id_number": "441202199005120318",
            "uscc": "91441202MA5XH0001X",
            "amount": "abc",
            "extra": "x",
        },
    )
    fields = {e.field for e in errors}
    assert fields == {
        "data.name",
        "data.sex",
        "data.birth_date",
        "data.id_number",
        "data.uscc",
        "data.amount",
        "data.extra",
    }
    assert data == {}


def test_clean_data_keeps_good_values_as_strings():
    data, errors = identifiers.clean_data(FIELDS, {"name": " 李明 ", "sex": "男", "amount": 100})
    assert errors == []
    assert data == {"name": "李明", "sex": "男", "amount": "100"}
    assert identifiers.clean_data(FIELDS, ["x"])[1][0].field == "data"


@pytest.mark.parametrize(
    ("birth", "issued", "until"),
    [
        (dt.date(2015, 1, 1), dt.date(2025, 1, 1), dt.date(2030, 1, 1)),  # 10 years old: 5
        (dt.date(2000, 1, 1), dt.date(2020, 6, 1), dt.date(2030, 6, 1)),  # 20: 10 years
        (dt.date(1990, 5, 12), dt.date(2021, 6, 15), dt.date(2041, 6, 15)),  # 31: 20 years
        (dt.date(1944, 3, 8), dt.date(2010, 8, 20), None),  # 66: 长期
    ],
)
def test_id_card_validity_by_age(birth, issued, until):
    data = {"birth_date": birth.isoformat()}
    got = identifiers.valid_until({"kind": "id_card"}, issued, data, "")
    assert got == until


def test_years_validity_ends_the_day_before_the_anniversary():
    assert identifiers.valid_until({"kind": "years", "years": 5}, dt.date(2024, 7, 1), {}, "") == (
        dt.date(2029, 6, 30)
    )
    assert identifiers.valid_until({"kind": "permanent"}, dt.date(2024, 7, 1), {}, "") is None
    assert identifiers.add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
