"""Accuracy of a suggester on a labelled set (the benchmark and ``hotline_retrain`` share it)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from shuzheng.hotline.suggest import baseline
from shuzheng.hotline.suggest.service import Suggester

# the fixed evaluation set, written by hand apart from the training data
EVAL_PATH = Path(__file__).resolve().parents[4] / "bench" / "hotline" / "eval.jsonl"


def evaluate(
    rows: Sequence[dict[str, str]], suggester: Suggester, *, with_baseline: bool = False
) -> dict[str, float]:
    """top1/top3 (the department's function), type and category accuracy, and latency (ms)
    of ``suggester`` on ``rows`` ({"text", "address"?, "department", "type", "category"});
    with the keyword-rule baseline's accuracies when asked."""
    n = len(rows)
    if n == 0:
        raise ValueError("评估集为空。")
    top1 = top3 = typ = cat = b1 = b3 = btyp = 0
    latencies: list[float] = []
    for r in rows:
        text, address = r["text"], r.get("address")
        t0 = time.perf_counter()
        s = suggester.suggest(text=text, address=address, k=3)
        latencies.append((time.perf_counter() - t0) * 1000)
        codes = [d.function_code for d in s.departments]
        top1 += codes[0] == r["department"]
        top3 += r["department"] in codes
        typ += s.type.name == r["type"]
        cat += s.category.code == r.get("category")
        if with_baseline:
            base = baseline.keyword_departments(f"{address or ''} {text}")
            b1 += base[0] == r["department"]
            b3 += r["department"] in base
            btyp += baseline.keyword_type(text) == r["type"]
    latencies.sort()
    out = {
        "n": float(n),
        "top1": top1 / n,
        "top3": top3 / n,
        "type": typ / n,
        "category": cat / n,
        "p50_ms": latencies[n // 2],
        "p95_ms": latencies[min(n - 1, int(n * 0.95))],
    }
    if with_baseline:
        out |= {"baseline_top1": b1 / n, "baseline_top3": b3 / n, "baseline_type": btyp / n}
    return out
