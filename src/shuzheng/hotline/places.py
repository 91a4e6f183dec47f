"""Where a 诉求 happened: 区县 and 镇街 (GB/T 2260 county code, 9-digit township code) of 肇庆
(441200) from the words of an address or of the content, with a small gazetteer.

- Counties and towns come from ``core/data/zhaoqing_towns.json`` (民政 township codes), matched
  by their full names (端州区, 城东街道, 永安镇) and by their short names (端州, 永安) where that
  short name is unambiguous; ``data/places.json`` adds landmarks, estates and streets people name
  instead (七星岩, 星湖, 天宁北路, 大旺 …).
- A place in another city or province (广州市, 佛山, 湖南省 …) named without any 肇庆 place is
  outside the city: ``place_parse`` raises ``ValidationFailed`` naming the field.
- Nothing recognised: the city level ``441200`` (市本级, to be dispatched by the center).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _t

from shuzheng.core.errors import ValidationFailed

CITY = "441200"
CITY_NAME = "肇庆市"
CORE_DATA = Path(__file__).resolve().parent.parent / "core" / "data"
DATA = Path(__file__).resolve().parent / "data"
# 肇庆's extent (WGS-84, a generous box): coordinates outside it are outside the city
LAT_RANGE = (Decimal("22.70"), Decimal("24.45"))
LNG_RANGE = (Decimal("111.30"), Decimal("113.00"))
# neighbours people name by their short names; matched unless a street word follows (广州路)
NEIGHBOURS = (
    "广州",
    "佛山",
    "深圳",
    "东莞",
    "云浮",
    "江门",
    "清远",
    "梧州",
    "贺州",
    "顺德",
    "南海区",
)
STREET_AFTER = re.compile(r"^(路|街|大道|大街|巷|村|花园|酒家|酒店|商会|餐厅)")


@dataclass(frozen=True)
class Place:
    region_code: str  # 6-digit county code, or 441200 when only the city is known
    town_code: str  # 9-digit township code or ""
    region_name: str
    town_name: str


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[list[tuple[str, str, str]], dict[str, str], dict[str, str]]:
    """(names longest first as (name, county, town)), {county: name}, {town: name}."""
    doc = json.loads((CORE_DATA / "zhaoqing_towns.json").read_text("utf-8"))
    names: dict[str, tuple[str, str]] = {}
    counties: dict[str, str] = {}
    towns: dict[str, str] = {}
    short_seen: dict[str, list[tuple[str, str]]] = {}
    for county, info in doc["counties"].items():
        counties[county] = info["name"]
        names[info["name"]] = (county, "")
        short_seen.setdefault(info["name"][:-1], []).append((county, ""))
        for town, town_name in info["towns"].items():
            towns[town] = town_name
            names[town_name] = (county, town)
            short = re.sub(r"(街道|镇|乡|壮族瑶族乡)$", "", town_name)
            if len(short) >= 2:
                short_seen.setdefault(short, []).append((county, town))
    for short, hits in short_seen.items():
        if len(hits) == 1 and short not in names:  # 坑口 and 回龙 are in two counties: skip
            names[short] = hits[0]
    extra = json.loads((DATA / "places.json").read_text("utf-8"))["places"]
    for name, (county, town) in extra.items():
        names.setdefault(name, (county, town))
    ordered = sorted(((n, c, t) for n, (c, t) in names.items()), key=lambda x: -len(x[0]))
    return ordered, counties, towns


@lru_cache(maxsize=1)
def _outside_names() -> tuple[str, ...]:
    codes: dict[str, str] = json.loads((CORE_DATA / "gbt2260.json").read_text("utf-8"))["codes"]
    full = {
        name
        for code, name in codes.items()
        if not code.startswith("4412")
        and (code.endswith("0000") or code.endswith("00"))
        and code not in ("440000",)
        and len(name) >= 3
    }
    return tuple(sorted(full | set(NEIGHBOURS), key=lambda n: (-len(n), n)))


def county_name(code: str) -> str:
    if code == CITY:
        return CITY_NAME
    return _gazetteer()[1].get(code, "")


def town_name(code: str) -> str:
    return _gazetteer()[2].get(code, "")


def counties() -> dict[str, str]:
    """{county code: name} of 肇庆's 8 区县 (市), code order."""
    return dict(sorted(_gazetteer()[1].items()))


def find(text: str) -> Place | None:
    """The first 肇庆 place named in ``text`` (the longest name wins where names overlap)."""
    ordered, counties_, towns = _gazetteer()
    county_hit = ""
    for name, county, town in ordered:
        if name in text:
            if town:
                return Place(county, town, counties_[county], towns[town])
            county_hit = county_hit or county
    if county_hit:
        return Place(county_hit, "", counties_[county_hit], "")
    return None


def outside(text: str) -> str:
    """The name of a place outside 肇庆 that ``text`` names, or ""."""
    for name in _outside_names():
        start = text.find(name)
        while start >= 0:
            if not STREET_AFTER.match(text[start + len(name) :]):
                return name
            start = text.find(name, start + 1)
    return ""


def place_parse(
    *,
    address: str,
    content: str = "",
    region_code: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
) -> Place:
    """The 区县/镇街 of a 诉求: an explicit ``region_code`` (a 肇庆 county or township code)
    first, then the address, then the content. ``ValidationFailed`` names ``region_code``,
    ``address`` (or ``content``), ``lat`` or ``lng`` when the place is outside the city."""
    _, counties_, towns = _gazetteer()
    if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        raise ValidationFailed.one("lat", _t("坐标不在肇庆市范围内，本热线只受理肇庆市的诉求。"))
    if lng is not None and not LNG_RANGE[0] <= lng <= LNG_RANGE[1]:
        raise ValidationFailed.one("lng", _t("坐标不在肇庆市范围内，本热线只受理肇庆市的诉求。"))
    if region_code:
        code = region_code.strip()
        if code in towns:
            return Place(code[:6], code, counties_[code[:6]], towns[code])
        if code in counties_:
            found = find(address) if address else None
            town = found.town_code if found and found.region_code == code else ""
            return Place(code, town, counties_[code], towns.get(town, ""))
        if code == CITY:
            return find(address) or Place(CITY, "", CITY_NAME, "")
        raise ValidationFailed.one(
            "region_code", _t("区县代码不属于肇庆市（如端州区 441202），本热线只受理肇庆市的诉求。")
        )
    for field, text in (("address", address), ("content", content)):
        if not text:
            continue
        found, elsewhere = find(text), outside(text)
        # 佛山南海区桂城: 桂城 is also a 鼎湖 street; another city named and neither 肇庆 nor a
        # 肇庆 county written out means the other city
        if found is not None and (not elsewhere or "肇庆" in text or found.region_name in text):
            return found
        if elsewhere:
            label = _t("事发地址") if field == "address" else _t("诉求内容")
            raise ValidationFailed.one(
                field,
                _t(
                    "%(label)s中的“%(place)s”不在肇庆市，本热线只受理肇庆市的诉求，请向当地12345反映。"
                )
                % {"label": label, "place": elsewhere},
            )
    return Place(CITY, "", CITY_NAME, "")
