"""公文库 at scale: a generated corpus imported through the platform, searched and related.

    cd /work/main && .venv/bin/python bench/documents/run.py [--size N]   (make bench-documents)

A fresh SQLite database (``BENCH_DB``, default /tmp/shuzheng-bench-documents.sqlite3) is
migrated; ``--size`` documents are generated (seed 1) in the GB/T 9704 layout — 版头, 发文字号,
标题, 主送机关, 正文 with headings 一、(一) 1., 附件, 署名, 成文日期, 抄送, 印发 — from 40 issuers
over 2015–2024 in 8 文种, with sentences drawn from the five seed documents (simplified and
traditional as written). Planted relations: 15% cite an earlier document by its 文号, 10% by its
《标题》, 5% are 印发 notices of an earlier 方案/要点; 10% cite a 文号 outside the corpus (no
relation may come of it).

(a) import rate: every document through ``documents.services.documents_import`` (20 files per
    call, GB/T 9704 parsing, citations, the term index and one audit record each), the rate
    per 10% slice, median of the slices;
(b) relations: precision and recall of the document→document links the platform builds
    (``Citation`` keys joined to 文号/标题 keys, both ways) against the planted ones, and the
    time to build them all; ``selectors.relations`` p50/p95 for 200 documents' pages;
(c) search p50/p95 through ``documents.selectors.search`` — jieba words, filters (year, 发文机关,
    文种), ranking, ``<mark>`` highlighting and snippets of the first page — for 40 queries
    (common and rare words, 文号, traditional characters, with and without filters), 3 runs,
    median of the runs; target p95 < 100 ms;
(d) the peer, "naive substring search": the same selector with the term index off (every word
    ``LIKE '%w%'`` over all ``search_text``), same queries, same checks that both return the
    same results;
(e) figures to bench/results/documents.json (git-ignored).

PostgreSQL is not measured (the issue does not ask; the term index is SQLite's FTS5 — there the
search scans, see the module README).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "documents.json"
DB = Path(os.environ.get("BENCH_DB", "/tmp/shuzheng-bench-documents.sqlite3"))
TARGET_P95_MS = 100.0
RUNS = 3
BATCH = 20
PEER = "naive substring search"

ISSUERS = [  # (发文机关, 文号 prefix)
    ("肇庆市人民政府", "肇府"),
    ("肇庆市人民政府办公室", "肇府办"),
    ("肇庆市政务服务数据管理局", "肇政数"),
    ("肇庆市发展和改革局", "肇发改"),
    ("肇庆市教育局", "肇教"),
    ("肇庆市公安局", "肇公"),
    ("肇庆市民政局", "肇民"),
    ("肇庆市财政局", "肇财"),
    ("肇庆市人力资源和社会保障局", "肇人社"),
    ("肇庆市自然资源局", "肇自然资源"),
    ("肇庆市生态环境局", "肇环"),
    ("肇庆市住房和城乡建设局", "肇建"),
    ("肇庆市交通运输局", "肇交"),
    ("肇庆市水务局", "肇水"),
    ("肇庆市农业农村局", "肇农"),
    ("肇庆市商务局", "肇商务"),
    ("肇庆市文化广电旅游体育局", "肇文旅"),
    ("肇庆市卫生健康局", "肇卫健"),
    ("肇庆市应急管理局", "肇应急"),
    ("肇庆市市场监督管理局", "肇市监"),
    ("肇庆市医疗保障局", "肇医保"),
    ("肇庆市城市管理和综合执法局", "肇城管"),
    ("端州区人民政府", "端府"),
    ("鼎湖区人民政府", "鼎府"),
    ("高要区人民政府", "高府"),
    ("四会市人民政府", "四府"),
    ("广宁县人民政府", "广府"),
    ("怀集县人民政府", "怀府"),
    ("封开县人民政府", "封府"),
    ("德庆县人民政府", "德府"),
    ("广东省人民政府", "粤府"),
    ("广东省人民政府办公厅", "粤办函"),
    ("广东省政务服务数据管理局", "粤政数"),
    ("广东省发展和改革委员会", "粤发改"),
    ("广东省财政厅", "粤财"),
    ("广东省教育厅", "粤教"),
    ("广东省公安厅", "粤公"),
    ("广东省民政厅", "粤民"),
    ("廣東省人民政府辦公廳", "粵辦"),  # traditional, kept as written
    ("肇慶市政務服務數據管理局", "肇政數"),
]
SAME_PREFIX = {"肇政數": "肇政数"}
KINDS = ["通知", "意见", "方案", "报告", "函", "批复", "决定", "通报"]
SUBJECTS = [
    "数字政府改革建设",
    "政务数据共享",
    "一网通办",
    "一网统管",
    "营商环境优化",
    "电子证照应用",
    "政务服务标准化",
    "跨省通办",
    "公共数据开放",
    "数据要素市场化",
    "政务云平台",
    "城市运行管理",
    "社会信用体系",
    "基层减负",
    "安全生产",
    "防汛防旱",
    "耕地保护",
    "乡村振兴",
    "教育信息化",
    "医疗保障信息化",
    "社会救助",
    "养老服务",
    "就业创业",
    "人才引进",
    "招商引资",
    "项目审批",
    "工程建设项目审批制度改革",
    "不动产登记",
    "市场主体登记",
    "双随机一公开",
    "12345热线",
    "网络安全",
    "密码应用",
    "首席数据官",
    "数字空间",
    "粤省事",
    "粤商通",
    "粤政易",
    "秒批",
    "秒享",
    "免申即享",
    "一件事一次办",
    "适老化改造",
    "无障碍环境",
    "智慧交通",
    "智慧水务",
    "生态环境监测",
    "河长制",
    "林长制",
    "食品安全",
    "药品监管",
    "疫情防控",
    "应急指挥",
    "统计调查",
    "财政预算",
    "政府采购",
    "国有资产",
    "审计整改",
    "督查督办",
    "政务公开",
]
COUNTIES = ["端州区", "鼎湖区", "高要区", "四会市", "广宁县", "怀集县", "封开县", "德庆县", "全市"]
RECIPIENTS = [
    "各县（市、区）人民政府，市政府各部门、各直属机构",
    "各县（市、区）政务服务数据管理局",
    "市有关单位",
    "省政府各部门、各直属机构",
    "各地级以上市人民政府",
]

# 40 queries: (q, filters) — common and rare words, multi-word, 文号, traditional, with filters
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("秒享", {}),
    ("数据共享", {}),
    ("数字政府", {}),
    ("一网通办", {"year": 2022}),
    ("营商环境", {"issuer": "肇庆市"}),
    ("电子证照", {"kind": "通知"}),
    ("政务服务 标准化", {}),
    ("跨省通办", {"year": 2020}),
    ("公共数据开放", {}),
    ("首席数据官", {"year": 2023}),
    ("政務服務數據管理局", {}),
    ("數字政府改革建設", {"year": 2022}),
    ("粤办函", {}),
    ("肇府办〔2021〕", {}),
    ("工作要点", {}),
    ("年底前", {}),
    ("乡村振兴", {"issuer": "德庆县"}),
    ("防汛防旱", {"kind": "意见"}),
    ("安全生产 应急", {}),
    ("12345热线", {}),
    ("适老化改造", {}),
    ("免申即享", {"year": 2024}),
    ("双随机一公开", {}),
    ("不动产登记", {"issuer": "自然资源"}),
    ("工程建设项目审批制度改革", {}),
    ("密码应用", {}),
    ("河长制", {"year": 2019}),
    ("政府采购", {"kind": "报告"}),
    ("社会救助 养老服务", {}),
    ("人才引进", {}),
    ("粤省事", {}),
    ("智慧水务", {"issuer": "水务局"}),
    ("生态环境监测", {"year": 2018}),
    ("疫情防控", {"year": 2022, "kind": "通知"}),
    ("统计调查", {}),
    ("审计整改", {}),
    ("督查督办 挂图作战", {}),
    ("政务公开", {"year": 2016}),
    ("基层减负", {}),
    ("不存在的检索词语", {}),
]


def sentences() -> list[str]:
    """Sentences of the five seed documents (as written), 12–80 characters long."""
    seeds = ROOT / "src" / "shuzheng" / "documents" / "data" / "seeds"
    out = []
    for p in sorted(seeds.glob("*.txt")):
        text = p.read_text(encoding="utf-8").replace("\n", "")
        for s in re.split(r"(?<=[。；])", text):
            s = s.strip()
            if 12 <= len(s) <= 80 and not re.search(r"〔\d{4}〕|《", s):
                out.append(s)
    return out


def generate(size: int, seed: int = 1) -> tuple[list[tuple[str, bytes]], set[tuple[int, int]]]:
    """``size`` 公文 as (file name, UTF-8 bytes) and the planted (citing, cited) index pairs."""
    rng = random.Random(seed)
    bank = sentences()
    combos = [(i, s, k) for i in range(len(ISSUERS)) for s in range(len(SUBJECTS))
              for k in range(len(KINDS))]  # fmt: skip
    rng.shuffle(combos)
    docs: list[dict[str, Any]] = []
    serial: dict[tuple[str, int], int] = {}
    truth: set[tuple[int, int]] = set()
    for n in range(size):
        ii, si, ki = combos[n % len(combos)]
        issuer, prefix = ISSUERS[ii]
        year = 2015 + (n * 10) // size  # older first, so citations point back in time
        kind = KINDS[ki]
        county = COUNTIES[(n // len(combos)) % len(COUNTIES)]
        key = (SAME_PREFIX.get(prefix, prefix), year)  # one 文号 series however written
        no = serial[key] = serial.get(key, 0) + 1
        number = f"{prefix}〔{year}〕{no}号"
        subject = SUBJECTS[si]
        title = f"{issuer}关于{county}{year}年{subject}工作的{kind}"
        if n > len(combos) * len(COUNTIES):
            title = title.replace("工作的", f"工作（第{n}号）的")  # titles stay unique
        lines = [f"{issuer}文件", number, title, f"{rng.choice(RECIPIENTS)}："]
        opening = f"为深入推进{subject}工作，现就有关事项{kind}如下。"
        r = rng.random()
        if docs and r < 0.15:
            j = rng.randrange(len(docs))
            opening = f"根据{docs[j]['number']}的部署，" + opening
            truth.add((n, j))
        elif docs and r < 0.25:
            j = rng.randrange(len(docs))
            opening = f"根据《{docs[j]['title']}》，" + opening
            truth.add((n, j))
        elif docs and r < 0.30 and docs[-1]["kind"] == "方案":
            j = len(docs) - 1
            plan = docs[j]["title"]
            title = f"{issuer}关于印发{plan}的通知"
            lines[2] = title
            opening = f"现将《{plan}》印发给你们，请认真贯彻执行。"
            truth.add((n, j))
        elif r < 0.40:
            opening = f"根据国办发〔{year}〕{rng.randint(1, 99)}号的要求，" + opening
        lines.append(opening)
        for h, head in enumerate(("一", "二", "三")[: rng.randint(2, 3)]):
            lines.append(f"{head}、{rng.choice(bank)}")
            for sub in ("（一）", "（二）")[: rng.randint(1, 2)]:
                lines.append(sub + "".join(rng.choice(bank) for _ in range(rng.randint(1, 3))))
            if h == 0:
                lines.append(
                    f"1.{rng.choice(bank)}年底前完成{subject}任务的{rng.randint(50, 99)}%。"
                )
        attach = rng.random() < 0.3
        if attach:
            lines.append(f"附件：{subject}工作任务清单")
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        lines += [issuer, f"{year}年{month}月{day}日", "（此件主动公开）"]
        lines.append("抄送：市委办公室，市人大常委会办公室。")
        lines.append(f"{issuer}办公室 {year}年{month}月{day}日印发")
        docs.append({"number": number, "title": title, "kind": kind})
        yield_text = "\n".join(lines)
        docs[-1]["data"] = yield_text.encode("utf-8")
    files = [(f"{n:06d}.txt", d["data"]) for n, d in enumerate(docs)]
    return files, truth


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def setup(reuse: bool = False) -> None:
    os.environ.setdefault("SHUZHENG_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    DB.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm") if not reuse else ():
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database a previous run of the same --size imported: measure (b)-(d) "
        "again, the import figures are the previous run's",
    )
    args = ap.parse_args()
    setup(reuse=args.reuse)
    from django.db import connection

    from shuzheng.documents import selectors, termindex
    from shuzheng.documents.demo import OFFICE
    from shuzheng.documents.models import Citation, Document
    from shuzheng.documents.services import documents_import

    t0 = time.perf_counter()
    files, truth = generate(args.size)
    gen_s = time.perf_counter() - t0
    mb = sum(len(d) for _, d in files) / 1e6
    print(f"generated {len(files):,} documents ({mb:.0f} MB) in {gen_s:.1f} s; "
          f"{len(truth):,} planted relations")  # fmt: skip

    # (a) import
    slices: list[float] = []
    import_s = 0.0
    if args.reuse:
        before = json.loads(RESULTS.read_text(encoding="utf-8"))["import"]
        slices, import_s = before["slices"], before["seconds"]
        assert Document.objects.count() == len(files), "--reuse needs the same --size"
    step = max(BATCH, len(files) // 10)
    t_all = time.perf_counter()
    for start in range(0, len(files) if not args.reuse else 0, step):
        chunk = files[start : start + step]
        t = time.perf_counter()
        for b in range(0, len(chunk), BATCH):
            documents_import(principal=OFFICE, files=chunk[b : b + BATCH], department="441200-ZSJ")
        slices.append(len(chunk) / (time.perf_counter() - t))
        print(f"  imported {start + len(chunk):>7,}: {slices[-1]:.0f} docs/s")
    import_s = import_s or time.perf_counter() - t_all
    rate = statistics.median(slices)
    print(f"(a) import: {len(files):,} in {import_s:.0f} s; median of slices {rate:.0f} docs/s")

    # (b) relations
    ids = dict(Document.objects.values_list("file_name", "pk"))
    index_of = {pk: int(name[:6]) for name, pk in ids.items()}
    t = time.perf_counter()
    by_number = dict(Document.objects.exclude(number_key="").values_list("number_key", "pk"))
    by_title = dict(Document.objects.values_list("title_key", "pk"))
    edges: set[tuple[int, int]] = set()
    for doc_id, kind, key in Citation.objects.values_list("document_id", "kind", "key"):
        target = by_number.get(key) if kind == Citation.NUMBER else by_title.get(key)
        if target and target != doc_id:
            edges.add((index_of[doc_id], index_of[target]))
    build_s = time.perf_counter() - t
    hit = len(edges & truth)
    precision = hit / len(edges) if edges else 0.0
    recall = hit / len(truth) if truth else 0.0
    sample = random.Random(2).sample(sorted(ids.values()), min(200, len(ids)))
    rel_ms = []
    for pk in sample:
        doc = Document.objects.get(pk=pk)
        t = time.perf_counter()
        selectors.relations(doc, OFFICE)
        rel_ms.append((time.perf_counter() - t) * 1000)
    print(f"(b) relations: precision {precision:.4f}, recall {recall:.4f} "
          f"({len(edges):,} built, {len(truth):,} planted) in {build_s:.1f} s; "
          f"page relations p50 {pct(rel_ms, .5):.1f} ms p95 {pct(rel_ms, .95):.1f} ms")  # fmt: skip

    # (c)/(d) search, with the index and without (the peer)
    def run_queries() -> tuple[list[float], list[Any]]:
        times, answers = [], []
        for q, filters in QUERIES:
            t = time.perf_counter()
            total, docs = selectors.search(principal=OFFICE, q=q, **filters)
            times.append((time.perf_counter() - t) * 1000)
            answers.append((total, [d["id"] for d in docs], [d["snippet_html"] for d in docs]))
        return times, answers

    selectors.search(principal=OFFICE, q="数字政府改革建设工作要点")  # jieba loaded, caches warm
    engines: dict[str, dict[str, Any]] = {}
    answers_of: dict[str, Any] = {}
    for name, enabled in (("platform (term index)", True), (PEER, False)):
        termindex.ENABLED = enabled
        p50s, p95s = [], []
        for _ in range(RUNS):
            times, answers = run_queries()
            p50s.append(pct(times, 0.5))
            p95s.append(pct(times, 0.95))
        answers_of[name] = answers
        engines[name] = {"p50_ms": statistics.median(p50s), "p95_ms": statistics.median(p95s),
                         "runs_p95_ms": p95s}  # fmt: skip
        print(f"(c) search, {name}: p50 {engines[name]['p50_ms']:.1f} ms, "
              f"p95 {engines[name]['p95_ms']:.1f} ms (median of {RUNS} runs; runs' p95 "
              f"{', '.join(f'{x:.0f}' for x in p95s)})")  # fmt: skip
    termindex.ENABLED = True
    same = answers_of["platform (term index)"] == answers_of[PEER]
    totals = [a[0] for a in answers_of["platform (term index)"]]
    print(f"    same results as the peer: {same}; hits per query: min {min(totals)}, "
          f"median {statistics.median(totals):.0f}, max {max(totals)}")  # fmt: skip
    p95 = engines["platform (term index)"]["p95_ms"]
    ok = p95 < TARGET_P95_MS
    print(f"    target p95 < {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    with connection.cursor() as c:
        c.execute("PRAGMA page_count")
        pages = c.fetchone()[0]
        c.execute("PRAGMA page_size")
        db_mb = pages * c.fetchone()[0] / 1e6
    result = {
        "size": len(files), "corpus_mb": mb, "db_mb": db_mb,
        "import": {"seconds": import_s, "docs_per_s_median_of_slices": rate, "slices": slices},
        "relations": {"precision": precision, "recall": recall, "built": len(edges),
                      "planted": len(truth), "build_s": build_s,
                      "page_p50_ms": pct(rel_ms, .5), "page_p95_ms": pct(rel_ms, .95)},
        "search": engines, "same_results": same, "target_p95_ms": TARGET_P95_MS,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "sqlite": __import__("sqlite3").sqlite_version},
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"database {db_mb:.0f} MB; results in {RESULTS.relative_to(ROOT)}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
