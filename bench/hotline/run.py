"""12345 派单建议: department top-1/top-3 and 诉求类型 accuracy on the hand-written evaluation set
(bench/hotline/eval.jsonl), for the shipped model and a keyword-rule baseline in the same run,
and the suggestion's latency (p50/p95 over the set, repeated).

    make bench-hotline            # or: .venv/bin/python bench/hotline/run.py [--repeat 3]

Runs without a database: department names come from the fallback table (data/departments.json).
Figures of each run are printed; the median of the runs is printed last and kept in
bench/results/hotline.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from shuzheng.hotline.suggest import features  # noqa: E402
from shuzheng.hotline.suggest.corpus import read_jsonl  # noqa: E402
from shuzheng.hotline.suggest.evaluation import EVAL_PATH, evaluate  # noqa: E402
from shuzheng.hotline.suggest.model import load  # noqa: E402
from shuzheng.hotline.suggest.service import Suggester, fallback_directory  # noqa: E402

TARGETS = {"top1": 0.85, "top3": 0.95, "p95_ms": 30.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs (the median is reported)")
    args = ap.parse_args()
    rows = list(read_jsonl(EVAL_PATH))
    t0 = time.perf_counter()
    model = load()
    suggester = Suggester(model=load, directory=fallback_directory)
    suggester.suggest(text="预热：加载分词词典")  # jieba's dictionary, once per process
    print(
        f"model {model.version}: {len(model.features)} features, loaded with the dictionary "
        f"in {time.perf_counter() - t0:.2f} s; evaluation set: {len(rows)} tickets"
    )
    runs = []
    for i in range(args.repeat):
        features.clear_caches()  # every run tokenises afresh
        r = evaluate(rows, suggester, with_baseline=True)
        runs.append(r)
        print(
            f"run {i + 1}: model top-1 {r['top1']:.3f} top-3 {r['top3']:.3f} type {r['type']:.3f} "
            f"category {r['category']:.3f} | keyword rules top-1 {r['baseline_top1']:.3f} "
            f"top-3 {r['baseline_top3']:.3f} type {r['baseline_type']:.3f} | "
            f"p50 {r['p50_ms']:.2f} ms p95 {r['p95_ms']:.2f} ms"
        )
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print()
    print(f"{'median of ' + str(len(runs)) + ' runs':<24}{'model':>10}{'keyword rules':>16}")
    print(f"{'department top-1':<24}{med['top1']:>10.3f}{med['baseline_top1']:>16.3f}")
    print(f"{'department top-3':<24}{med['top3']:>10.3f}{med['baseline_top3']:>16.3f}")
    print(f"{'诉求类型':<20}{med['type']:>14.3f}{med['baseline_type']:>16.3f}")
    print(f"{'category (三级)':<22}{med['category']:>12.3f}{'—':>16}")
    print(f"latency p50 {med['p50_ms']:.2f} ms, p95 {med['p95_ms']:.2f} ms")
    ok = (
        med["top1"] >= TARGETS["top1"]
        and med["top3"] >= TARGETS["top3"]
        and med["p95_ms"] < TARGETS["p95_ms"]
    )
    print("targets (top-1 ≥ 0.85, top-3 ≥ 0.95, p95 < 30 ms): " + ("met" if ok else "NOT met"))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "hotline.json").write_text(
        json.dumps({"model": model.version, "median": med, "runs": runs}, indent=1), "utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
