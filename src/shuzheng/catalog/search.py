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
  the official words to the query at 0.8 weight.
* **Scoring** — BM25F: per-field weights (name > aliases > themes/department > extra >
  conditions > materials) with field-length normalisation and one saturation; postings hold the
  finished per-document contribution, so a query only adds up postings.
* **Name boosts** — a name or alias equal to the query, starting with it, containing it, or
  contained in the query adds a share of the best lexical score (so ``结婚`` ranks 结婚登记 above
  离婚登记 and above items that only list 结婚证 as a material).
* **Pinyin** — full pinyin and initials of names and aliases (``jiehun``, ``jhdj`` → 结婚登记),
  found through letter n-gram postings and then checked; pinyin syllable bigrams of names also
  catch homophone typos (``结昏登记``).

Filters (department name, applicant type, theme, online) use precomputed sets. A blank query
with or without filters lists the matching documents in name (pinyin) order.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
from pypinyin import lazy_pinyin

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

W_WORD = 1.0  # a jieba word of the query
W_SUBWORD = 0.6  # a dictionary sub-word of a longer query word (养老 in 养老保险)
W_BIGRAM = 0.5  # a character bigram
W_UNIGRAM = 1.0  # single characters, used only when the query has nothing longer
W_SOUND = 0.3  # a pinyin syllable bigram (homophone typos)
W_WEAK = 0.25  # multiplier for generic words (办理, 申请, 材料 …)
W_SYNONYM = 0.8  # multiplier for terms that come from the synonym list

# Name boosts, as shares of the best lexical score of the query.
BOOST_EXACT = 1.0
BOOST_PREFIX = 0.6
BOOST_NAME_IN_QUERY = 0.5
BOOST_CONTAINS = 0.35
BOOST_ALIAS = 0.9  # factor for aliases relative to the name
BOOST_SYNONYM = 0.7  # factor for boosts found through a synonym
BOOST_PINYIN = 0.9  # factor for pinyin matches (1.0 for an exact full-pinyin name)
PINYIN_ONLY_BASE = 10.0  # reference score when only pinyin matched

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

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ALNUM_RE = re.compile(r"[a-z0-9]+")
_PINYIN_QUERY_RE = re.compile(r"^[a-z][a-z' ]*$")
_SPACES_RE = re.compile(r"\s+")

log = logging.getLogger(__name__)


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


# --- normalisation -----------------------------------------------------------------------------

_t2s_lock = threading.Lock()
_t2s_state: dict[str, Any] = {}


def _t2s() -> tuple[frozenset[str], Callable[[str], str]]:
    """OpenCC's t2s converter and the set of characters that need it (loaded once)."""
    with _t2s_lock:
        if "convert" not in _t2s_state:
            import opencc

            converter = opencc.OpenCC("t2s")
            table = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
            trad: set[str] = set()
            for line in table.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[1] != parts[0]:
                    trad.add(parts[0])
            _t2s_state["chars"] = frozenset(trad)
            _t2s_state["convert"] = converter.convert
    return _t2s_state["chars"], _t2s_state["convert"]


def normalize(text: str) -> str:
    """Full-width → half-width, lower case, traditional → simplified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    chars, convert = _t2s()
    if not chars.isdisjoint(text):
        text = convert(text)
    return _SPACES_RE.sub(" ", text).strip()


# --- jieba -------------------------------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_ready = False
_jieba_added: set[str] = set()


def _jieba() -> Any:
    """The default jieba tokenizer, initialised once (quietly)."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba.dt


def _add_words(words: Iterable[str]) -> None:
    """Add domain words (names, aliases) to jieba's dictionary so they stay whole."""
    tk = _jieba()
    new = [w for w in words if 2 <= len(w) <= 16 and w not in _jieba_added and _CJK_RE.search(w)]
    if not new:
        return
    with _jieba_lock:
        for w in new:
            if w in _jieba_added:
                continue
            _jieba_added.add(w)
            if not tk.FREQ.get(w):
                tk.add_word(w)
    clear_caches()  # segmentations memoised before may now differ


@lru_cache(maxsize=131072)
def _cut(text: str) -> tuple[str, ...]:
    """jieba's precise cut of normalised text (no HMM: unknown words are left to bigrams)."""
    return tuple(_jieba().lcut(text, HMM=False))


@lru_cache(maxsize=131072)
def _words_of(token: str) -> tuple[str, ...]:
    """Dictionary sub-words (length ≥ 2) of a long jieba word, like cut_for_search but complete."""
    if len(token) <= 2 or not _CJK_RE.fullmatch(token):
        return ()
    freq = _jieba().FREQ
    out = []
    n = len(token)
    for size in range(n - 1, 1, -1):
        for i in range(n - size + 1):
            sub = token[i : i + size]
            if freq.get(sub) and sub not in STOP_WORDS:
                out.append(sub)
    return tuple(dict.fromkeys(out))


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


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
    _t2s()
    _pinyin_of_word("中文")


def clear_caches() -> None:
    """Forget memoised segmentations and pinyin (for benchmarks measuring cold queries)."""
    for cached in (_cut, _words_of, _pinyin_of_word, _text_terms, _label_terms, _pinyin_forms):
        cached.cache_clear()


# --- terms -------------------------------------------------------------------------------------


@lru_cache(maxsize=131072)
def _text_terms(text: str) -> tuple[tuple[str, int], ...]:
    """Word and bigram terms (with counts) of normalised document text."""
    counts: Counter[str] = Counter()
    for tok in _cut(text):
        if tok in STOP_WORDS or not tok.strip():
            continue
        if _CJK_RE.fullmatch(tok):
            if len(tok) >= 2:
                counts["w:" + tok] += 1
                for sub in _words_of(tok):
                    counts["w:" + sub] += 1
        else:
            for word in _ALNUM_RE.findall(tok):
                counts["w:" + word] += 1
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


@lru_cache(maxsize=65536)
def _pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a normalised name or alias; ASCII words are kept whole."""
    full: list[str] = []
    initials: list[str] = []
    for tok in _cut(text):
        sylls = [s for s in _pinyin_of_word(tok) if s.isascii() and s.isalnum()]
        full.extend(sylls)
        if _CJK_RE.fullmatch(tok):
            initials.extend(s[0] for s in sylls)
        else:
            initials.extend(sylls)
    return "".join(full), "".join(initials)


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
    core: str  # content words joined (no stop or generic words)
    terms: dict[str, float]
    expansions: list[str]  # synonym phrases (normalised)
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
            else tuple((k, tuple(v)) for k, v in synonyms.items())
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

        self._build_postings()
        self._build_pinyin()
        self._build_filters()

    # -- building --

    def _build_postings(self) -> None:
        n = len(self.docs)
        # field -> term -> [(doc, tf)], field -> lengths
        per_field: dict[str, dict[str, list[tuple[int, int]]]] = {
            f: defaultdict(list) for f in FIELD_WEIGHTS
        }
        lengths: dict[str, list[int]] = {f: [0] * n for f in FIELD_WEIGHTS}
        for i, d in enumerate(self.docs):
            texts = {
                "name": [self._names[i]],
                "aliases": list(self._aliases[i]),
                "themes": [normalize(t) for t in d.themes],
                "department": [normalize(d.department)] if d.department else [],
                "extra": [normalize(d.extra)] if d.extra else [],
                "conditions": [normalize(d.conditions)] if d.conditions else [],
                "materials": [normalize(m) for m in d.materials],
            }
            for field, parts in texts.items():
                counts: Counter[str] = Counter()
                for part in parts:
                    if not part:
                        continue
                    terms = (
                        _label_terms(part) if field in ("name", "aliases") else _text_terms(part)
                    )
                    for term, c in terms:
                        counts[term] += c
                postings = per_field[field]
                length = 0
                for term, c in counts.items():
                    postings[term].append((i, c))
                    if term[0] == "w" or term[0] == "b":
                        length += c
                lengths[field][i] = length

        avg = {f: (sum(lens) / n if n else 0.0) or 1.0 for f, lens in lengths.items()}
        norms = {
            f: [
                FIELD_WEIGHTS[f] / (1.0 - FIELD_B[f] + FIELD_B[f] * (ln / avg[f]))
                for ln in lengths[f]
            ]
            for f in FIELD_WEIGHTS
        }
        pseudo: dict[str, dict[int, float]] = defaultdict(dict)
        for field, postings in per_field.items():
            fnorm = norms[field]
            for term, plist in postings.items():
                acc = pseudo[term]
                for i, tf in plist:
                    acc[i] = acc.get(i, 0.0) + tf * fnorm[i]
        self._postings: dict[str, dict[int, float]] = {}
        for term, tfs in pseudo.items():
            df = len(tfs)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            self._postings[term] = {i: idf * t * (K1 + 1.0) / (t + K1) for i, t in tfs.items()}

    def _build_pinyin(self) -> None:
        self._py_full: list[tuple[str, ...]] = []
        self._py_init: list[tuple[str, ...]] = []
        grams: dict[str, set[int]] = defaultdict(set)
        for i in range(len(self.docs)):
            labels = (self._names[i], *self._aliases[i])
            forms = [_pinyin_forms(label) for label in labels]
            full = tuple(f for f, _ in forms)
            init = tuple(s for _, s in forms)
            self._py_full.append(full)
            self._py_init.append(init)
            for s in full:
                for j in range(len(s) - 2):
                    grams[s[j : j + 3]].add(i)
            for s in init:
                for j in range(len(s) - 1):
                    grams[s[j : j + 2]].add(i)
                for j in range(len(s) - 2):
                    grams[s[j : j + 3]].add(i)
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

        A blank ``q`` lists the documents that pass the filters in name order (score 0).
        """
        allowed = self._allowed(department, applicant_type, theme, online_only)
        if limit <= 0 or (allowed is not None and not allowed):
            return []
        text = normalize(q or "")
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

        best = max(scores.values(), default=0.0)
        ref = best if best > 0 else PINYIN_ONLY_BASE
        boosts = self._name_boosts(query, scores.keys())
        if query.pinyin:
            for i, b in self._pinyin_boosts(query.pinyin).items():
                if allowed is None or i in allowed:
                    boosts[i] = max(boosts.get(i, 0.0), b)
        for i, b in boosts.items():
            scores[i] += b * ref

        top = heapq.nsmallest(
            limit,
            ((-s, len(self._names[i]), self._codes[i], i) for i, s in scores.items() if s > 0),
        )
        return [Hit(self._codes[i], self.docs[i].kind, round(-neg, 4)) for neg, _, _, i in top]

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

        cleaned = text
        for phrase in STOP_PHRASES:
            if phrase in cleaned:
                cleaned = cleaned.replace(phrase, " ")
        terms: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if weight > terms.get(term, 0.0):
                terms[term] = weight

        core_parts: list[str] = []
        runs: list[list[tuple[str, bool]]] = [[]]  # runs of (token, weak) between stop words
        for tok in _cut(cleaned):
            if not tok.strip() or tok in STOP_WORDS or not (_CJK_RE.search(tok) or tok.isalnum()):
                if runs[-1]:
                    runs.append([])
                continue
            weak = tok in WEAK_WORDS
            runs[-1].append((tok, weak))
            factor = W_WEAK if weak else 1.0
            if _CJK_RE.fullmatch(tok):
                if len(tok) >= 2:
                    add("w:" + tok, W_WORD * factor)
                    for sub in _words_of(tok):
                        add("w:" + sub, W_SUBWORD * (W_WEAK if sub in WEAK_WORDS else factor))
            else:
                for word in _ALNUM_RE.findall(tok):
                    add("w:" + word, W_WORD)
            if not weak:
                core_parts.append(tok)
        for run in runs:
            joined = "".join(tok for tok, _ in run)
            for seg in _CJK_RE.findall(joined):
                for bg in _bigrams(seg):
                    add("b:" + bg, W_BIGRAM * (W_WEAK if bg in WEAK_WORDS else 1.0))
            sylls = _syllables(joined) if _CJK_RE.search(joined) else []
            for a, b in itertools.pairwise(sylls):
                add(f"y:{a}|{b}", W_SOUND)

        # Synonyms: matched on the query text as typed (退休了) and with the stop words taken out
        # (开个饭店 → 开饭店).
        expansions: list[str] = []
        compact = text.replace(" ", "")
        content = "".join(tok for run in runs for tok, _ in run)
        for key, values in self._synonyms:
            if key in compact or key in content:
                for v in values:
                    if v not in expansions:
                        expansions.append(v)
        for phrase in expansions:
            for term, _count in _text_terms(phrase):
                base = W_BIGRAM if term.startswith("b:") else W_WORD
                add(term, base * W_SYNONYM)

        core = "".join(core_parts)
        return _Query(
            text=_SPACES_RE.sub(" ", cleaned).strip(),
            core=core,
            terms=terms,
            expansions=expansions,
            pinyin=pinyin,
        )

    def _name_boosts(self, query: _Query, candidates: Iterable[int]) -> dict[int, float]:
        probes: list[tuple[str, float]] = []
        if len(query.core) >= 2:
            probes.append((query.core, 1.0))
        probes.extend((e, BOOST_SYNONYM) for e in query.expansions if len(e) >= 2)
        compact = query.text.replace(" ", "")
        out: dict[int, float] = {}
        for i in candidates:
            best = 0.0
            labels = ((self._names[i], 1.0), *((a, BOOST_ALIAS) for a in self._aliases[i]))
            for label, lf in labels:
                if len(label) >= 2 and label in compact:
                    best = max(best, BOOST_NAME_IN_QUERY * lf)
                for probe, pf in probes:
                    if probe == label:
                        b = BOOST_EXACT
                    elif label.startswith(probe):
                        b = BOOST_PREFIX
                    elif probe in label:
                        b = BOOST_CONTAINS
                    else:
                        continue
                    best = max(best, b * lf * pf)
            if best:
                out[i] = best
        return out

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
        for i in cands:
            best = 0.0
            for forms, kind_factor in ((self._py_full[i], 1.0), (self._py_init[i], 0.9)):
                for k, form in enumerate(forms):
                    if letters not in form:
                        continue
                    lf = 1.0 if k == 0 else BOOST_ALIAS
                    if form == letters:
                        b = BOOST_EXACT
                    elif form.startswith(letters):
                        b = BOOST_PREFIX
                    else:
                        b = BOOST_CONTAINS
                    # closer (shorter) matches first among equals
                    b *= 0.75 + 0.25 * n / len(form)
                    best = max(best, b * lf * kind_factor * BOOST_PINYIN)
            if best:
                out[i] = best
        return out


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
    channels = set(item.get("channels") or [])
    return int(item.get("online_depth") or 0) >= 3 and bool(channels & {"online", "mobile"})


def docs_from_catalog(
    doc: Mapping[str, Any], department_names: Mapping[str, str]
) -> list[SearchDoc]:
    """Search documents for the items and bundles of a catalog file (docs/catalog-format.md).

    ``online`` means 网上申报 at least (网办深度 ≥ 3 through the online or mobile channel); a bundle
    is online when all of its members in the file are. A bundle's ``extra`` holds its members'
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
