"""Chinese search and 智能导办 ranking over the service catalog (事项中心).

Citizens type what they would say at a window — ``我想开饭店``、``生孩子要办什么``、``jhdj``、
``結婚登記`` — and should find the right 事项 or 一件事. This module is pure Python (no Django) so
that it is quick to test and reusable: the app builds one :class:`SearchIndex` from the
published catalog and asks it for :class:`Hit` s.

How a query is matched (each step also applies to the documents, so both sides agree):

* **Normalisation** — NFKC (full-width → half-width), lower case, traditional → simplified
  (OpenCC tables, only when a traditional character is present).
* **Terms** — jieba words (precise cut plus every dictionary sub-word of a long word, i.e. a
  fuller ``cut_for_search``) and character bigrams of each run of Chinese characters. Bigrams
  keep unknown words and one-character typos findable (``结婚登计`` still shares 结婚、婚登).
  Items' names and aliases are added to jieba's dictionary so that domain words stay whole.
* **Stop words** — polite/question words (我想、怎么、需要、什么、哪里 …) are removed before
  segmentation; generic words (办理、申请、材料 …) count only a quarter.
* **Synonyms** — everyday expressions (``data/synonyms.json``: 开饭店 → 餐饮、食品经营 …) add
  the official words to the query at 0.8 weight; they are also looked for with the stop words
  taken out (``开个饭店`` → 开饭店).
* **Scoring** — BM25F: per-field weights (name > aliases > themes/department > extra >
  conditions > materials) with field-length normalisation and one saturation; postings hold the
  finished per-document contribution, so a query only adds up postings. With several content
  words, a document's score is scaled by the share of them it matches (coverage), so
  ``营业执照变更名称`` prefers 名称变更 over 设立登记.
* **Name boosts** — a name or alias equal to the query (decisive), starting with it, containing
  it, or contained in the query adds a share of the best lexical score (so ``结婚`` ranks 结婚登记
  above 离婚登记 and above items that only list 结婚证 as a material). Synonym phrases boost
  less than what the citizen typed.
* **Sub-items** — items whose name says 补发/换领/变更/注销 rank a little lower unless the query
  asks for that (补, 丢了, 过期, 改, 注销 …): ``出生医学证明`` means the first issue.
* **Pinyin** — full pinyin and initials of names and aliases (``jiehun``, ``jhdj`` → 结婚登记),
  found through letter n-gram postings and then checked, preferring matches on syllable
  boundaries; pinyin syllable bigrams of names also catch homophone typos (``结昏登记``).

Names and aliases shared by many documents (one item implemented by many regions) are matched
once per distinct label set. Adding names to jieba changes the process-wide dictionary; build
indexes at start-up or on publish, not per request.

Filters (department name, applicant type, theme, online) use precomputed sets. A blank query
with or without filters lists the matching documents in name (pinyin) order.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from shuzheng.core import zhtext

__all__ = [
    "Hit",
    "SearchDoc",
    "SearchIndex",
    "clear_caches",
    "docs_from_catalog",
    "item_code",
    "load_synonyms",
    "normalize",
    "warm_up",
]

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.json"

# --- tuning constants (general, not per query) -------------------------------------------------

FIELD_WEIGHTS: dict[str, float] = {
    "name": 8.0,
    "aliases": 5.0,
    "themes": 2.0,
    "department": 1.5,
    "extra": 1.2,
    "conditions": 1.0,
    "materials": 0.6,
}
# BM25 length normalisation per field (short fields: little; long free text: more).
FIELD_B: dict[str, float] = {
    "name": 0.5,
    "aliases": 0.3,
    "themes": 0.0,
    "department": 0.0,
    "extra": 0.5,
    "conditions": 0.75,
    "materials": 0.6,
}
K1 = 1.6
MAX_QUERY_CHARS = 200  # longer input is cut (a pasted page should not cost a second)

W_WORD = 1.0  # a jieba word of the query
W_SUBWORD = 0.6  # a dictionary sub-word of a longer query word (养老 in 养老保险)
W_BIGRAM = 0.5  # a character bigram
W_UNIGRAM = 1.0  # single characters, used only when the query has nothing longer
W_SOUND = 0.3  # a pinyin syllable bigram (homophone typos)
W_WEAK = 0.25  # multiplier for generic words (办理, 申请, 材料 …)
W_SYNONYM = 0.8  # multiplier for terms that come from the synonym list

# Name boosts, as shares of the best lexical score of the query.
BOOST_EXACT = 2.0  # an exact name is what the citizen wants
BOOST_EXACT_SYNONYM = 1.0  # a synonym's phrase equal to a name (before BOOST_SYNONYM)
BOOST_PREFIX = 0.6
BOOST_NAME_IN_QUERY = 0.5
BOOST_CONTAINS = 0.35
BOOST_ALIAS = 0.9  # factor for aliases relative to the name
BOOST_SYNONYM = 0.7  # factor for boosts found through a synonym
BOOST_PINYIN = 0.9  # factor for pinyin matches
PINYIN_INITIALS = 0.9  # initials (jhdj) relative to full pinyin (jiehundengji)
PINYIN_PARTIAL_SYLLABLE = 0.8  # a match that cuts a syllable
PINYIN_ONLY_BASE = 10.0  # reference score when only pinyin matched
# Coverage: with several content words, a document's lexical score is scaled by
# FLOOR + (1 - FLOOR) × (share of the query's words it matches).
COVERAGE_FLOOR = 0.4
# Business sub-items for reissue, renewal, change and cancellation (补发/换领/变更/注销) rank a
# little lower unless the query asks for one: 出生医学证明 means the first issue.
SECONDARY_PENALTY = 0.85
SECONDARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (words in an item's name, words in a query that ask for it)
    "reissue": (
        ("补发", "补领", "补办", "补证", "补换", "遗失", "挂失"),
        ("补", "丢", "遗失", "挂失", "不见", "损毁", "坏"),
    ),
    "renew": (("换领", "换发", "换证", "延续"), ("换", "过期", "到期", "延续", "续期", "期满")),
    "change": (("变更", "更正"), ("变更", "更正", "改", "变", "换")),
    "cancel": (
        ("注销", "撤销"),
        ("注销", "撤销", "关", "不干", "不开", "不做", "退出", "停业", "歇业"),
    ),
}

# Removed from the query text before segmentation (longest first): they say how, not what.
STOP_PHRASES: tuple[str, ...] = (
    "请问一下",
    "请问",
    "你好",
    "您好",
    "我想要",
    "我想",
    "我要",
    "我们",
    "我家",
    "想要",
    "想问",
    "怎么办理",
    "怎么办",
    "怎么弄",
    "怎么样",
    "怎样",
    "怎么",
    "如何",
    "在哪里",
    "在哪儿",
    "在哪",
    "哪里",
    "哪儿",
    "哪个",
    "哪些",
    "去哪",
    "需要",
    "需不需要",
    "要不要",
    "能不能",
    "可不可以",
    "是不是",
    "什么",
    "啥",
    "可以",
    "应该",
    "一下",
    "一个",
    "自己",
    "现在",
    "时候",
    "的话",
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Single tokens dropped after segmentation.
STOP_WORDS: frozenset[str] = _word_set(
    "我 你 他 她 它 想 要 办 个 了 吗 呢 吧 啊 呀 的 地 得 在 是 有 和 与 及 或 就 都 也 还 "
    "去 能 会 该 给 把 被 让 到 从 对 这 那 哪 谁 么 嘛 哦 噢 呃 等 些 之 其 以 "
    "我的 你们 他们 怎么 什么 哪里 需要 可以 如何 一下 请问 谢谢"
)
# Generic words: they rarely tell one item from another, so they count a quarter.
WEAK_WORDS: frozenset[str] = _word_set(
    "办理 申请 申办 办事 手续 流程 材料 资料 条件 业务 事项 服务 网上 在线 线上 窗口 "
    "多久 时间 费用 多少 钱 指南 相关 问题 情况 咨询 查询 政务 办件 一件 件事 一件事"
)

_CJK_RE = zhtext.CJK_RE
_ALNUM_RE = zhtext.ALNUM_RE
_PINYIN_QUERY_RE = re.compile(r"^[a-z][a-z' ]*$")
_SPACES_RE = zhtext.SPACES_RE


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDoc:
    """One searchable 事项 (``kind="item"``) or 一件事 (``kind="bundle"``)."""

    code: str
    kind: str  # "item" | "bundle"
    name: str
    aliases: tuple[str, ...]
    conditions: str
    materials: tuple[str, ...]
    department: str  # department name
    themes: tuple[str, ...]
    applicant_types: tuple[str, ...]
    online: bool
    extra: str = ""


@dataclass(frozen=True)
class Hit:
    code: str
    kind: str
    score: float


# --- normalisation ------------------------------------------------------------------------------

normalize = zhtext.normalize


# --- jieba -------------------------------------------------------------------------------------

_JIEBA = zhtext.JiebaDictionary(max_word_len=16)
_jieba = _JIEBA.tokenizer


def reset_dictionary() -> None:
    """Forget every word indexes added: the next index starts from jieba's default dictionary.

    Added words persist for the life of the process (an index rebuilt after a publish keeps
    the names of retired items, which is harmless); tests that compare rankings call this so
    that an index built by an earlier test does not change their segmentation.
    """
    _JIEBA.reset()
    clear_caches()


def _add_words(words: Iterable[str]) -> None:
    """Add domain words (names, aliases) to jieba's dictionary so they stay whole."""
    if _JIEBA.add_words(words):
        clear_caches()  # segmentations memoised before may now differ


@lru_cache(maxsize=131072)
def _cut(text: str) -> tuple[str, ...]:
    """jieba's precise cut of normalised text (no HMM: unknown words are left to bigrams)."""
    return tuple(_jieba().lcut(text, HMM=False))


@lru_cache(maxsize=131072)
def _words_of(token: str) -> tuple[str, ...]:
    """Dictionary sub-words (length ≥ 2) of a long jieba word, like cut_for_search but complete."""
    return zhtext.subwords(token, _jieba().FREQ, STOP_WORDS)


_bigrams = zhtext.bigrams


@lru_cache(maxsize=65536)
def _pinyin_of_word(word: str) -> tuple[str, ...]:
    if _CJK_RE.fullmatch(word):
        return tuple(lazy_pinyin(word))
    return tuple(_ALNUM_RE.findall(word))


def _syllables(text: str) -> list[str]:
    """Pinyin syllables of normalised text (ASCII words kept whole), via cached jieba words."""
    out: list[str] = []
    for tok in _cut(text):
        out.extend(_pinyin_of_word(tok))
    return out


def warm_up() -> None:
    """Load jieba's dictionary, the traditional→simplified table and pypinyin once (≈1 s)."""
    _jieba()
    zhtext.t2s()
    _pinyin_of_word("中文")


def clear_caches() -> None:
    """Forget memoised segmentations and pinyin (for benchmarks measuring cold queries)."""
    for cached in (
        normalize,
        _cut,
        _words_of,
        _token_words,
        _pinyin_of_word,
        _text_terms,
        _label_terms,
        _pinyin_forms,
    ):
        cached.cache_clear()


# --- terms -------------------------------------------------------------------------------------


@lru_cache(maxsize=131072)
def _token_words(tok: str) -> tuple[tuple[str, bool], ...]:
    """Word terms of one jieba token, each with True for the token itself, False for a part.

    A Chinese word gives itself and its dictionary sub-words; ASCII words and numbers count as
    words; a mixed token (80岁补贴) is split into its Chinese and ASCII runs first.
    """
    if tok in STOP_WORDS:
        return ()
    out: list[tuple[str, bool]] = []
    if _CJK_RE.fullmatch(tok):
        if len(tok) >= 2:
            out.append(("w:" + tok, True))
            out.extend(("w:" + sub, False) for sub in _words_of(tok))
        return tuple(out)
    for run in _CJK_RE.findall(tok):
        if len(run) >= 2 and run not in STOP_WORDS:
            out.append(("w:" + run, True))
            out.extend(("w:" + sub, False) for sub in _words_of(run))
    out.extend(("w:" + word, True) for word in _ALNUM_RE.findall(tok))
    return tuple(out)


@lru_cache(maxsize=131072)
def _text_terms(text: str) -> tuple[tuple[str, int], ...]:
    """Word and bigram terms (with counts) of normalised document text."""
    counts: Counter[str] = Counter()
    for tok in _cut(text):
        for term, _whole in _token_words(tok):
            counts[term] += 1
    for run in _CJK_RE.findall(text):
        for bg in _bigrams(run):
            counts["b:" + bg] += 1
    return tuple(counts.items())


@lru_cache(maxsize=65536)
def _label_terms(text: str) -> tuple[tuple[str, int], ...]:
    """Terms of a name or alias: text terms plus single characters and pinyin syllable bigrams."""
    counts: Counter[str] = Counter(dict(_text_terms(text)))
    for run in _CJK_RE.findall(text):
        for ch in run:
            counts["u:" + ch] += 1
    sylls = _syllables(text)
    for a, b in itertools.pairwise(sylls):
        counts[f"y:{a}|{b}"] += 1
    return tuple(counts.items())


def _field_terms(label: bool, parts: tuple[str, ...]) -> tuple[tuple[tuple[str, int], ...], int]:
    """Summed terms of a field's parts, and the field's length in words and bigrams."""
    counts: Counter[str] = Counter()
    for part in parts:
        for term, c in _label_terms(part) if label else _text_terms(part):
            counts[term] += c
    length = sum(c for t, c in counts.items() if t[0] in "wb")
    return tuple(counts.items()), length


@lru_cache(maxsize=65536)
def _pinyin_forms(text: str) -> tuple[str, str, frozenset[int]]:
    """(full pinyin, initials, syllable boundaries in the full pinyin) of a name or alias.

    ASCII words are kept whole in both forms.
    """
    full: list[str] = []
    initials: list[str] = []
    for tok in _cut(text):
        sylls = [s for s in _pinyin_of_word(tok) if s.isascii() and s.isalnum()]
        full.extend(sylls)
        if _CJK_RE.fullmatch(tok):
            initials.extend(s[0] for s in sylls)
        else:
            initials.extend(sylls)
    bounds = frozenset(itertools.accumulate((len(s) for s in full), initial=0))
    return "".join(full), "".join(initials), bounds


# --- synonyms ----------------------------------------------------------------------------------


def load_synonyms(path: Path | None = None) -> dict[str, list[str]]:
    """The everyday-expression list shipped in ``data/synonyms.json`` (keys ``_…`` ignored)."""
    data = json.loads((path or SYNONYMS_PATH).read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def _default_synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((k, tuple(v)) for k, v in load_synonyms().items())


# --- the query ---------------------------------------------------------------------------------


@dataclass
class _Query:
    text: str  # normalised, stop phrases removed, spaces collapsed
    raw: str  # normalised, without spaces
    core: str  # content words joined (no stop or generic words)
    terms: dict[str, float]
    units: list[frozenset[str]]  # per content word: the terms that show a document has it
    expansions: list[str]  # synonym phrases (normalised)
    secondary: frozenset[str]  # SECONDARY kinds the query asks for
    pinyin: str  # letters of an all-letter query ("" otherwise)


# --- the index ---------------------------------------------------------------------------------


class SearchIndex:
    """An in-memory index over catalog documents. Build once, query from any thread.

    ``synonyms=None`` uses the shipped ``data/synonyms.json``; pass ``{}`` for none.
    """

    def __init__(
        self,
        docs: Iterable[SearchDoc],
        synonyms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.docs: list[SearchDoc] = list(docs)
        syn_items = (
            _default_synonyms()
            if synonyms is None
            else tuple(
                (k, tuple(v))
                for k, v in synonyms.items()
                if not k.startswith("_") and not isinstance(v, str)  # "_comment": "…"
            )
        )
        syn: dict[str, list[str]] = {}
        for key, values in syn_items:
            nk = normalize(key)
            if len(nk) >= 2:
                syn.setdefault(nk, []).extend(normalize(v) for v in values if normalize(v))
        # Longest keys first, so a longer expression is seen before its parts.
        self._synonyms: list[tuple[str, tuple[str, ...]]] = sorted(
            ((k, tuple(dict.fromkeys(v))) for k, v in syn.items()), key=lambda kv: -len(kv[0])
        )

        self._codes: list[str] = [d.code for d in self.docs]
        self._names: list[str] = [normalize(d.name) for d in self.docs]
        self._aliases: list[tuple[str, ...]] = [
            tuple(a for a in (normalize(x) for x in d.aliases) if a) for d in self.docs
        ]
        _add_words([*self._names, *(a for al in self._aliases for a in al)])
        # Documents with the same name and aliases (one item implemented by many regions) share
        # a label group: name and pinyin matching is done once per group.
        groups: dict[tuple[str, tuple[str, ...]], int] = {}
        self._group: list[int] = [
            groups.setdefault(key, len(groups))
            for key in zip(self._names, self._aliases, strict=True)
        ]
        self._group_labels: list[tuple[str, ...]] = [(nm, *al) for nm, al in groups]
        self._group_secondary: list[frozenset[str]] = [
            frozenset(k for k, (words, _) in SECONDARY.items() if any(w in nm for w in words))
            for nm, _ in groups
        ]
        self._group_docs: list[list[int]] = [[] for _ in groups]
        for i, g in enumerate(self._group):
            self._group_docs[g].append(i)

        self._build_postings()
        self._build_pinyin()
        self._build_filters()

    # -- building --

    def _build_postings(self) -> None:
        n = len(self.docs)
        fields = tuple(FIELD_WEIGHTS)
        weights = [FIELD_WEIGHTS[f] for f in fields]
        bs = [FIELD_B[f] for f in fields]
        # Identical field texts (the same item implemented by many regions) are analysed once.
        memo: dict[tuple[int, tuple[str, ...]], tuple[tuple[tuple[str, int], ...], int]] = {}
        doc_fields: list[list[tuple[int, tuple[tuple[str, int], ...], int]]] = []
        sums = [0] * len(fields)
        counts_per_field = [0] * len(fields)
        for i, d in enumerate(self.docs):
            texts = (
                (self._names[i],),
                self._aliases[i],
                tuple(normalize(t) for t in d.themes),
                (normalize(d.department),),
                (normalize(d.extra),),
                (normalize(d.conditions),),
                tuple(normalize(m) for m in d.materials),
            )
            entry = []
            for fi, parts in enumerate(texts):
                parts = tuple(p for p in parts if p)
                if not parts:
                    continue
                got = memo.get((fi, parts))
                if got is None:
                    got = memo[(fi, parts)] = _field_terms(fi < 2, parts)
                entry.append((fi, got[0], got[1]))
                sums[fi] += got[1]
                counts_per_field[fi] += 1
            doc_fields.append(entry)

        avg = [(s / c if c else 1.0) or 1.0 for s, c in zip(sums, counts_per_field, strict=True)]
        pseudo: dict[str, dict[int, float]] = {}
        for i, entry in enumerate(doc_fields):
            for fi, terms, length in entry:
                norm = weights[fi] / (1.0 - bs[fi] + bs[fi] * length / avg[fi])
                for term, c in terms:
                    acc = pseudo.get(term)
                    if acc is None:
                        pseudo[term] = {i: c * norm}
                    else:
                        acc[i] = acc.get(i, 0.0) + c * norm
        self._postings: dict[str, dict[int, float]] = {}
        k1 = K1
        for term, tfs in pseudo.items():
            df = len(tfs)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            scale = idf * (k1 + 1.0)
            self._postings[term] = {i: scale * t / (t + k1) for i, t in tfs.items()}

    def _build_pinyin(self) -> None:
        self._py_full: list[tuple[tuple[str, frozenset[int]], ...]] = []
        self._py_init: list[tuple[str, ...]] = []
        grams: dict[str, set[int]] = defaultdict(set)
        for g, labels in enumerate(self._group_labels):
            forms = [_pinyin_forms(label) for label in labels]
            full = tuple(f for f, _, _ in forms)
            init = tuple(s for _, s, _ in forms)
            self._py_full.append(tuple((f, b) for f, _, b in forms))
            self._py_init.append(init)
            for s in full:
                for j in range(len(s) - 2):
                    grams[s[j : j + 3]].add(g)
            for s in init:
                for j in range(len(s) - 1):
                    grams[s[j : j + 2]].add(g)
                for j in range(len(s) - 2):
                    grams[s[j : j + 3]].add(g)
        self._py_grams: dict[str, frozenset[int]] = {g: frozenset(s) for g, s in grams.items()}

    def _build_filters(self) -> None:
        by_dept: dict[str, set[int]] = defaultdict(set)
        by_type: dict[str, set[int]] = defaultdict(set)
        by_theme: dict[str, set[int]] = defaultdict(set)
        online: set[int] = set()
        for i, d in enumerate(self.docs):
            by_dept[d.department].add(i)
            for a in d.applicant_types:
                by_type[a].add(i)
            for t in d.themes:
                by_theme[t].add(i)
            if d.online:
                online.add(i)
        self._by_dept = {k: frozenset(v) for k, v in by_dept.items()}
        self._by_type = {k: frozenset(v) for k, v in by_type.items()}
        self._by_theme = {k: frozenset(v) for k, v in by_theme.items()}
        self._online = frozenset(online)
        order_keys = [
            (_pinyin_forms(nm)[0], nm, d.code) for nm, d in zip(self._names, self.docs, strict=True)
        ]
        self._name_order: list[int] = sorted(range(len(self.docs)), key=order_keys.__getitem__)

    # -- querying --

    def __len__(self) -> int:
        return len(self.docs)

    def search(
        self,
        q: str,
        *,
        limit: int = 20,
        department: str | None = None,
        applicant_type: str | None = None,
        theme: str | None = None,
        online_only: bool = False,
    ) -> list[Hit]:
        """The best ``limit`` documents for ``q``, best first.

        A blank ``q`` lists the documents that pass the filters in name (pinyin) order, score 0,
        up to ``limit`` (pass ``limit=len(index)`` for all of them).
        """
        allowed = self._allowed(department, applicant_type, theme, online_only)
        if limit <= 0 or (allowed is not None and not allowed):
            return []
        text = normalize((q or "")[:MAX_QUERY_CHARS])
        if not text:
            order = self._name_order
            chosen = order if allowed is None else [i for i in order if i in allowed]
            return [Hit(self._codes[i], self.docs[i].kind, 0.0) for i in chosen[:limit]]

        query = self._parse(text)
        scores: dict[int, float] = defaultdict(float)
        for term, weight in query.terms.items():
            postings = self._postings.get(term)
            if postings:
                for i, s in postings.items():
                    scores[i] += weight * s
        if not query.terms and len(query.core) == 1:
            # A one-character query (房, 车): names and aliases holding that character.
            for i, s in self._postings.get("u:" + query.core, {}).items():
                scores[i] += W_UNIGRAM * s
        if allowed is not None:
            scores = defaultdict(float, {i: s for i, s in scores.items() if i in allowed})
        if len(query.units) >= 2 and scores:
            self._apply_coverage(query.units, scores)

        best = max(scores.values(), default=0.0)
        ref = best if best > 0 else PINYIN_ONLY_BASE
        boosts = self._name_boosts(query, scores.keys())
        if query.pinyin:
            for i, b in self._pinyin_boosts(query.pinyin).items():
                if allowed is None or i in allowed:
                    boosts[i] = max(boosts.get(i, 0.0), b)
        for i, b in boosts.items():
            scores[i] += b * ref
        for i in scores:
            kinds = self._group_secondary[self._group[i]]
            if kinds and not kinds <= query.secondary:
                scores[i] *= SECONDARY_PENALTY

        top = heapq.nsmallest(
            limit,
            ((-s, len(self._names[i]), self._codes[i], i) for i, s in scores.items() if s > 0),
        )
        return [Hit(self._codes[i], self.docs[i].kind, round(-neg, 4)) for neg, _, _, i in top]

    def _apply_coverage(self, units: Sequence[frozenset[str]], scores: dict[int, float]) -> None:
        unit_docs = []
        for unit in units:
            docs: set[int] = set()
            for term in unit:
                postings = self._postings.get(term)
                if postings:
                    docs.update(postings.keys())
            unit_docs.append(docs)
        n = len(units)
        for i in scores:
            covered = sum(1 for docs in unit_docs if i in docs)
            scores[i] *= COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * covered / n

    def _allowed(
        self,
        department: str | None,
        applicant_type: str | None,
        theme: str | None,
        online_only: bool,
    ) -> frozenset[int] | None:
        sets: list[frozenset[int]] = []
        if department:
            sets.append(self._by_dept.get(department, frozenset()))
        if applicant_type:
            sets.append(self._by_type.get(applicant_type, frozenset()))
        if theme:
            sets.append(self._by_theme.get(theme, frozenset()))
        if online_only:
            sets.append(self._online)
        if not sets:
            return None
        sets.sort(key=len)
        out = sets[0]
        for s in sets[1:]:
            out = out & s
        return out

    def _parse(self, text: str) -> _Query:
        letters = text.replace("'", "").replace(" ", "")
        pinyin = letters if _PINYIN_QUERY_RE.match(text) and len(letters) >= 2 else ""

        cleaned = zhtext.remove_phrases(text, STOP_PHRASES)
        terms: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if weight > terms.get(term, 0.0):
                terms[term] = weight

        # Tokens, split into runs at stop words and punctuation.
        runs = zhtext.split_runs(_cut(cleaned), STOP_WORDS)

        core_parts: list[str] = []
        units: list[tuple[str, set[str]]] = []  # (text, evidence terms) per content word
        for run in runs:
            pending: list[str] = []  # consecutive single characters: an unknown word
            for tok in [*run, ""]:
                if len(tok) == 1 and _CJK_RE.fullmatch(tok):
                    pending.append(tok)
                    continue
                if pending:
                    word = "".join(pending)
                    pending = []
                    core_parts.append(word)
                    if len(word) >= 2:
                        # No dictionary word: its bigrams stand in for it, at full weight.
                        evidence = {"b:" + bg for bg in _bigrams(word)}
                        for term in evidence:
                            add(term, W_WORD)
                        units.append((word, evidence))
                if not tok:
                    continue
                weak = tok in WEAK_WORDS
                factor = W_WEAK if weak else 1.0
                evidence = set()
                for term, whole in _token_words(tok):
                    sub_weak = term[2:] in WEAK_WORDS
                    add(term, (W_WORD if whole else W_SUBWORD) * (W_WEAK if sub_weak else factor))
                    evidence.add(term)
                for seg in _CJK_RE.findall(tok):
                    evidence.update("b:" + bg for bg in _bigrams(seg))
                if not weak:
                    core_parts.append(tok)
                    if evidence:
                        units.append((tok, evidence))
            joined = "".join(run)
            for seg in _CJK_RE.findall(joined):
                for bg in _bigrams(seg):
                    add("b:" + bg, W_BIGRAM * (W_WEAK if bg in WEAK_WORDS else 1.0))
            sylls = _syllables(joined) if _CJK_RE.search(joined) else []
            for a, b in itertools.pairwise(sylls):
                add(f"y:{a}|{b}", W_SOUND)

        # Synonyms: matched on the query text as typed (退休了) and with the stop words taken out
        # (开个饭店 → 开饭店). Their terms count as evidence for the words they overlap.
        raw = text.replace(" ", "")
        content = "".join(tok for run in runs for tok in run)
        expansions: list[str] = []
        for key, values in self._synonyms:
            if key not in raw and key not in content:
                continue
            key_terms: set[str] = set()
            for v in values:
                if v not in expansions:
                    expansions.append(v)
                for term, _count in _text_terms(v):
                    key_terms.add(term)
                    base = W_BIGRAM if term.startswith("b:") else W_WORD
                    add(term, base * W_SYNONYM)
            overlapping = [ev for word, ev in units if word in key or key in word]
            for ev in overlapping:
                ev.update(key_terms)
            if not overlapping:
                units.append((key, key_terms))

        hay = raw + "|" + "|".join(expansions)
        secondary = frozenset(
            kind for kind, (_, triggers) in SECONDARY.items() if any(t in hay for t in triggers)
        )
        return _Query(
            text=_SPACES_RE.sub(" ", cleaned).strip(),
            raw=raw,
            core="".join(core_parts),
            terms=terms,
            units=[frozenset(ev) for _, ev in units if ev],
            expansions=expansions,
            secondary=secondary,
            pinyin=pinyin,
        )

    def _name_boosts(self, query: _Query, candidates: Iterable[int]) -> dict[int, float]:
        probes: list[tuple[str, float]] = []
        for probe in dict.fromkeys((query.core, query.text.replace(" ", ""), query.raw)):
            if len(probe) >= 2:
                probes.append((probe, 1.0))
        probes.extend((e, BOOST_SYNONYM) for e in query.expansions if len(e) >= 2)
        compact = query.text.replace(" ", "")
        per_group: dict[int, float] = {}
        out: dict[int, float] = {}
        for i in candidates:
            g = self._group[i]
            best = per_group.get(g)
            if best is None:
                best = per_group[g] = self._label_boost(self._group_labels[g], probes, compact)
            if best:
                out[i] = best
        return out

    @staticmethod
    def _label_boost(
        labels: tuple[str, ...], probes: Sequence[tuple[str, float]], compact: str
    ) -> float:
        best = 0.0
        for k, label in enumerate(labels):
            lf = 1.0 if k == 0 else BOOST_ALIAS
            if len(label) >= 2 and label in compact:
                best = max(best, BOOST_NAME_IN_QUERY * lf)
            for probe, pf in probes:
                if probe not in label:
                    continue
                if probe == label:
                    # typed by the citizen: decisive; reached through a synonym: a strong hint
                    b = BOOST_EXACT if pf == 1.0 else BOOST_EXACT_SYNONYM
                elif label.startswith(probe):
                    b = BOOST_PREFIX
                else:
                    b = BOOST_CONTAINS
                best = max(best, b * lf * pf)
        return best

    def _pinyin_boosts(self, letters: str) -> dict[int, float]:
        n = len(letters)
        grams = (
            {letters[j : j + 3] for j in range(n - 2)}
            if n >= 3
            else {letters[j : j + 2] for j in range(n - 1)}
        )
        sets = sorted((self._py_grams.get(g, frozenset()) for g in grams), key=len)
        if not sets or not sets[0]:
            return {}
        cands = set(sets[0])
        for other in sets[1:]:
            cands &= other
            if not cands:
                return {}
        out: dict[int, float] = {}
        for g in cands:
            best = 0.0
            for k, (form, bounds) in enumerate(self._py_full[g]):
                b = _pinyin_match(letters, form, bounds)
                best = max(best, b * (1.0 if k == 0 else BOOST_ALIAS))
            for k, form in enumerate(self._py_init[g]):
                b = _pinyin_match(letters, form, None) * PINYIN_INITIALS
                best = max(best, b * (1.0 if k == 0 else BOOST_ALIAS))
            if best:
                for i in self._group_docs[g]:
                    out[i] = best * BOOST_PINYIN
        return out


def _pinyin_match(letters: str, form: str, bounds: frozenset[int] | None) -> float:
    """How well typed letters match a pinyin form: exact, prefix or inside, best on syllables.

    ``bounds`` are the syllable boundaries of a full-pinyin form (``None``: every letter is one,
    as in initials). A match that starts or ends inside a syllable (shebaoka in shebaokaihu)
    counts less than one on syllable boundaries (shebaoka in shebaokabanli).
    """
    n = len(letters)
    best = 0.0
    pos = form.find(letters)
    while pos != -1:
        end = pos + n
        if pos == 0 and end == len(form):
            b = BOOST_EXACT
        elif pos == 0:
            b = BOOST_PREFIX
        else:
            b = BOOST_CONTAINS
        if bounds is not None and not (pos in bounds and end in bounds):
            b *= PINYIN_PARTIAL_SYLLABLE
        # closer (shorter) forms first among equals
        best = max(best, b * (0.75 + 0.25 * n / len(form)))
        pos = form.find(letters, pos + 1)
    return best


# --- catalog adapter ---------------------------------------------------------------------------


def item_code(item: Mapping[str, Any]) -> str:
    """An item's 实施编码: as given, or computed from region, level, basic code and serial."""
    code = item.get("implementation_code")
    if code:
        return str(code)
    from shuzheng.catalog.codes import implementation_code

    return implementation_code(
        str(item["region_code"]),
        int(item["exercise_level"]),
        str(item["basic_code"]),
        int(item.get("serial", 0)),
    )


def _item_online(item: Mapping[str, Any]) -> bool:
    return int(item.get("online_depth") or 0) >= 4  # 全程网办


def docs_from_catalog(
    doc: Mapping[str, Any], department_names: Mapping[str, str]
) -> list[SearchDoc]:
    """Search documents for the items and bundles of a catalog file (docs/catalog-format.md).

    ``online`` means 全程网办 (网办深度 4, as the catalog's online filter); a bundle is online
    when all of its members in the file are. A bundle's ``extra`` holds its members'
    names, so words of a member item find the 一件事 too.
    """
    out: list[SearchDoc] = []
    by_code: dict[str, Mapping[str, Any]] = {}
    for item in doc.get("items") or []:
        code = item_code(item)
        by_code[code] = item
        result = item.get("result") or {}
        extra_parts = [str(result.get("name") or "")]
        extra_parts += [str(s.get("name") or "") for s in item.get("situations") or []]
        out.append(
            SearchDoc(
                code=code,
                kind="item",
                name=str(item["name"]),
                aliases=tuple(str(a) for a in item.get("aliases") or []),
                conditions=str(item.get("conditions") or ""),
                materials=tuple(str(m.get("name") or "") for m in item.get("materials") or []),
                department=department_names.get(
                    str(item.get("department")), str(item.get("department") or "")
                ),
                themes=tuple(str(t) for t in item.get("themes") or []),
                applicant_types=tuple(str(a) for a in item.get("applicant_types") or []),
                online=_item_online(item),
                extra="；".join(p for p in extra_parts if p),
            )
        )
    for bundle in doc.get("bundles") or []:
        members = [by_code[c] for c in bundle.get("items") or [] if c in by_code]
        out.append(
            SearchDoc(
                code=str(bundle["code"]),
                kind="bundle",
                name=str(bundle["name"]),
                aliases=tuple(str(a) for a in bundle.get("aliases") or []),
                conditions=str(bundle.get("description") or ""),
                materials=(),
                department=department_names.get(
                    str(bundle.get("lead_department")), str(bundle.get("lead_department") or "")
                ),
                themes=tuple(str(t) for t in bundle.get("themes") or []),
                applicant_types=tuple(str(a) for a in bundle.get("applicant_types") or []),
                online=bool(members) and all(_item_online(m) for m in members),
                extra="；".join(str(m["name"]) for m in members),
            )
        )
    return out
