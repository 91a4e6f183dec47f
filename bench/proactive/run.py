"""免申即享 benchmark: 1,000,000 enterprises × 20 policies, one rule in two speeds.

    cd /work/main && .venv/bin/python bench/proactive/run.py [--subjects 1000000]

1. the enterprise registry of ``rules.registry`` generated at 1 M rows (deterministic, the same
   generator the demo's 500 enterprises come from; generation is timed apart and cached in
   /tmp as parquet);
2. 20 policies: the three seeded enterprise rule sets (稳岗返还, 小微企业社保补贴, 一次性创业资助)
   and 17 variants of them (per-county pilots, other thresholds, grades and amounts), each a
   JDM document checked by ``jdm.compile_document`` like anything saved in the console;
3. the vectorised path: every policy compiled to polars and evaluated in ONE lazy ``select``
   over the 1 M rows (outcome, decision row and amount per policy) — best of 3 runs, plus the
   first (cold) run;
4. on the same rules and data, a sample of records through (a) plain per-record Python
   (``Program.run``, ZEN semantics) and (b) zen-engine per record (the 秒批 engine), timed and
   scaled to 1 M × 20; outcomes of the sample are checked against the batch;
5. OpenFisca is not run: it would need a country package re-declaring these variables and
   formulas, and it is itself vectorised (numpy), so it is a peer of the batch path, not of the
   per-record paths (see bench/proactive/README.md).

Targets: batch ≤ 5 s for 1 M × 20 on this 2-core machine; ≥ 20× the per-record paths.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("SHUZHENG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402

from shuzheng.rules import batch, engine, facts, jdm, registry, seed  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "proactive.json"
AS_OF = dt.date(2026, 11, 23)
COUNTIES = ["441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284"]


def _set_expr(doc: dict[str, Any], key: str, value: str) -> None:
    for node in doc["nodes"]:
        for e in (node.get("content") or {}).get("expressions", []):
            if e["key"] == key:
                e["value"] = value


def policies() -> dict[str, tuple[dict[str, Any], jdm.Program]]:
    base = {
        s["code"]: seed.document_for(s)
        for s in seed.seed_specs()
        if s["subject_kind"] == "enterprise"
    }
    docs: dict[str, dict[str, Any]] = dict(base)
    # per-county pilots of 稳岗返还 with their own layoff threshold
    for i, county in enumerate(COUNTIES[:6]):
        d = copy.deepcopy(base["wengang-fanhuan"])
        _set_expr(d, "cond.region", f'startsWith(enterprise.region, "{county}")')
        _set_expr(
            d,
            "cond.layoff",
            f"si_layoff_rate <= {4 + i * 0.5}"
            " or (enterprise.employees <= 30 and si_layoff_rate <= 20)",
        )
        docs[f"wengang-{county}"] = d
    # 小微企业社保补贴 variants: grades, caps and per-head amounts
    for i, (grades, cap, per) in enumerate(
        [
            ('["A"]', 20, 1500),
            ('["A", "B"]', 30, 1200),
            ('["A", "B", "M"]', 100, 800),
            ('["A", "B"]', 10, 2000),
            ('["B", "M"]', 50, 1000),
        ]
    ):
        d = copy.deepcopy(base["xiaowei-shebao"])
        _set_expr(d, "cond.tax", f"tax_credit_grade in {grades}")
        _set_expr(d, "amount", f"min([si_insured_employees, {cap}]) * {per}")
        docs[f"xiaowei-{i}"] = d
    # 创业资助 variants: age limits, sizes and food-licence holders (holds_license)
    for months in [12, 24, 48, 60]:
        d = copy.deepcopy(base["chuangye-zizhu"])
        _set_expr(d, "cond.young", f"enterprise.age_months < {months}")
        docs[f"chuangye-{months}m"] = d
    d = copy.deepcopy(base["chuangye-zizhu"])
    _set_expr(d, "cond.jobs", 'si_insured_employees >= 1 and "食品经营许可证" in licenses')
    docs["chuangye-food"] = d
    d = copy.deepcopy(base["xiaowei-shebao"])
    _set_expr(
        d,
        "cond.small",
        'enterprise.size in ["小型", "微型"] and enterprise.employees <= 100'
        " and enterprise.registered_capital >= 50",
    )
    docs["xiaowei-capital"] = d
    assert len(docs) == 20, len(docs)
    return {
        code: (doc, jdm.compile_document(doc, subject_kind="enterprise"))
        for code, doc in docs.items()
    }


def load_frame(n: int) -> tuple[pl.DataFrame, float]:
    cache = Path(f"/tmp/shuzheng-bench-enterprises-{n}.parquet")
    started = time.perf_counter()
    if cache.exists():
        frame = pl.read_parquet(cache)
    else:
        frame = registry.enterprises_frame(n, ids=False)
        frame.write_parquet(cache)
    frame = registry.with_age(frame, "enterprise", AS_OF).collect()
    return frame, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--python-sample", type=int, default=20_000)
    ap.add_argument("--zen-sample", type=int, default=5_000)
    args = ap.parse_args()
    both = policies()
    programs = {code: program for code, (_, program) in both.items()}
    frame, gen_s = load_frame(args.subjects)
    print(
        f"data: {frame.height:,} enterprises × {len(frame.columns)} columns, "
        f"generated/loaded in {gen_s:.1f} s (not counted)"
    )
    print(f"policies: {len(programs)} (JDM documents, each checked like a console save)")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, polars {pl.__version__}, "
        f"{engine.ENGINE}, load average {os.getloadavg()[0]:.2f}"
    )

    # --- vectorised -------------------------------------------------------------------------
    runs = []
    out = None
    for _ in range(3):
        started = time.perf_counter()
        out = batch.evaluate_frame(programs, frame)
        runs.append(time.perf_counter() - started)
    assert out is not None
    batch_s = min(runs)
    evaluations = frame.height * len(programs)
    approved = {code: int((out[f"{code}:outcome"] == 0).sum()) for code in programs}
    print(
        f"\nbatch (polars, one plan for all {len(programs)} policies): best {batch_s:.2f} s, "
        f"first {runs[0]:.2f} s → {evaluations / batch_s / 1e6:.1f} M evaluations/s   "
        f"target ≤ 5 s: {'PASS' if batch_s <= 5 else 'FAIL'}"
    )
    print(f"  approved per policy: {min(approved.values()):,} – {max(approved.values()):,}")

    # --- per record: Python --------------------------------------------------------------------
    names = sorted({f for p in programs.values() for f in p.facts_used})
    sample = frame.head(args.python_sample).select(["subject_id", *names]).to_dicts()
    started = time.perf_counter()
    py_out = [[p.run(r)["outcome"] for p in programs.values()] for r in sample]
    py_s = time.perf_counter() - started
    py_scaled = py_s / len(sample) * frame.height
    mismatches = sum(
        py_out[i][j] != batch.outcome_name(out[f"{code}:outcome"][i])
        for i in range(len(sample))
        for j, code in enumerate(programs)
    )
    print(
        f"\nper record, plain Python (Program.run): {len(sample):,} × {len(programs)} in "
        f"{py_s:.2f} s → 1 M × 20 ≈ {py_scaled:,.0f} s   (batch agrees on "
        f"{len(sample) * len(programs) - mismatches:,}/{len(sample) * len(programs):,})"
    )

    # --- per record: zen-engine ----------------------------------------------------------------
    import json as _json

    import zen

    decisions = {}
    for code in programs:
        decisions[code] = zen.ZenEngine().create_decision(
            _json.dumps(both[code][0], ensure_ascii=False)
        )
    zsample = [
        facts.nest({k: v for k, v in r.items() if k != "subject_id"})
        for r in sample[: args.zen_sample]
    ]
    started = time.perf_counter()
    zen_out = [
        [decisions[c].evaluate(r)["result"].get("outcome", "review") for c in programs]
        for r in zsample
    ]
    zen_s = time.perf_counter() - started
    zen_scaled = zen_s / len(zsample) * frame.height
    zmis = sum(
        zen_out[i][j] != py_out[i][j] for i in range(len(zsample)) for j in range(len(programs))
    )
    print(
        f"per record, zen-engine (the 秒批 engine): {len(zsample):,} × {len(programs)} in "
        f"{zen_s:.2f} s → 1 M × 20 ≈ {zen_scaled:,.0f} s   (agrees with Python on "
        f"{len(zsample) * len(programs) - zmis:,}/{len(zsample) * len(programs):,})"
    )
    print(
        "OpenFisca: not run (needs a country package of these variables; "
        "it is vectorised like the batch path — see README)"
    )

    r_py, r_zen = py_scaled / batch_s, zen_scaled / batch_s
    print(
        f"\nratios: batch is {r_py:,.0f}× per-record Python and "
        f"{r_zen:,.0f}× per-record zen-engine   "
        f"target ≥ 20×: {'PASS' if min(r_py, r_zen) >= 20 else 'FAIL'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "subjects": frame.height,
                "policies": len(programs),
                "batch_best_s": batch_s,
                "batch_runs_s": runs,
                "python_sample": len(sample),
                "python_scaled_s": py_scaled,
                "zen_sample": len(zsample),
                "zen_scaled_s": zen_scaled,
                "ratio_python": r_py,
                "ratio_zen": r_zen,
                "mismatches_python_vs_batch": mismatches,
                "mismatches_zen_vs_python": zmis,
                "load_average": os.getloadavg()[0],
            },
            indent=2,
        ),
        "utf-8",
    )


if __name__ == "__main__":
    main()
