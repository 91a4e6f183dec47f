"""A 公文's text → its GB/T 9704-2012 elements (pure Python, no Django).

版头: 份号, 密级和保密期限, 紧急程度, 发文机关标志 (``X文件``), 发文字号, 签发人;
主体: 标题, 主送机关, 正文 (heading levels 一、 (一) 1. (1)), 附件说明, 发文机关署名, 成文日期,
附注 (公开属性); 版记: 抄送机关, 印发机关和印发日期. 文种 is the title's last word among the 15
of the 党政机关公文处理工作条例.
Text is kept as written; matching is done on a simplified, NFKC-normalised copy (OpenCC).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

KINDS = (
    "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
    "议案", "函", "纪要",
)  # fmt: skip
SECRECY = ("绝密", "机密", "秘密")
OPENNESS = ("主动公开", "依申请公开", "不予公开")
# 粤办函〔2022〕24号 and its variants: [2022], (2022), （2022）, 【2022】, ［2022］
DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]\s*(\d{1,5})\s*号"
)
LOOSE_NUMBER = re.compile(r"[〔\[［(（【][^〕\]］)）】]{1,8}[〕\]］)）】]\s*\S{0,6}[号號]$")
DATE = re.compile(r"^((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
CN_DATE = re.compile(
    r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
HEADINGS = (
    (1, re.compile(r"^([一二三四五六七八九十]+)、")),
    (2, re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]")),
    (4, re.compile(r"^[(（](\d{1,2})[)）]")),
    (3, re.compile(r"^(\d{1,2})[.．](?!\d)")),
)
TITLE_END = re.compile(rf"({'|'.join(KINDS)}|要点|方案|计划|办法|规定|规划|细则)$")
PRINTED = re.compile(r"^(.+?)\s*((?:19|20)\d\d年\d{1,2}月\d{1,2}日)\s*印发$")
CITED_TITLE = re.compile(r"《([^《》]{4,80})》")
# words that run into a cited 文号's 机关代字: 根据粤办函〔2022〕24号、…和国发〔2022〕14号
LEADING_WORDS = re.compile(
    r"^(?:按照|根据|依据|贯彻|落实|执行|参照|对照|见|和|及|与|以及|并|将|的)+"
)
ISSUES = re.compile(r"关于印发《?(.+?)》?的通知$")


_TABLE: dict[int, str] = {}


def _t2s_table() -> dict[int, str]:
    """OpenCC's traditional → simplified character table (TSCharacters, first candidate)."""
    if not _TABLE:
        import opencc

        path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) == 1 and parts[1] != parts[0]:
                _TABLE[ord(parts[0])] = parts[1]
    return _TABLE


def simplified(text: str) -> str:
    """Traditional → simplified character by character with OpenCC's table: what search and
    matching compare (the query is converted the same way). OpenCC's own phrase conversion is
    pure Python and was the import's slowest step by far; phrases do not change what matches."""
    return text.translate(_t2s_table())


def norm(text: str) -> str:
    """What is matched and searched: NFKC, lower case, simplified."""
    return simplified(unicodedata.normalize("NFKC", text)).lower()


def normalize_number(raw: str) -> str | None:
    """粤办函[2022]24號 → 粤办函〔2022〕24号 (characters kept as written); None if it does not
    parse."""
    s = unicodedata.normalize("NFKC", raw.strip()).replace("號", "号")
    m = DOC_NUMBER.fullmatch(s.replace(" ", ""))
    if not m:
        return None
    return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"


def number_key(number: str) -> str:
    return norm(number)


def title_key(title: str) -> str:
    return re.sub(r"[\s《》“”\"]", "", norm(title))


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def _cn_int(s: str) -> int:
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGITS.get(a, 1) if a else 1) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def parse_date(line: str) -> str | None:
    s = unicodedata.normalize("NFKC", line).strip()
    m = DATE.match(s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = CN_DATE.match(s)
        if not m:
            return None
        y, mo, d = _cn_int(m.group(1)), _cn_int(m.group(2)), _cn_int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


@dataclass
class Elements:
    title: str = ""
    doc_number: str = ""
    doc_number_raw: str = ""
    issuer: str = ""
    date: str | None = None
    recipients: str = ""
    secrecy: str = ""
    urgency: str = ""
    copy_no: str = ""
    signer: str = ""
    kind: str = ""
    openness: str = ""
    attachments: list[str] = field(default_factory=list)
    cc: str = ""
    printed_by: str = ""
    printed_on: str | None = None
    headings: list[dict[str, object]] = field(default_factory=list)
    body: str = ""
    cited_numbers: list[str] = field(default_factory=list)
    cited_titles: list[str] = field(default_factory=list)
    issues_title: str = ""


def _lines(text: str) -> list[str]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().strip("\u3000").strip()
        if line:
            out.append(line)
    return out


def parse(text: str) -> Elements:
    lines = _lines(text)
    e = Elements()
    head = lines[:20]
    number_at = None
    for i, line in enumerate(head):
        s = norm(line)
        if re.fullmatch(r"\d{6}", s) and not e.copy_no:
            e.copy_no = line
        elif re.match(rf"^({'|'.join(SECRECY)})(★.*)?$", s) and not e.secrecy:
            e.secrecy = s[:2]
        elif s in ("特急", "加急") and not e.urgency:
            e.urgency = s
        elif s.endswith("文件") and len(s) <= 30 and not e.issuer:
            e.issuer = line[:-2]
        elif number_at is None:
            m = DOC_NUMBER.search(unicodedata.normalize("NFKC", line).replace("號", "号"))
            if m and len(line) <= 40:
                number_at = i
                e.doc_number_raw = m.group(0)
                e.doc_number = normalize_number(m.group(0)) or ""
                sm = re.search(r"签发人[:：]\s*(\S+)", s)
                if sm:
                    e.signer = sm.group(1)
            elif LOOSE_NUMBER.search(line) and len(line) <= 40:
                number_at = i  # looks like a 文号 but does not parse: refused on import
                e.doc_number_raw = line
    # 主送机关: the first line of the head ending with a colon
    rec_at = next(
        (i for i, line in enumerate(head) if line.endswith(("：", ":")) and len(line) < 120), None
    )
    if rec_at is not None:
        e.recipients = lines[rec_at].rstrip("：:")
    # 标题: the lines before the 文号 (or the 主送机关) back to the one holding 关于
    stop = number_at if number_at is not None else rec_at
    if stop:
        end = stop - 1
        while end >= 0 and not TITLE_END.search(norm(lines[end])):
            end -= 1
        if end >= 0:
            start = end
            while start > 0 and "关于" not in norm("".join(lines[start : end + 1])):
                prev = norm(lines[start - 1])
                if DOC_NUMBER.search(prev) or prev.endswith("文件") or TITLE_END.search(prev):
                    break
                start -= 1
            e.title = "".join(lines[start : end + 1])
    if not e.title:
        for line in lines[:40]:
            s = norm(line)
            if len(s) <= 60 and TITLE_END.search(s) and not re.search(r"[，。,；;：:]", s):
                e.title = line
                break
    if not e.title and lines:
        e.title = lines[0][:100]
    t = norm(e.title)
    kind = next((k for k in KINDS if t.endswith(k)), "")
    e.kind = kind
    if not e.issuer and "关于" in t:
        e.issuer = e.title[: t.index("关于")]
    m = ISSUES.search(t)
    if m:
        e.issues_title = m.group(1)
    # 成文日期 and the 署名 before it
    for i, line in enumerate(lines[:60]):
        d = parse_date(line)
        if d:
            e.date = d
            if not e.issuer and i > 0 and len(lines[i - 1]) <= 30:
                e.issuer = lines[i - 1]
            break
    skip: set[int] = set()
    for i, line in enumerate(lines):
        s = norm(line)
        if i in skip:
            continue
        if s.startswith(("附件:", "附件：")):
            first = line.split("：", 1)[-1].split(":", 1)[-1].strip()
            names = [re.sub(r"^\d+[.．]\s*", "", first)] if first else []
            for j, nxt in enumerate(lines[i + 1 : i + 10], start=i + 1):
                mm = re.match(r"^\d+[.．]\s*(.+)$", unicodedata.normalize("NFKC", nxt))
                if not mm or len(nxt) > 60:
                    break
                names.append(mm.group(1))
                skip.add(j)
            e.attachments = [n for n in names if n]
        elif s.startswith(("抄送:", "抄送：")):
            e.cc = line[3:].strip().rstrip("。")
        else:
            pm = PRINTED.match(unicodedata.normalize("NFKC", line))
            if pm:
                e.printed_by = pm.group(1)
                e.printed_on = parse_date(pm.group(2))
        for word in OPENNESS:
            if f"此件{word}" in s:
                e.openness = word
        for level, rx in HEADINGS:
            hm = rx.match(unicodedata.normalize("NFKC", line))
            if hm:
                first_sentence = re.split(r"[。！？]", line)[0]
                e.headings.append({"level": level, "text": first_sentence[:60]})
                break
    body_start = (rec_at + 1) if rec_at is not None else 0
    e.body = "\n".join(lines[body_start:])
    own = number_key(e.doc_number) if e.doc_number else ""
    nums = []
    for m in DOC_NUMBER.finditer(unicodedata.normalize("NFKC", e.body).replace("號", "号")):
        n = normalize_number(LEADING_WORDS.sub("", m.group(0)))
        if n and number_key(n) != own and n not in nums:
            nums.append(n)
    e.cited_numbers = nums
    titles = []
    for m in CITED_TITLE.finditer(e.body):
        if m.group(1) not in titles:
            titles.append(m.group(1))
    e.cited_titles = titles
    return e


TOPICS = {
    "数字政府": ("数字政府", "政务云", "政务网络", "信息化"),
    "政务服务": ("政务服务", "一网通办", "粤省事", "一件事", "跨省通办", "秒批"),
    "数据要素": ("数据共享", "公共数据", "秒享", "数据要素", "首席数据官", "数字空间"),
    "营商环境": ("营商环境", "粤商通", "企业", "审批制度"),
    "市域治理": ("一网统管", "城市运行", "社会治理", "应急"),
    "疫情防控": ("疫情", "防控"),
}


def topic_of(text: str) -> str:
    s = norm(text)
    scores = {t: sum(s.count(w) for w in words) for t, words in TOPICS.items()}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] > 0 else "其他"
