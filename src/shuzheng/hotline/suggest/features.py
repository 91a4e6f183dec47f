"""Text → features, the same at training and at suggestion time.

Features are jieba words (``w:停水``; the gazetteer's names and a few hotline words added to our
own jieba dictionary, not jieba's process-wide one) and character 1–3-grams of each run of
Chinese characters or letters (``c:冇水``), which carry colloquial and Cantonese wording jieba
does not know (冇水, 咁嘈, 走鬼). Digits are folded to 0 (one for one).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

import jieba

# hotline words jieba would split (or glue to a neighbour)
DOMAIN_WORDS = (
    "冇水",
    "冇电",
    "停水",
    "停电",
    "水浸",
    "爆管",
    "社保卡",
    "医保卡",
    "公积金",
    "高龄津贴",
    "长者饭堂",
    "占道经营",
    "走鬼",
    "违建",
    "泥头车",
    "夜间施工",
    "广场舞",
    "网约车",
    "预付卡",
    "会员卡",
    "残疾证",
    "不动产",
    "房产证",
    "港澳通行证",
    "粤省事",
    "粤商通",
    "低保",
    "欠薪",
    "电梯",
    "困梯",
    "路灯",
    "井盖",
    "排污",
    "偷排",
    "电鱼",
    "病死猪",
    "黑诊所",
    "骗保",
    "套刷",
    "学位",
    "培训机构",
    "个税",
    "契税",
    "车船税",
    "充电桩",
    "电线杆",
    "消防通道",
    "烟花爆竹",
)

_RUN = re.compile(r"[\u3400-\u9fffa-z]+")
_DIGITS = str.maketrans("123456789", "000000000")
_lock = threading.Lock()
_tokenizer: Any = None


def normalise(text: str) -> str:
    # one character for one: positions in the normalised text are positions in the NFKC text
    return unicodedata.normalize("NFKC", text).lower().translate(_DIGITS)


def _jieba() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from shuzheng.hotline.suggest.places import gazetteer

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for w in (*DOMAIN_WORDS, *(n.text for n in gazetteer().names)):
                    if len(w) >= 2 and not tk.FREQ.get(w):
                        tk.add_word(w)
                _tokenizer = tk
    return _tokenizer


@lru_cache(maxsize=4096)
def _cut(norm: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(norm, HMM=False))


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """The features of ``text`` (repeated as often as they occur)."""
    norm = normalise(text)
    out: list[str] = []
    for w in _cut(norm):
        if _RUN.fullmatch(w) and (len(w) > 1 or "\u3400" <= w <= "\u9fff"):
            out.append("w:" + w)
    for run in _RUN.findall(norm):
        n = len(run)
        for size in (1, 2, 3):
            for i in range(n - size + 1):
                out.append("c:" + run[i : i + size])
    return tuple(out)


def clear_caches() -> None:
    _cut.cache_clear()
    tokens.cache_clear()
    word_spans.cache_clear()


def surface(feature: str) -> str:
    """The words of the text a feature stands for (``w:停水`` → ``停水``)."""
    return feature[2:]


STOP = frozenset("的了在还是我你他她就都也和有啊呀吗呢嘅咗喺系佢又好个一这那么")


@lru_cache(maxsize=1024)
def word_spans(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The normalised text and its jieba words with their positions, each word as the text
    wrote it (what ``why`` names)."""
    norm = normalise(text)
    shown = unicodedata.normalize("NFKC", text)
    if len(shown) != len(norm):
        shown = norm
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for w in _cut(norm):
        if _RUN.fullmatch(w) and w not in STOP:
            spans.append((pos, pos + len(w), shown[pos : pos + len(w)]))
        pos += len(w)
    return norm, tuple(spans)
