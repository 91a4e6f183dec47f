"""区县/镇街 from the words of an address (GB/T 2260 codes) and places outside 肇庆."""

import pytest

from shuzheng.core.errors import ValidationFailed
from shuzheng.hotline.places import place_parse


@pytest.mark.parametrize(
    ("text", "region", "town"),
    [
        ("端州区天宁北路12号", "441202", "441202001"),
        ("高要区南岸街道碧桂园", "441204", "441204001"),
        ("我住七星岩附近", "441202", "441202005"),
        ("四会大旺", "441284", "441284004"),
        ("广东省肇庆市鼎湖区桂城街道", "441203", "441203002"),
        ("怀集县", "441224", ""),
        ("坑口", "441200", ""),  # 坑口 is a 街道 in 鼎湖 and a 镇 in 广宁: not guessed
        ("佛山路3号", "441200", ""),  # a street named after another city
        ("乜都冇讲", "441200", ""),
    ],
)
def test_places_of_zhaoqing(text, region, town):
    place = place_parse(address=text)
    assert (place.region_code, place.town_code) == (region, town)


@pytest.mark.parametrize(
    ("text", "named"),
    [("广州市天河区", "广州市"), ("湖南省长沙市", "湖南省"), ("佛山南海区桂城", "南海区")],
)
def test_places_elsewhere_are_refused(text, named):
    with pytest.raises(ValidationFailed) as exc:
        place_parse(address=text)
    assert exc.value.errors[0].field == "address"
    assert f"“{named}”不在肇庆市" in exc.value.errors[0].message


def test_explicit_codes():
    assert place_parse(address="", region_code="441226113").town_name == "悦城镇"
    with pytest.raises(ValidationFailed) as exc:
        place_parse(address="", region_code="110101")
    assert exc.value.errors[0].field == "region_code"
