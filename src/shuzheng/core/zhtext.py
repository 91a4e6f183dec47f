"""Chinese text primitives shared by the searches (catalog 事项 search, knowledge 知识库 search).

Pure Python, no Django: normalisation (NFKC, lower case, traditional → simplified through
OpenCC, spaces collapsed), a private jieba tokenizer with its own added-words set, dictionary
sub-words and character bigrams. Each search keeps its own stop words, synonyms, pinyin and
scoring; each owns one :class:`JiebaDictionary`, so words added by one never change the other's
segmentation.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "ALNUM_RE",
    "CJK_RE",
    "SPACES_RE",
    "JiebaDictionary",
    "bigrams",
    "normalize",
    "remove_phrases",
    "split_runs",
    "subwords",
    "t2s",
]

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ALNUM_RE = re.compile(r"[a-z0-9]+")
SPACES_RE = re.compile(r"\s+")

_t2s_lock = threading.Lock()
_t2s_state: dict[str, Any] = {}


def t2s() -> tuple[frozenset[str], Callable[[str], str]]:
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


@lru_cache(maxsize=131072)
def normalize(text: str) -> str:
    """Full-width → half-width, lower case, traditional → simplified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    chars, convert = t2s()
    if not chars.isdisjoint(text):
        text = convert(text)
    return SPACES_RE.sub(" ", text).strip()


class JiebaDictionary:
    """A private jieba tokenizer (not jieba's process-wide default), initialised once, quietly,
    plus the domain words added to it (Chinese words of 2 to ``max_word_len`` characters)."""

    def __init__(self, max_word_len: int) -> None:
        self.max_word_len = max_word_len
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._added: set[str] = set()

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tk = jieba.Tokenizer()
                    tk.initialize()
                    self._tokenizer = tk
        return self._tokenizer

    def add_words(self, words: Iterable[str]) -> bool:
        """Add words so they stay whole; True when there were new ones (memoised cuts are stale)."""
        tk = self.tokenizer()
        new = [
            w
            for w in words
            if 2 <= len(w) <= self.max_word_len and w not in self._added and CJK_RE.fullmatch(w)
        ]
        if not new:
            return False
        with self._lock:
            for w in new:
                if w in self._added:
                    continue
                self._added.add(w)
                if not tk.FREQ.get(w):
                    tk.add_word(w)
        return True

    def reset(self) -> None:
        """Forget the tokenizer and every added word: the next use starts from the default."""
        with self._lock:
            self._tokenizer = None
            self._added.clear()


def subwords(token: str, freq: Any, stop_words: Collection[str]) -> tuple[str, ...]:
    """Dictionary sub-words (length ≥ 2, not stop words) of a longer Chinese word, longest first."""
    if len(token) <= 2 or not CJK_RE.fullmatch(token):
        return ()
    n = len(token)
    out = [
        token[i : i + size]
        for size in range(n - 1, 1, -1)
        for i in range(n - size + 1)
        if freq.get(token[i : i + size]) and token[i : i + size] not in stop_words
    ]
    return tuple(dict.fromkeys(out))


def bigrams(run: str) -> list[str]:
    """Character bigrams of a run of text."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def remove_phrases(text: str, phrases: Iterable[str]) -> str:
    """Replace each phrase (in the order given: longest first) by a space."""
    for phrase in phrases:
        if phrase in text:
            text = text.replace(phrase, " ")
    return text


def split_runs(tokens: Iterable[str], stop_words: Collection[str]) -> list[list[str]]:
    """Tokens split into runs at stop words, blanks and punctuation (the last run may be empty)."""
    runs: list[list[str]] = [[]]
    for tok in tokens:
        if not tok.strip() or tok in stop_words or not (CJK_RE.search(tok) or tok.isalnum()):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(tok)
    return runs
