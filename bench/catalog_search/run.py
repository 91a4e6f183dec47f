"""Catalog search benchmark: recall on colloquial queries, latency over 2,000 items, vs a peer.

    cd /work/main && .venv/bin/python bench/catalog_search/run.py

(a) recall@1 / recall@3 of shuzheng's search over the real catalog
    (src/shuzheng/catalog/data/catalog.json) for every query in queries.json, with the misses;
(b) index build time and p50/p95/p99 query latency over a 2,000-item catalog (the real items
    plus realistic variants: other Guangdong cities and Zhaoqing counties, 新办/变更/延续/注销
    sub-items of licences);
(c) the same figures for the named peer, "naive substring search" (SQL ``LIKE '%q%'`` over
    name and aliases, in catalogue order — what many portals do), side by side, with ratios;
(d) the figures go to bench/results/catalog_search.json (git-ignored).

Loading (``load_real_docs``, ``ENGINES``) is kept apart from measuring (``measure_recall``,
``measure_latency``): to measure the Django app's search selector instead, change the one line
marked ``# <- engine under test`` in ``main``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("SHUZHENG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
# The real-catalog recall goes through the platform itself: a fresh SQLite database with the
# demo data imported and published by the same commands `make demo` runs.
_BENCH_DB = Path(os.environ.get("BENCH_DB", "/tmp/shuzheng-bench-catalog.sqlite3"))
os.environ["DATABASE_URL"] = f"sqlite:///{_BENCH_DB}"

import django  # noqa: E402

django.setup()

from shuzheng.catalog import search  # noqa: E402
from shuzheng.catalog.codes import implementation_code  # noqa: E402
from shuzheng.catalog.search import SearchDoc, SearchIndex, docs_from_catalog  # noqa: E402
from shuzheng.core.codes import region_name  # noqa: E402
from shuzheng.identity.demo import PROVINCIAL, ZHAOQING_DEPTS  # noqa: E402

CATALOG = ROOT / "src" / "shuzheng" / "catalog" / "data" / "catalog.json"
QUERIES = Path(__file__).resolve().parent / "queries.json"
RESULTS = ROOT / "bench" / "results" / "catalog_search.json"
SIZE = 2000
TOP_K = 10
PEER = "naive substring search"

Engine = Callable[[str], list[str]]  # query -> codes, best first

# --- loading -----------------------------------------------------------------------------------


def department_names() -> dict[str, str]:
    return {d.code: d.name for d in PROVINCIAL + ZHAOQING_DEPTS}


def load_catalog(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_real_docs(path: Path) -> list[SearchDoc]:
    return docs_from_catalog(load_catalog(path), department_names())


def load_queries(path: Path) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [q for q in queries if q.get("q") and q.get("expected")]


# Other implementing regions for the synthetic variants: Guangdong's cities, Zhaoqing's counties.
CITY_CODES = [
    "440100", "440200", "440300", "440400", "440500", "440600", "440700", "440800", "440900",
    "441300", "441400", "441500", "441600", "441700", "441800", "441900", "442000", "445100",
    "445200", "445300",
]  # fmt: skip
COUNTY_CODES = ["441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284"]
SUB_ITEMS = ["（新办）", "（变更）", "（延续）", "（注销）"]


def _rename(text: str, city: str, county: str) -> str:
    place = city + county
    return text.replace("肇庆市", place).replace("本市", "本" + ("县" if county else "市"))


def synthetic_catalog(
    real: dict[str, Any], size: int, seed: int = 7
) -> tuple[dict[str, Any], dict[str, str]]:
    """The real items and bundles plus variants, as a catalog file, ``size`` entries in all.

    Variants are what a provincial catalogue really holds: the same item implemented by other
    cities (市级) and counties (县级) with their own departments, and licence items split into
    新办/变更/延续/注销 business items. Nothing is random text; the seed only picks which.
    Also returns, for each variant that is the same item elsewhere, the real code it copies.
    """
    rnd = random.Random(seed)
    items: list[dict[str, Any]] = list(real.get("items") or [])
    bundles: list[dict[str, Any]] = list(real.get("bundles") or [])
    seen = {search.item_code(i) for i in items}
    depts = department_names()
    out_items: list[dict[str, Any]] = list(items)
    out_bundles: list[dict[str, Any]] = list(bundles)
    variants: list[tuple[str, str, int]] = [(c, "", 3) for c in CITY_CODES]
    variants += [("441200", c, 4) for c in COUNTY_CODES]
    names = {"441200": region_name("441200") or "肇庆市"}
    for code, _, _ in variants:
        names[code] = region_name(code) or code
    for _, county, _ in variants:
        if county:
            names[county] = region_name(county) or county
    plan = [(v, it) for v in variants for it in items]
    rnd.shuffle(plan)
    bundle_plan = [(v, b) for v in variants for b in bundles]
    rnd.shuffle(bundle_plan)
    serial_for: dict[str, int] = {}
    origin: dict[str, str] = {}
    while len(out_items) + len(out_bundles) < size and (plan or bundle_plan):
        if bundle_plan and rnd.random() < 0.05:
            (city_code, county_code, _), b = bundle_plan.pop()
            region = county_code or city_code
            n = serial_for.get(region, 0) + 1
            serial_for[region] = n
            city = names[city_code] if not county_code else names["441200"]
            county = names[county_code] if county_code else ""
            origin[f"YJS{region}{n:03d}"] = str(b["code"])
            out_bundles.append(
                dict(
                    b,
                    code=f"YJS{region}{n:03d}",
                    description=_rename(str(b.get("description", "")), city, county),
                    lead_department=_rename(
                        depts.get(str(b.get("lead_department")), ""), city, county
                    ),
                )
            )
            continue
        if not plan:
            break
        (city_code, county_code, level), item = plan.pop()
        region = county_code or city_code
        city = names[city_code] if not county_code else names["441200"]
        county = names[county_code] if county_code else ""
        subs = [""]
        name = str(item["name"])
        if "许可" in name and not any(w in name for w in ("变更", "注销", "延续", "补", "换")):
            subs += SUB_ITEMS  # a licence: 新办/变更/延续/注销 business items
        for serial, suffix in enumerate(subs):
            code = implementation_code(region, level, str(item["basic_code"]), serial)
            if code in seen:
                continue
            seen.add(code)
            if not suffix:
                origin[code] = search.item_code(item)
            dept = depts.get(str(item.get("department")), str(item.get("department")))
            variant = dict(
                item,
                implementation_code=code,
                region_code=region,
                exercise_level=level,
                serial=serial,
                name=str(item["name"]) + suffix,
                department=_rename(dept, city, county),
                conditions=_rename(str(item.get("conditions", "")), city, county),
            )
            out_items.append(variant)
    total = out_items + out_bundles
    if len(total) > size:
        keep = len(out_items) - (len(total) - size)
        out_items = out_items[:keep]
    return {"items": out_items, "bundles": out_bundles}, origin


# --- engines -----------------------------------------------------------------------------------


def django_selector_engine(limit: int = TOP_K) -> Engine:
    """The platform's own search path (`GET /services/?q=` and the API use it): a fresh database,
    migrated, with the demo catalog imported and published, queried through the selector."""
    from django.core.management import call_command

    from shuzheng.catalog import selectors

    _BENCH_DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("seed_catalog", verbosity=0)
    return lambda q: [code for code, _, _ in selectors.search(q=q, limit=limit)]


def shuzheng_engine(docs: Sequence[SearchDoc], limit: int = TOP_K) -> Engine:
    index = SearchIndex(docs)
    return lambda q: [h.code for h in index.search(q, limit=limit)]


def naive_engine(docs: Sequence[SearchDoc], limit: int = TOP_K) -> Engine:
    """The peer: ``WHERE name LIKE '%q%' OR aliases LIKE '%q%'`` in catalogue order."""
    rows = [(d.code, d.name, "\n".join(d.aliases)) for d in docs]

    def run(q: str) -> list[str]:
        q = q.strip()
        if not q:
            return []
        out = []
        for code, name, aliases in rows:
            if q in name or q in aliases:
                out.append(code)
                if len(out) == limit:
                    break
        return out

    return run


# --- measuring ---------------------------------------------------------------------------------


def measure_recall(engine: Engine, queries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """recall@k = share of queries with an expected code among the first k results."""
    at1 = at3 = 0
    misses = []
    for case in queries:
        expected = set(case["expected"])
        got = engine(case["q"])
        if expected & set(got[:1]):
            at1 += 1
        if expected & set(got[:3]):
            at3 += 1
        else:
            misses.append({"q": case["q"], "expected": sorted(expected), "got": got[:3]})
    n = len(queries) or 1
    return {"recall@1": at1 / n, "recall@3": at3 / n, "queries": len(queries), "misses": misses}


def measure_latency(
    engine: Engine, queries: Sequence[str], repeat: int, cold: Callable[[], None] | None = None
) -> dict[str, float]:
    """Per-query latency in ms over ``queries`` × ``repeat`` (after one warm-up pass).

    ``cold`` runs (untimed) before each query, to clear query-side caches.
    """
    for q in queries:
        engine(q)
    samples: list[float] = []
    for _ in range(repeat):
        for q in queries:
            if cold is not None:
                cold()
            t0 = time.perf_counter_ns()
            engine(q)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    samples.sort()

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, int(p / 100 * len(samples)))]

    return {
        "samples": len(samples),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": statistics.fmean(samples),
        "max_ms": samples[-1],
    }


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _fmt_ratio(r: float | None) -> str:
    return "∞" if r is None else f"{r:.2f}×"


# --- the run -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument("--repeat", type=int, default=0, help="passes (default: ≥3,000 samples)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for path in (args.catalog, args.queries):
        if not path.exists():
            print(f"missing: {path}", file=sys.stderr)
            return 2
    started = time.perf_counter()

    t0 = time.perf_counter()
    search.warm_up()
    jieba_init_s = time.perf_counter() - t0

    real = load_catalog(args.catalog)
    queries = load_queries(args.queries)
    texts = [q["q"] for q in queries]
    big_catalog, origin = synthetic_catalog(real, args.size)
    big_docs = docs_from_catalog(big_catalog, department_names())

    # (b) build time over the big catalog, caches cold (jieba itself already loaded).
    search.clear_caches()
    t0 = time.perf_counter()
    big_index = SearchIndex(big_docs)
    build_s = time.perf_counter() - t0

    # (a) + (c) recall over the real catalog.
    real_docs = load_real_docs(args.catalog)
    real_engines: dict[str, Engine] = {
        "shuzheng": django_selector_engine(),  # <- engine under test: the Django selector
        PEER: naive_engine(real_docs),
    }
    results: dict[str, dict[str, Any]] = {
        name: {"recall": measure_recall(engine, queries)} for name, engine in real_engines.items()
    }
    results["shuzheng"]["latency_selector"] = measure_latency(real_engines["shuzheng"], texts, 3)
    # The same with every alias removed: what the method finds from names and texts alone.
    bare = [dataclasses.replace(d, aliases=()) for d in real_docs]
    for name, make in (("shuzheng", shuzheng_engine), (PEER, naive_engine)):
        results[name]["recall_without_aliases"] = measure_recall(make(bare), queries)

    # (b) + (c) latency over the big catalog.
    repeat = args.repeat or max(3, -(-3000 // max(1, len(texts))))
    big_engines: dict[str, Engine] = {
        "shuzheng": lambda q: [h.code for h in big_index.search(q, limit=TOP_K)],
        PEER: naive_engine(big_docs),
    }
    deep_engines: dict[str, Engine] = {
        "shuzheng": lambda q: [h.code for h in big_index.search(q, limit=200)],
        PEER: naive_engine(big_docs, limit=200),
    }
    for name, engine in big_engines.items():
        # Recall at scale, region-agnostic: copies of one item in other regions count as that
        # item and are listed once; sub-items (新办/变更/…) are distinct items.
        results[name]["recall_at_scale"] = measure_recall(
            lambda q, e=deep_engines[name]: list(dict.fromkeys(origin.get(c, c) for c in e(q))),
            queries,
        )
        results[name]["latency"] = measure_latency(engine, texts, repeat)
    results["shuzheng"]["latency_uncached"] = measure_latency(
        big_engines["shuzheng"], texts, max(1, repeat // 3), cold=search.clear_caches
    )

    ours, peer = results["shuzheng"], results[PEER]
    ratios = {
        "recall@1": _ratio(ours["recall"]["recall@1"], peer["recall"]["recall@1"]),
        "recall@3": _ratio(ours["recall"]["recall@3"], peer["recall"]["recall@3"]),
        "p95_latency": _ratio(ours["latency"]["p95_ms"], peer["latency"]["p95_ms"]),
    }
    total_s = time.perf_counter() - started

    # --- print ---
    n_items = len(big_catalog["items"])
    n_bundles = len(big_catalog["bundles"])
    print(f"catalog_search — {platform.python_implementation()} {platform.python_version()}")
    print(
        f"real catalog: {len(real_docs)} docs; queries: {len(queries)}; "
        f"latency catalog: {len(big_docs)} docs ({n_items} items, {n_bundles} bundles)"
    )
    print(f"jieba dictionary load (once per process): {jieba_init_s * 1000:.0f} ms")
    print(f"index build, {len(big_docs)} docs: {build_s * 1000:.0f} ms (target < 2000 ms)")
    print()
    header = f"{'':24}{'shuzheng':>12}{PEER:>26}{'ratio':>10}"
    print(header)
    print("-" * len(header))
    rows = [
        ("recall@1", "recall", "recall@1"),
        ("recall@3 (target ≥0.9)", "recall", "recall@3"),
        ("p50 latency ms", "latency", "p50_ms"),
        ("p95 latency ms (<50)", "latency", "p95_ms"),
        ("p99 latency ms", "latency", "p99_ms"),
        ("— no aliases: recall@1", "recall_without_aliases", "recall@1"),
        ("— no aliases: recall@3", "recall_without_aliases", "recall@3"),
        ("— 2,000 docs: recall@1", "recall_at_scale", "recall@1"),
        ("— 2,000 docs: recall@3", "recall_at_scale", "recall@3"),
    ]
    for label, group, key in rows:
        a, b = ours[group][key], peer[group][key]
        r = _fmt_ratio(_ratio(a, b)) if key != "p50_ms" and key != "p99_ms" else ""
        print(f"{label:24}{a:>12.3f}{b:>26.3f}{r:>10}")
    cold = ours["latency_uncached"]
    print(
        f"shuzheng with query caches cleared before every query: p50 {cold['p50_ms']:.3f} ms, "
        f"p95 {cold['p95_ms']:.3f} ms, p99 {cold['p99_ms']:.3f} ms"
    )
    sel = ours["latency_selector"]
    print(
        f"through the Django selector (real catalog, incl. the freshness query): p50 "
        f"{sel['p50_ms']:.3f} ms, p95 {sel['p95_ms']:.3f} ms, p99 {sel['p99_ms']:.3f} ms"
    )
    print(f"latency samples: {ours['latency']['samples']} per engine ({repeat} passes)")
    misses = ours["recall"]["misses"]
    print()
    print(f"shuzheng misses at 3 ({len(misses)}):")
    by_code = {d.code: d.name for d in real_docs}
    for m in misses:
        exp = "、".join(by_code.get(c, c) for c in m["expected"])
        got = "、".join(by_code.get(c, c) for c in m["got"]) or "（无结果）"
        print(f"  {m['q']}  →  {got}   (expected {exp})")
    print()
    print(f"total run: {total_s:.1f} s")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "catalog_search",
        "peer": PEER,
        "python": platform.python_version(),
        "real_docs": len(real_docs),
        "queries": len(queries),
        "latency_docs": len(big_docs),
        "jieba_init_ms": jieba_init_s * 1000,
        "index_build_ms": build_s * 1000,
        "engines": results,
        "ratios_shuzheng_over_peer": ratios,
        "total_s": total_s,
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
