"""Plain dataclasses the facade hands to other modules (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemRef:
    """A catalog item an article concerns (its name as when the article was saved)."""

    code: str
    name: str


@dataclass(frozen=True)
class ArticleHit:
    """One search result for the operator console: what to read out, and why it was found."""

    id: int
    title: str
    excerpt: str  # the start of the answer
    department_code: str
    department_name: str
    items: tuple[ItemRef, ...]
    score: float
    matched_words: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """A 知识条目 as other modules and the pages see it."""

    id: int
    title: str
    questions: tuple[str, ...]
    answer: str
    department_code: str
    department_name: str
    items: tuple[ItemRef, ...]
    category: str
    category_name: str
    tags: tuple[str, ...]
    status: str
    status_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    version: int
    uses: int
    review_note: str = ""


@dataclass(frozen=True)
class ArticleInput:
    """What an author writes. ``questions`` and ``tags`` may also come as one text (one per
    line; tags separated by commas or spaces); dates as ``YYYY-MM-DD``."""

    title: str = ""
    questions: tuple[str, ...] | str = ()
    answer: str = ""
    department: str = ""
    items: tuple[str, ...] | str = ()
    category: str = ""
    tags: tuple[str, ...] | str = ()
    valid_from: str | dt.date | None = None
    valid_to: str | dt.date | None = None
