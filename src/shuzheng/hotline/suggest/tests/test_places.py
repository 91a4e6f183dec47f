"""Places named by a ticket's text or address (GB/T 2260 区县 and 镇街)."""

from __future__ import annotations

import pytest

from shuzheng.hotline.suggest import parse_place


@pytest.mark.parametrize(
    ("text", "county", "town"),
    [
        ("端州区城东街道天宁北路12号", "441202", "441202001"),
        ("我住喺城西，宋城一路附近", "441202", "441202003"),
        ("七星岩牌坊那边", "441202", None),
        ("鼎湖山景区门口", "441203", "441203001"),
        ("四会玉器街", "441284", None),
        ("高要回龙镇", "441204", "441204111"),
        ("德庆回龙镇", "441226", "441226102"),
        ("德庆悦城龙母祖庙旁边", "441226", "441226113"),
        ("广宁坑口", "441223", "441223107"),  # 坑口 is a town of 鼎湖 and of 广宁
        ("鼎湖区坑口", "441203", "441203001"),
        ("下帅乡", "441224", "441224200"),
        ("永安镇", "441203", "441203101"),
    ],
)
def test_places(text: str, county: str, town: str | None) -> None:
    p = parse_place(text)
    assert (p.county_code, p.town_code) == (county, town)
    assert p.in_city


def test_names_and_matched_words() -> None:
    p = parse_place("喺端州区城东街道天宁北路")
    assert (p.county_name, p.town_name) == ("端州区", "城东街道")
    assert p.matched == ("端州区", "城东街道", "天宁北路")


def test_ambiguous_or_unknown_places_are_left_open() -> None:
    assert parse_place("坑口停水").county_code is None  # 鼎湖 or 广宁: undecided
    assert parse_place("回龙镇").town_code is None
    unknown = parse_place("楼下停水了")
    assert (unknown.county_code, unknown.town_code, unknown.in_city) == (None, None, True)
    assert parse_place("中山路停水").in_city  # a street name, not 中山市


def test_address_is_preferred_to_the_text() -> None:
    p = parse_place("我去过七星岩", "怀集县冷坑镇")
    assert (p.county_code, p.town_code) == ("441224", "441224110")
    # an address without a town is completed by the text when they agree
    p = parse_place("城东街道路灯坏了", "端州区")
    assert (p.county_code, p.town_code) == ("441202", "441202001")


def test_another_city_is_outside() -> None:
    assert not parse_place("我在广州天河区，想问社保").in_city
    assert parse_place("广州来的游客在七星岩").in_city
