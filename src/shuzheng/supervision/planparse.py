"""A work plan's text → its proposed task register (issue 20, item 3). Pure Python, no Django.

The plans are 公文 whose tasks are numbered items at four levels — ``一、`` · ``(一)`` · ``1.`` ·
``(1)`` (GB/T 9704's heading levels). Every numbered item below the first level is a task: its
path (``["二", "(五)", "3"]``), title (the item's first sentence), lead departments (the trailing
``(…牵头/负责)`` or ``[…牵头]``, split at 、，,), quantitative targets (the clauses that carry a
number with a unit: 压减60%, 3个工作日内, 超过50万人次) and stated deadline (年底前, 年内,
6月底前, 上半年). Text is read as written; traditional characters are converted for matching
only (OpenCC), so the register keeps the plan's own words.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"
L1 = re.compile(rf"^([{CN_NUM}]+)、\s*(.*)$")
L2 = re.compile(rf"^[(（]([{CN_NUM}]+)[)）]\s*(.*)$")
L3 = re.compile(r"^(\d{1,2})[.．、](?!\d)\s*(.*)$")
L4 = re.compile(r"^[(（](\d{1,2})[)）]\s*(.*)$")

# the trailing lead-department parenthesis: (市政数局牵头) [市政数局,各地政府(管委会)牵头]
LEAD = re.compile(
    r"[(（\[【]((?:[^()（）\[\]【】]|[(（][^()（）]*[)）])*?(?:牵头|负责)[^()（）\[\]【】]*)[)）\]】]\s*$"
)
LEAD_SUFFIX = re.compile(r"(按职责分工|按职责分别|按职责|分别)?(牵头|负责|配合)$")
# a trailing parenthesis of organisation names only, without 牵头: (省政务服务数据管理局)
ORG_ONLY = re.compile(
    r"[(（]([^()（）]*?(?:局|厅|委|办|部门|单位|政府|中心|集团|公司|管委会))[)）]\s*$"
)
ORG = re.compile(r"(局|厅|委|办|部门|单位|政府|中心|集团|公司|管委会)$")
SPLIT_DEPTS = re.compile(r"[、，,;；]")

NUMBER = r"\d+(?:\.\d+)?"
# a measure word, alone or after 万/亿 (30万核, 4000万笔, 1.87万核): the unit is what is counted
MEASURE = "人次|个|项|家|件|条|笔|份|人|台|套|户|次|天|款|类|名|路|核|元|所|座"
UNITS = (
    rf"个工作日|个自然日|个百分点|工作日|小时|分钟|TB|PB|GB|%|％|(?:万|亿)(?:{MEASURE})?|{MEASURE}"
)
# 110多个, 200余家: the number is the floor the plan commits to
QUANTITY = re.compile(rf"({NUMBER})(?:\s*至\s*{NUMBER})?\s*(?:多|余)?({UNITS})")
CLAUSE = re.compile(r"[，。；,;：:]")


@dataclass
class ProposedTarget:
    text: str
    value: float
    unit: str


@dataclass
class ProposedTask:
    path: list[str]
    title: str
    text: str
    lead_text: str
    lead_departments: list[str]
    targets: list[ProposedTarget] = field(default_factory=list)
    deadline: dt.date | None = None


@dataclass
class ProposedPlan:
    title: str
    year: int | None
    tasks: list[ProposedTask]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_T2S = None


def simplified(text: str) -> str:
    """Traditional → simplified (for matching only), loaded once."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return str(_T2S.convert(text))


def _lines(text: str) -> list[str]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().strip("\u3000").strip()
        if line:
            out.append(line)
    return out


def first_sentence(text: str) -> str:
    m = re.search(r"[。！？!?]", text)
    head = text[: m.start()] if m else text
    return head.strip()[:200]


def split_lead(text: str) -> tuple[str, str, list[str]]:
    """(text without the lead parenthesis, the parenthesis' words, departments named)."""
    stripped = text.rstrip("。 ")
    simple = simplified(stripped)
    m = LEAD.search(simple if len(simple) == len(stripped) else stripped)
    if not m:
        m = ORG_ONLY.search(simple if len(simple) == len(stripped) else stripped)
        if not m or not all(ORG.search(p.strip()) for p in SPLIT_DEPTS.split(m.group(1))):
            return text, "", []
    inner = m.group(1)  # simplified: department names are matched, not shown
    body = stripped[: m.start()].rstrip()
    # 各地政府(管委会): keep the parenthesis with its department
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in inner:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if depth == 0 and SPLIT_DEPTS.match(ch):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    depts = []
    for p in parts:
        name = LEAD_SUFFIX.sub("", p.strip()).strip()
        if name and name not in depts:
            depts.append(name)
    return body, inner, depts


def targets_of(text: str) -> list[ProposedTarget]:
    out: list[ProposedTarget] = []
    for clause in CLAUSE.split(text):
        clause = clause.strip()
        for m in QUANTITY.finditer(simplified(_nfkc(clause))):
            value, unit = m.group(1), m.group(2)
            unit = "%" if unit == "％" else unit
            out.append(ProposedTarget(text=clause[:200], value=float(value), unit=unit))
    return out


def deadline_of(text: str, year: int | None) -> dt.date | None:
    if year is None:
        return None
    t = simplified(text)
    m = re.search(r"(\d{1,2})月底前", _nfkc(t))
    if m and 1 <= int(m.group(1)) <= 12:
        month = int(m.group(1))
        return dt.date(year, month, _cal.monthrange(year, month)[1])
    if "上半年" in t:
        return dt.date(year, 6, 30)
    if "年底前" in t or "年内" in t or "年底" in t:
        return dt.date(year, 12, 31)
    return None


def plan_title_year(lines: list[str]) -> tuple[str, int | None]:
    for line in lines[:30]:
        s = simplified(line)
        if re.search(r"(工作要点|工作方案|实施方案|行动计划|工作计划)$", s) and "通知" not in s:
            m = re.search(r"(20\d\d)年", _nfkc(s))
            return line, int(m.group(1)) if m else None
    for line in lines[:10]:
        m = re.search(r"(20\d\d)年", _nfkc(line))
        if m:
            return line[:120], int(m.group(1))
    return (lines[0][:120] if lines else ""), None


def parse_plan(text: str) -> ProposedPlan:
    lines = _lines(text)
    title, year = plan_title_year(lines)
    tasks: list[ProposedTask] = []
    path: list[str] = []
    current: ProposedTask | None = None
    started = False
    for line in lines:
        nline = _nfkc(line)
        level = 0
        m = None
        for lv, rx in ((1, L1), (2, L2), (4, L4), (3, L3)):
            m = rx.match(nline)
            if m:
                level = lv
                break
        if level == 1 and m:
            started = True
            path = [m.group(1)]
            current = None
            continue
        # a fragment that starts inside a section: its items before any 一、 get section ""
        if level >= 2 and m and (started or level == 2):
            started = True  # its sub-items (1. (1)) follow it
            label = m.group(1)
            label = f"({label})" if level in (2, 4) else label
            depth = {2: 1, 3: 2, 4: 3}[level]
            path = [*path[:depth], label]
            while len(path) < depth + 1:
                path.insert(len(path) - 1, "")
            body = line[len(line) - len(m.group(2)) :] if m.group(2) else ""
            current = ProposedTask(
                path=list(path), title="", text=body, lead_text="", lead_departments=[]
            )
            tasks.append(current)
            continue
        if current is not None and level == 0 and not _closed(current.text, line):
            current.text += line  # a paragraph continued on the next line
        elif level == 0:
            current = None
    for t in tasks:
        body, lead_text, depts = split_lead(t.text)
        t.title = first_sentence(body).rstrip("。")
        t.lead_text = lead_text
        t.lead_departments = depts
        t.targets = targets_of(body)
        t.deadline = deadline_of(body, year)
    # an item with sub-items and no parenthesis of its own: led by its sub-items' departments
    for i, t in enumerate(tasks):
        if t.lead_departments:
            continue
        for child in tasks[i + 1 :]:
            if child.path[: len(t.path)] != t.path:
                break
            for d in child.lead_departments:
                _add_department(t.lead_departments, d)
    return ProposedPlan(title=title, year=year, tasks=tasks)


def _closed(text: str, next_line: str) -> bool:
    """Whether an item is over before ``next_line``: it ended with its lead parenthesis, or the
    line opens the 附件 list — the plan's closing paragraph is not part of its last task."""
    if simplified(next_line).startswith("附件"):
        return True
    return bool(LEAD.search(simplified(text.rstrip("。 "))))


def _add_department(names: list[str], name: str) -> None:
    """Add ``name`` to a parent item's departments once: a sub-item's 司法厅 (the 省 of the
    name before it in its parenthesis, left out) is the 省司法厅 another sub-item names."""
    for i, have in enumerate(names):
        if have == name or (have.endswith(name) and have[: -len(name)] in ("省", "市")):
            return
        if name.endswith(have) and name[: -len(have)] in ("省", "市"):
            names[i] = name
            return
    names.append(name)


def _subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)


def match_department(name: str, departments: list[tuple[str, str, str]], prefix: str) -> str:
    """The code of the platform department ``name`` (a 简称 like 市政数局) means, or "".

    ``departments``: (code, name, short_name); ``prefix``: the plan's region code prefix
    (441200 for 肇庆), preferred when several match. A 简称 matches a name containing its
    characters in order (市住建局 → 肇庆市住房和城乡建设局); the shortest such name wins."""
    n = simplified(_nfkc(name)).strip()
    if not n:
        return ""
    for code, full, short in departments:
        if n in (full, short):
            return code
    key = n[1:] if n.startswith("市") else n
    if len(key) < 2:
        return ""
    found = [
        (not code.startswith(prefix), len(full), code)
        for code, full, _ in departments
        if _subsequence(key, full.split("市", 1)[-1] if "市" in full else full)
    ]
    found.sort()
    return found[0][2] if found else ""
