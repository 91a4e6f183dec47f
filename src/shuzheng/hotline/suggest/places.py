"""Where a 诉求 is: the 区县 and 镇街 (GB/T 2260 codes) named by an address or a ticket's text.

Official names come from core's region data (core/data/gbt2260.json, zhaoqing_towns.json);
``data/gazetteer.json`` adds what callers say: bare town stems (“城东”, “永安”), roads, 小区 and
landmarks (七星岩, 鼎湖山, 四会玉器街 …). Longest names match first and never overlap. A name two
places share (坑口: 鼎湖区坑口街道 and 广宁县坑口镇) is decided by a 区县 named beside it, or
left undecided.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from shuzheng.hotline.suggest.contracts import Place

DATA = Path(__file__).resolve().parent / "data"
CITY = "441200"


@dataclass(frozen=True)
class _Name:
    text: str
    county: str | None
    town: str | None
    county_named: bool  # the name itself is a 区县's (not a place inside it)


@dataclass(frozen=True)
class Gazetteer:
    names: tuple[_Name, ...]  # longest first
    county_names: dict[str, str]
    town_names: dict[str, str]
    other_cities: tuple[str, ...]
    city_aliases: tuple[str, ...]


_lock = threading.Lock()


def _core_json(name: str) -> dict[str, object]:
    text = resources.files("shuzheng.core").joinpath("data", name).read_text("utf-8")
    return dict(json.loads(text))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    with _lock:
        return _build()


def _build() -> Gazetteer:
    codes: dict[str, str] = dict(_core_json("gbt2260.json")["codes"])  # type: ignore[call-overload]
    towns_doc: dict[str, dict[str, object]] = dict(_core_json("zhaoqing_towns.json")["counties"])  # type: ignore[call-overload]
    doc = json.loads((DATA / "gazetteer.json").read_text("utf-8"))
    county_names = {c: n for c, n in codes.items() if c.startswith("4412") and c != CITY}
    town_names: dict[str, str] = {}
    names: list[_Name] = []
    stems = set(doc["bare_town_stems"])
    for county, aliases in doc["county_aliases"].items():
        for alias in {*aliases, county_names[county]}:
            names.append(_Name(alias, county, None, True))
    for county, info in towns_doc.items():
        towns: dict[str, str] = dict(info["towns"])  # type: ignore[call-overload]
        for code, name in towns.items():
            town_names[code] = name
            forms = {name}
            for suffix in ("街道", "镇", "乡"):
                if name.endswith(suffix):
                    stem = name[: -len(suffix)]
                    if suffix == "街道":
                        forms.add(stem + "街")
                    if suffix == "乡" and "族" in stem:  # 下帅壮族瑶族乡 → 下帅乡
                        forms.add(stem.split("壮族")[0] + "乡")
                    if stem in stems:
                        forms.add(stem)
            for form in forms:
                names.append(_Name(form, county, code, False))
    for place in doc["places"]:
        names.append(_Name(place["name"], place["county"], place["town"], False))
    names.sort(key=lambda n: -len(n.text))
    others = tuple(
        sorted(
            {
                n[:-1] if n.endswith("市") else n
                for c, n in codes.items()
                if c.startswith("44") and c.endswith("00") and c not in ("440000", CITY)
            }
            - {"中山"},  # 中山路, 中山公园 are in every city
            key=len,
            reverse=True,
        )
    )
    return Gazetteer(
        names=tuple(names),
        county_names=county_names,
        town_names=town_names,
        other_cities=others,
        city_aliases=tuple(doc["city"]["aliases"]),
    )


def _matches(text: str) -> list[tuple[int, _Name]]:
    """Every gazetteer name in ``text``, longest first, none overlapping a longer one."""
    g = gazetteer()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, _Name]] = []
    for n in g.names:
        start = text.find(n.text)
        while start >= 0:
            end = start + len(n.text)
            # a name two places share matches once for each of them
            if not any(s < end and start < e and (s, e) != (start, end) for s, e in taken):
                taken.append((start, end))
                found.append((start, n))
            start = text.find(n.text, end)
    found.sort(key=lambda f: f[0])
    return found


def _resolve(text: str) -> Place:
    g = gazetteer()
    found = _matches(text)
    if not found:
        return Place()
    counties_named = [n.county for _, n in found if n.county_named]
    county = counties_named[0] if counties_named else None
    towns = {n.town for _, n in found if n.town and (county is None or n.county == county)}
    town = next(iter(towns)) if len(towns) == 1 else None
    if county is None:
        if town is not None:
            county = next(n.county for _, n in found if n.town == town)
        else:
            place_counties = {n.county for _, n in found if n.county}
            county = next(iter(place_counties)) if len(place_counties) == 1 else None
    used = tuple(
        n.text
        for _, n in found
        if (county is not None and n.county == county) and (n.town in (None, town))
    )
    return Place(
        county_code=county,
        county_name=g.county_names.get(county) if county else None,
        town_code=town,
        town_name=g.town_names.get(town) if town else None,
        matched=used,
    )


def parse_place(text: str, address: str | None = None) -> Place:
    """The place named by ``address`` (preferred) and ``text``."""
    place = _resolve(address) if address else Place()
    if place.town_code is None:
        from_text = _resolve(text)
        if from_text.county_code and place.county_code in (None, from_text.county_code):
            place = from_text
    if place.county_code is None:
        g = gazetteer()
        whole = f"{address or ''} {text}"
        if not any(a in whole for a in g.city_aliases) and any(c in whole for c in g.other_cities):
            return Place(in_city=False)
    return place
