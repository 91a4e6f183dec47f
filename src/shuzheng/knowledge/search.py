"""Live Chinese search over 知识条目, fast enough to run as the operator types (pure Python, no
Django, so it is quick to test and to benchmark).

The same approach as the catalog's search (``catalog/search.py``; its facade exposes no generic
index, so the pieces are rebuilt here for articles):

* **Normalisation** — NFKC (full-width → half-width), lower case, traditional → simplified
  (OpenCC), then Cantonese and spoken forms rewritten to standard words (``data/synonyms.json``
  ``rewrite``: 冇 → 没有, 唔见咗 → 不见了, 点样 → 怎么 …), on documents and queries alike.
* **Terms** — jieba words (our own tokenizer; titles, question variants and tags are added to its
  dictionary so domain words stay whole), their dictionary sub-words, and character bigrams of
  each Chinese run (unknown words and one-character typos stay findable).
* **Stop words** — polite and question words (请问、怎么、我想 …) are removed from the query;
  generic words (办理、申请、多久 …) count a quarter.
* **Synonyms** — ``data/synonyms.json`` ``expand``: 社保 → 社会保险, 公积金 → 住房公积金 …, added
  to the query at 0.8 weight.
* **Scoring** — BM25F with per-field weights (title > question variants > tags > items >
  department > answer), postings holding each document's finished contribution; with several
  content words a document is scaled by the share of them it matches (coverage); a title or
  question variant equal to, starting with or containing the query adds a boost.
* **Pinyin** — an all-letter query (``sbk``, ``shebaoka``) is matched against the full pinyin
  and the initials of titles and question variants.

Validity is checked per query (``today``): an article not yet in force or expired is not offered.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from shuzheng.core import zhtext

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.json"

FIELD_WEIGHTS: dict[str, float] = {
    "title": 6.0,
    "questions": 5.0,
    "tags": 2.5,
    "items": 2.0,
    "department": 1.0,
    "answer": 0.8,
}
FIELD_B: dict[str, float] = {
    "title": 0.5,
    "questions": 0.3,
    "tags": 0.0,
    "items": 0.2,
    "department": 0.0,
    "answer": 0.6,
}
K1 = 1.5
MAX_QUERY_CHARS = 120
W_WORD, W_SUBWORD, W_BIGRAM, W_WEAK, W_SYNONYM = 1.0, 0.6, 0.5, 0.25, 0.8
COVERAGE_FLOOR = 0.35
BOOST_EXACT, BOOST_PREFIX, BOOST_CONTAINS, BOOST_IN_QUERY = 1.5, 0.6, 0.4, 0.3
BOOST_PINYIN_EXACT, BOOST_PINYIN_PREFIX, BOOST_PINYIN_CONTAINS = 2.0, 1.2, 0.8
PINYIN_ONLY_BASE = 10.0


def _words(text: str) -> list[str]:
    return text.split()


STOP_PHRASES: tuple[str, ...] = tuple(
    sorted(
        _words(
            "请问一下 请问 你好 您好 我想要 我想问 我想 我要 想问下 想问一下 想问 想知道 "
            "咨询一下 怎么办理 怎么办 怎么弄 怎么样 怎样 怎么 如何 在哪里 在哪儿 在哪 哪里 "
            "哪儿 去哪 需要 需不需要 要不要 能不能 可不可以 是不是 有没有 什么 可以 应该 "
            "一下 一个 现在 的话 麻烦 帮忙 帮我 谢谢 请问下 吗 呢 啊 呀 吧 啦 咧 喔 "
            "哦"
        ),
        key=len,
        reverse=True,
    )
)
STOP_WORDS = frozenset(
    _words(
        "我 你 他 她 它 想 要 办 个 了 吗 呢 吧 啊 呀 的 地 得 在 是 和 与 "
        "及 或 就 都 也 还 去 能 会 该 给 把 被 让 到 从 对 这 那 哪 谁 么 "
        "嘛 哦 等 些 之 其 以 我们 我家 我的 你们 他们 怎么 什么 哪里 需要 可以 "
        "如何 一下 请问 谢谢 有 没 又"
    )
)
WEAK_WORDS = frozenset(
    _words(
        "办理 申请 办 手续 流程 材料 资料 条件 业务 服务 网上 在线 窗口 多久 时间 "
        "费用 多少 钱 相关 问题 情况 咨询 查询 部门 电话 政策 规定 可以 怎么 时候 "
        "哪些 东西"
    )
)

_CJK_RE = zhtext.CJK_RE
_ALNUM_RE = zhtext.ALNUM_RE
_LETTERS_RE = re.compile(r"^[a-z][a-z' ]*$")
_AGE_RE = re.compile(r"(\d{2,3})(?:岁|周岁)")
OLD_AGE = 80
BOOST_CANDIDATES = 40  # name boosts are weighed for the best this many lexical matches


@dataclass(frozen=True)
class Doc:
    """One published article as the index sees it."""

    id: int
    title: str
    questions: tuple[str, ...] = ()
    answer: str = ""
    tags: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # names of linked catalog items
    department: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    words: tuple[str, ...] = field(default=())  # the query's words the article matched


# --- normalisation ------------------------------------------------------------------------


def load_synonyms(path: Path | None = None) -> dict[str, Any]:
    """``{"rewrite": {spoken: standard}, "expand": {word: [official words]}}``."""
    data = json.loads((path or SYNONYMS_PATH).read_text(encoding="utf-8"))
    return {
        "rewrite": {k: v for k, v in data.get("rewrite", {}).items() if not k.startswith("_")},
        "expand": {k: list(v) for k, v in data.get("expand", {}).items() if not k.startswith("_")},
    }


@lru_cache(maxsize=1)
def _default_synonyms() -> dict[str, Any]:
    return load_synonyms()


_basic = zhtext.normalize


# --- jieba --------------------------------------------------------------------------------

_JIEBA = zhtext.JiebaDictionary(max_word_len=12)
_jieba = _JIEBA.tokenizer


def _add_words(words: Iterable[str]) -> None:
    if _JIEBA.add_words(words):
        _cut.cache_clear()
        _subwords.cache_clear()


@lru_cache(maxsize=65536)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(text, HMM=False))


@lru_cache(maxsize=65536)
def _subwords(token: str) -> tuple[str, ...]:
    """Dictionary words (length ≥ 2) inside a longer Chinese word."""
    return zhtext.subwords(token, _jieba().FREQ, STOP_WORDS)


@lru_cache(maxsize=65536)
def _pinyin_of(word: str) -> tuple[str, ...]:
    """Pinyin syllables of one jieba word (ASCII words kept whole)."""
    if _CJK_RE.fullmatch(word):
        return tuple(s for s in lazy_pinyin(word) if s.isascii() and s.isalnum())
    return tuple(_ALNUM_RE.findall(word))


_bigrams = zhtext.bigrams


def warm_up() -> None:
    """Load jieba's dictionary, OpenCC and pypinyin once (about a second)."""
    _jieba()
    zhtext.t2s()
    lazy_pinyin("中文")


# --- the index ----------------------------------------------------------------------------


@dataclass
class _Query:
    text: str  # normalised and rewritten, stop phrases removed, no spaces
    terms: dict[str, float]
    units: list[tuple[str, frozenset[str]]]  # content word → terms that show a doc has it
    expansions: list[str]
    letters: str  # an all-letter query: its letters


class KnowledgeIndex:
    """An in-memory index over published articles. Build once, query from any thread."""

    def __init__(self, docs: Iterable[Doc], synonyms: Mapping[str, Any] | None = None) -> None:
        syn = _default_synonyms() if synonyms is None else synonyms
        rewrite = {_basic(k): _basic(v) for k, v in (syn.get("rewrite") or {}).items() if k}
        self._rewrite = sorted(rewrite.items(), key=lambda kv: -len(kv[0]))
        expand: dict[str, list[str]] = {}
        for k, vs in (syn.get("expand") or {}).items():
            key = self.normalize(k)
            if len(key) >= 2:
                expand.setdefault(key, []).extend(self.normalize(v) for v in vs)
        self._expand_of = {k: tuple(dict.fromkeys(v)) for k, v in expand.items()}
        self._expand = sorted(
            ((k, tuple(dict.fromkeys(v))) for k, v in expand.items()), key=lambda kv: -len(kv[0])
        )
        self.docs: list[Doc] = list(docs)
        self._titles = [self.normalize(d.title) for d in self.docs]
        self._questions = [tuple(self.normalize(q) for q in d.questions) for d in self.docs]
        self._labels = [
            tuple(_strip(x) for x in (t, *qs))
            for t, qs in zip(self._titles, self._questions, strict=True)
        ]
        _add_words([*self._titles, *(self.normalize(t) for d in self.docs for t in d.tags)])
        _add_words(w for d in self.docs for w in (self.normalize(i) for i in d.items))
        self._build_postings()
        self._build_pinyin()

    # -- text --

    def normalize(self, text: str) -> str:
        text = _basic(text)
        for spoken, standard in self._rewrite:
            if spoken not in text:
                continue
            if spoken.isascii():  # bb: a word of its own, not letters inside sbkbb
                text = re.sub(rf"(?<![a-z]){re.escape(spoken)}(?![a-z])", standard, text)
            else:
                text = text.replace(spoken, standard)
        return text

    # -- building --

    def _build_postings(self) -> None:
        fields = list(FIELD_WEIGHTS)
        per_doc: list[list[tuple[int, Counter[str], int]]] = []
        sums = [0.0] * len(fields)
        for i, d in enumerate(self.docs):
            texts = (
                (self._titles[i],),
                self._questions[i],
                tuple(self.normalize(t) for t in d.tags),
                tuple(self.normalize(t) for t in d.items),
                (self.normalize(d.department),),
                (self.normalize(d.answer),),
            )
            entry = []
            for fi, parts in enumerate(texts):
                counts: Counter[str] = Counter()
                for part in parts:
                    counts.update(_doc_terms(part))
                length = sum(counts.values())
                if length:
                    entry.append((fi, counts, length))
                    sums[fi] += length
            per_doc.append(entry)
        n = max(len(self.docs), 1)
        avg = [(s / n) or 1.0 for s in sums]
        pseudo: dict[str, dict[int, float]] = defaultdict(dict)
        for i, entry in enumerate(per_doc):
            for fi, counts, length in entry:
                f = fields[fi]
                b = FIELD_B[f]
                norm = FIELD_WEIGHTS[f] / (1.0 - b + b * length / avg[fi])
                for term, c in counts.items():
                    acc = pseudo[term]
                    acc[i] = acc.get(i, 0.0) + c * norm
        self._postings: dict[str, dict[int, float]] = {}
        for term, tfs in pseudo.items():
            df = len(tfs)
            idf = math.log(1.0 + (len(self.docs) - df + 0.5) / (df + 0.5))
            self._postings[term] = {i: idf * (K1 + 1) * t / (t + K1) for i, t in tfs.items()}

    def _build_pinyin(self) -> None:
        # (full pinyin, initials) of the title and each question variant, per document
        self._pinyin: list[tuple[tuple[str, str], ...]] = []
        grams: dict[str, set[int]] = defaultdict(set)  # letter pairs → documents having them
        for i, (labels, d) in enumerate(zip(self._labels, self.docs, strict=True)):
            forms = []
            for label in (*labels, *(_strip(self.normalize(x)) for x in d.items)):
                sylls = [s for tok in _cut(label) for s in _pinyin_of(tok)]
                full, initials = "".join(sylls), "".join(s[0] for s in sylls)
                forms.append((full, initials))
                for form in (full, initials):
                    for j in range(len(form) - 1):
                        grams[form[j : j + 2]].add(i)
            self._pinyin.append(tuple(forms))
        self._py_grams = {g: frozenset(v) for g, v in grams.items()}

    # -- querying --

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, q: str, *, limit: int = 5, today: dt.date | None = None) -> list[Match]:
        """The best ``limit`` articles in force on ``today`` (None: no date check) for ``q``."""
        text = self.normalize((q or "")[:MAX_QUERY_CHARS])
        if not text or limit <= 0:
            return []
        query = self._parse(text)
        scores: dict[int, float] = defaultdict(float)
        for term, weight in query.terms.items():
            for i, s in self._postings.get(term, {}).items():
                scores[i] += weight * s
        unit_hits: list[set[int]] = []
        shown_hits: list[set[int]] = []  # documents holding a word of the unit, not only a bigram
        for _word, ev in query.units:
            docs: set[int] = set()
            for term in ev:
                docs.update(self._postings.get(term, {}))
            unit_hits.append(docs)
            word_terms = [t for t in ev if t.startswith("w:")]
            if word_terms:
                shown: set[int] = set()
                for term in word_terms:
                    shown.update(self._postings.get(term, {}))
                shown_hits.append(shown)
            else:
                shown_hits.append(docs)
        if len(query.units) >= 2:
            n = len(query.units)
            covered: Counter[int] = Counter()
            for docs in unit_hits:
                covered.update(docs)
            for i in scores:
                scores[i] *= COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * covered[i] / n
        best = max(scores.values(), default=0.0)
        ref = best if best > 0 else PINYIN_ONLY_BASE
        probes = [(query.text, 1.0)] + [(e, 0.7) for e in query.expansions]
        candidates = heapq.nlargest(BOOST_CANDIDATES, scores, key=scores.__getitem__)
        for i in candidates:
            boost = _label_boost(self._labels[i], probes, query.text)
            if boost:
                scores[i] += boost * ref
        if query.letters:
            for i, b in self._pinyin_boosts(query.letters).items():
                scores[i] += b * ref
        if today is not None:
            for i in [i for i in scores if not self._valid(i, today)]:
                del scores[i]
        top = heapq.nsmallest(
            limit,
            ((-s, len(self._titles[i]), self.docs[i].id, i) for i, s in scores.items() if s > 0),
        )
        out = []
        for neg, _, _, i in top:
            words = tuple(
                w for (w, _), docs in zip(query.units, shown_hits, strict=True) if i in docs
            )
            if query.letters and not words:
                words = (query.letters,)
            out.append(Match(self.docs[i].id, round(-neg, 4), words))
        return out

    def _valid(self, i: int, today: dt.date) -> bool:
        d = self.docs[i]
        return (d.valid_from is None or d.valid_from <= today) and (
            d.valid_to is None or today <= d.valid_to
        )

    def _parse(self, text: str) -> _Query:
        compact = text.replace(" ", "")
        letters = compact.replace("'", "") if _LETTERS_RE.match(text) and len(compact) >= 2 else ""
        cleaned = zhtext.remove_phrases(text, STOP_PHRASES)
        terms: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if weight > terms.get(term, 0.0):
                terms[term] = weight

        units: list[tuple[str, set[str]]] = []
        runs = zhtext.split_runs(_cut(cleaned), STOP_WORDS)
        for run in runs:
            pending: list[str] = []
            for tok in [*run, ""]:
                if len(tok) == 1 and _CJK_RE.fullmatch(tok):
                    pending.append(tok)
                    continue
                if len(pending) >= 2:  # single characters in a row: an unknown word
                    word = "".join(pending)
                    ev = {"b:" + bg for bg in _bigrams(word)}
                    for term in ev:
                        add(term, W_WORD)
                    units.append((word, ev))
                pending = []
                if not tok:
                    continue
                factor = W_WEAK if tok in WEAK_WORDS else 1.0
                ev = set()
                for term, whole in _token_terms(tok):
                    w = W_WORD if whole else W_SUBWORD
                    add(term, w * (W_WEAK if term[2:] in WEAK_WORDS else factor))
                    ev.add(term)
                for seg in _CJK_RE.findall(tok):
                    ev.update("b:" + bg for bg in _bigrams(seg))
                if ev and tok not in WEAK_WORDS:
                    units.append((tok, ev))
            for seg in _CJK_RE.findall("".join(run)):
                for bg in _bigrams(seg):
                    add("b:" + bg, W_BIGRAM * (W_WEAK if bg in WEAK_WORDS else 1.0))
        content = "".join(tok for run in runs for tok in run)
        expansions: list[str] = []
        for age in _AGE_RE.findall(compact):
            if int(age) >= OLD_AGE:  # 85岁: the 高龄 words
                for v in self._expand_of.get("老人", ()):
                    expansions.append(v)
                    for term in _doc_terms(v):
                        add(term, (W_BIGRAM if term.startswith("b:") else W_WORD) * W_SYNONYM)
        for key, values in self._expand:
            if key not in compact and key not in content:
                continue
            key_terms: set[str] = set()
            for v in values:
                if v not in expansions:
                    expansions.append(v)
                for term in _doc_terms(v):
                    key_terms.add(term)
                    add(term, (W_BIGRAM if term.startswith("b:") else W_WORD) * W_SYNONYM)
            overlapping = [ev for word, ev in units if word in key or key in word]
            for ev in overlapping:
                ev.update(key_terms)
            if not overlapping:
                units.append((key, key_terms))
        core = _strip(cleaned.replace(" ", ""))
        return _Query(
            text=core or compact,
            terms=terms,
            units=[(w, frozenset(ev)) for w, ev in units if ev],
            expansions=expansions,
            letters=letters,
        )

    def _pinyin_boosts(self, letters: str) -> dict[int, float]:
        out: dict[int, float] = {}
        sets = sorted(
            (self._py_grams.get(letters[j : j + 2], frozenset()) for j in range(len(letters) - 1)),
            key=len,
        )
        if not sets or not sets[0]:
            return out
        candidates = set(sets[0]).intersection(*sets[1:])
        for i in sorted(candidates):
            forms = self._pinyin[i]
            best = 0.0
            for full, initials in forms:
                for form in (full, initials):
                    if not form:
                        continue
                    if form == letters:
                        best = max(best, BOOST_PINYIN_EXACT)
                    elif form.startswith(letters):
                        best = max(best, BOOST_PINYIN_PREFIX)
                    elif len(letters) >= 3 and letters in form:
                        best = max(best, BOOST_PINYIN_CONTAINS)
            if best:
                out[i] = best
        return out


def _strip(text: str) -> str:
    """A label or query without stop phrases, spaces and punctuation (for boosts)."""
    for phrase in STOP_PHRASES:
        if phrase in text:
            text = text.replace(phrase, "")
    return "".join(_CJK_RE.findall(text)) or "".join(_ALNUM_RE.findall(text))


def _label_boost(labels: Sequence[str], probes: Sequence[tuple[str, float]], query: str) -> float:
    best = 0.0
    for k, label in enumerate(labels):
        lf = 1.0 if k == 0 else 0.9  # the title, then the question variants
        if len(label) < 2:
            continue
        if len(label) >= 3 and label in query:
            best = max(best, BOOST_IN_QUERY * lf)
        for probe, pf in probes:
            if len(probe) < 2 or probe not in label:
                continue
            if probe == label:
                b = BOOST_EXACT
            elif label.startswith(probe):
                b = BOOST_PREFIX
            else:
                b = BOOST_CONTAINS
            best = max(best, b * lf * pf)
    return best


@lru_cache(maxsize=65536)
def _token_terms(tok: str) -> tuple[tuple[str, bool], ...]:
    if tok in STOP_WORDS:
        return ()
    out: list[tuple[str, bool]] = []
    for run in _CJK_RE.findall(tok):
        if len(run) >= 2 and run not in STOP_WORDS:
            out.append(("w:" + run, True))
            out.extend(("w:" + sub, False) for sub in _subwords(run))
    out.extend(("w:" + w, True) for w in _ALNUM_RE.findall(tok))
    return tuple(out)


def _doc_terms(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for tok in _cut(text):
        for term, _whole in _token_terms(tok):
            counts[term] += 1
    for run in _CJK_RE.findall(text):
        for bg in _bigrams(run):
            counts["b:" + bg] += 1
    return counts
