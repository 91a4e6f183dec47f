"""Plan import accuracy: the task register the platform proposes for each seed work plan,
against labels written by hand for this benchmark (``bench/documents/labels/*.json``).

    cd /work/main && .venv/bin/python bench/documents/plans.py      (make bench-plans)

Each seed plan goes through what ``POST /api/v1/supervision/plans/preview`` runs on an upload —
``documents.facade.text_of`` (the file's text) and ``supervision.planparse.parse_plan`` — and the
proposal is scored against the labels, per document and over all four:

- **tasks**: the numbered items and sub-items, matched by their path (``["二", "(五)", "3"]``):
  precision and recall. Titles of the matched tasks are compared too (exact, after trimming).
- **lead departments**: (task path, department) pairs, names compared after traditional →
  simplified, NFKC and without pinyin annotations (``數(shù)據(jù)``): precision, recall, F1.
- **targets**: (task path, value, unit) pairs, units compared as written after the same
  normalisation (``％`` → ``%``): precision, recall, F1.

Targets (issue 20): tasks ≥ 0.98, departments ≥ 0.95 (precision and recall), targets F1 ≥ 0.90.

The peer, in the same run: **a line-regex baseline** — what a first script would do: every line
that starts with ``(一)``, ``1.`` or ``(1)`` is a task (path by the same numbering), the last
parenthesis of the item holding 牵头/负责 split at 、 is its departments, and every Arabic
number followed by a unit character is a target.

The labels were written by reading the plans, by people (helper sessions) who had not seen the
parser; the rules they followed are in ``bench/documents/labels/README.md``. Figures go to
``bench/results/plans.json`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
LABELS = ROOT / "bench" / "documents" / "labels"
RESULTS = ROOT / "bench" / "results" / "plans.json"
TARGETS = {"tasks": 0.98, "departments": 0.95, "targets_f1": 0.90}

sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
os.environ.setdefault("SHUZHENG_TESTING", "1")
os.environ.setdefault("DATABASE_URL", "")

PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")

Path_ = tuple[str, ...]


def norm(text: str) -> str:
    from shuzheng.supervision.planparse import simplified

    return PINYIN.sub("", simplified(unicodedata.normalize("NFKC", text))).strip()


def norm_unit(unit: str) -> str:
    u = norm(unit)
    return "%" if u == "％" else u


def norm_path(path: Iterable[str]) -> Path_:
    return tuple(unicodedata.normalize("NFKC", p).strip() for p in path)


# --- what the platform proposes ---------------------------------------------------------


def platform(text: str) -> list[dict[str, Any]]:
    from shuzheng.supervision import planparse

    plan = planparse.parse_plan(text)
    return [
        {
            "path": t.path,
            "title": t.title,
            "lead_departments": t.lead_departments,
            "targets": [{"value": x.value, "unit": x.unit} for x in t.targets],
        }
        for t in plan.tasks
    ]


# --- the peer: a line-regex baseline ------------------------------------------------------

B_L1 = re.compile(r"^([一二三四五六七八九十]+)、")
B_ITEM = re.compile(r"^(?:\(([一二三四五六七八九十]+)\)|(\d+)\.|\((\d+)\))")
B_LEAD = re.compile(r"\(([^()]*(?:牵头|负责))\)")
B_NUM = re.compile(r"(\d+(?:\.\d+)?)(%|个|项|万|亿|家|件|人|天)")


def baseline(text: str) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    section = ""
    path: list[str] = []
    for raw in text.splitlines():
        line = norm(raw)
        if not line:
            continue
        if m := B_L1.match(line):
            section, path = m.group(1), []
            continue
        m = B_ITEM.match(line)
        if not m:
            continue
        if m.group(1):
            path = [section, f"({m.group(1)})"]
        elif m.group(2):
            path = [*(path[:2] or [section, ""]), m.group(2)]
        else:
            path = [*(path[:3] or [section, "", ""]), f"({m.group(3)})"]
        leads = B_LEAD.findall(line)
        depts = [re.sub(r"(牵头|负责)$", "", d) for d in leads[-1].split("、")] if leads else []
        tasks.append(
            {
                "path": list(path),
                "title": re.split(r"[。]", line[m.end() :])[0],
                "lead_departments": depts,
                "targets": [{"value": float(v), "unit": u} for v, u in B_NUM.findall(line)],
            }
        )
    return tasks


# --- scoring -------------------------------------------------------------------------------


def prf(tp: int, n_pred: int, n_true: int) -> dict[str, float | None]:
    p = tp / n_pred if n_pred else None
    r = tp / n_true if n_true else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if n_pred or n_true else None)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "predicted": n_pred, "labelled": n_true}


def pairs(tasks: list[dict[str, Any]], key: Callable[[dict[str, Any]], list[Any]]) -> Counter[Any]:
    out: Counter[Any] = Counter()
    for t in tasks:
        for item in key(t):
            out[(norm_path(t["path"]), item)] += 1
    return out


def depts(t: dict[str, Any]) -> list[str]:
    return sorted({norm(d) for d in t["lead_departments"]})


def targets(t: dict[str, Any]) -> list[tuple[float, str]]:
    return [(float(x["value"]), norm_unit(x["unit"])) for x in t["targets"]]


def score(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, Any]:
    p_paths = Counter(norm_path(t["path"]) for t in pred)
    g_paths = Counter(norm_path(t["path"]) for t in gold)
    both = p_paths & g_paths
    g_title = {norm_path(t["path"]): norm(t["title"]).rstrip("。") for t in gold}
    titles = sum(
        1
        for t in pred
        if norm_path(t["path"]) in both
        and norm(t["title"]).rstrip("。") == g_title.get(norm_path(t["path"]))
    )
    out: dict[str, Any] = {
        "tasks": prf(sum(both.values()), sum(p_paths.values()), sum(g_paths.values()))
    }
    out["titles_exact"] = titles / max(1, sum(both.values()))
    for name, key in (("departments", depts), ("targets", targets)):
        pp, gp = pairs(pred, key), pairs(gold, key)
        out[name] = prf(sum((pp & gp).values()), sum(pp.values()), sum(gp.values()))
        out[name]["missed"] = [f"{'/'.join(k[0])} {k[1]}" for k in (gp - pp)][:8]
        out[name]["extra"] = [f"{'/'.join(k[0])} {k[1]}" for k in (pp - gp)][:8]
    out["tasks"]["missed"] = ["/".join(k) for k in (g_paths - p_paths)][:8]
    out["tasks"]["extra"] = ["/".join(k) for k in (p_paths - g_paths)][:8]
    return out


def fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.3f}"


def row(name: str, s: dict[str, Any]) -> str:
    t, d, g = s["tasks"], s["departments"], s["targets"]
    return (
        f"{name:<28} {fmt(t['precision'])} {fmt(t['recall'])} {t['labelled']:4d}   "
        f"{fmt(d['precision'])} {fmt(d['recall'])} {d['labelled']:4d}   "
        f"{fmt(g['precision'])} {fmt(g['recall'])} {fmt(g['f1'])} {g['labelled']:4d}"
    )


def main() -> int:
    import django

    django.setup()
    from shuzheng.documents.facade import text_of

    labels = sorted(LABELS.glob("*.json"))
    if not labels:
        print(f"no labels in {LABELS}")
        return 2
    header = (
        f"{'document':<28} {'tasks P':>5} {'R':>5} {'n':>4}   {'dept P':>5} {'R':>5} {'n':>4}   "
        f"{'tgt P':>5} {'R':>5} {'F1':>5} {'n':>4}"
    )
    results: dict[str, Any] = {"documents": {}}
    totals: dict[str, list[dict[str, Any]]] = {"platform": [], "baseline": []}
    gold_all: list[dict[str, Any]] = []
    for path in labels:
        label = json.loads(path.read_text(encoding="utf-8"))
        data = (SEEDS / label["source"]).read_bytes()
        text = text_of(field="file", name=label["source"], data=data)
        gold = label["tasks"]
        doc = path.stem.split("_")[0]
        for system, fn in (("platform", platform), ("baseline", baseline)):
            pred = fn(text)
            s = score(pred, gold)
            results["documents"].setdefault(doc, {})[system] = s
            # prefix paths with the document so the totals never pair across plans
            totals[system] += [{**t, "path": [doc, *t["path"]]} for t in pred]
        gold_all += [{**t, "path": [doc, *t["path"]]} for t in gold]
    for system in ("platform", "baseline"):
        results[system] = score(totals[system], gold_all)
    print("Plan import against hand labels (bench/documents/labels/)\n")
    print(header)
    for doc, by in results["documents"].items():
        print(row(f"{doc} platform", by["platform"]))
        print(row(f"{doc} line-regex baseline", by["baseline"]))
    print(row("ALL platform", results["platform"]))
    print(row("ALL line-regex baseline", results["baseline"]))
    a = results["platform"]
    word = {True: "met", False: "NOT met"}
    met = {
        "tasks": min(a["tasks"]["precision"] or 0, a["tasks"]["recall"] or 0) >= TARGETS["tasks"],
        "departments": min(a["departments"]["precision"] or 0, a["departments"]["recall"] or 0)
        >= TARGETS["departments"],
        "targets": (a["targets"]["f1"] or 0) >= TARGETS["targets_f1"],
    }
    print(
        f"\ntitles exact (matched tasks): {a['titles_exact']:.3f}\n"
        f"targets: tasks P and R ≥ {TARGETS['tasks']} {word[met['tasks']]}; "
        f"departments P and R ≥ {TARGETS['departments']} {word[met['departments']]}; "
        f"targets F1 ≥ {TARGETS['targets_f1']} {word[met['targets']]}"
    )
    if "-v" in sys.argv:
        for doc, by in results["documents"].items():
            s = by["platform"]
            for part in ("tasks", "departments", "targets"):
                if s[part].get("missed") or s[part].get("extra"):
                    print(f"  {doc} {part}: missed {s[part]['missed']} extra {s[part]['extra']}")
    results["met"] = met
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
