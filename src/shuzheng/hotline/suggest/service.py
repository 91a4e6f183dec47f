"""派单建议: the departments, 诉求类型, category and place suggested for a ticket's text.

``suggest`` scores the text with the trained model (model.py), adds up the category
probabilities of each department, and names each department at the most local level the data
has for that place: a 镇街 matter (a street light in a 镇) goes to that 镇街's 办事处/镇政府, a
区县 matter to the 区县 department of the same function (``441203-CGJ`` for ``441200-CGJ``),
when identity has one; otherwise to the city department.

Department names come from identity (``identity.facade.departments``) at run time; the table
``data/departments.json`` is the fallback (a database without the demo data, the benchmark).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shuzheng.hotline.suggest.contracts import (
    LEVEL_CITY,
    LEVEL_COUNTY,
    LEVEL_TOWN,
    CategorySuggestion,
    DepartmentSuggestion,
    Place,
    Suggestion,
    TypeSuggestion,
)
from shuzheng.hotline.suggest.features import surface, word_spans
from shuzheng.hotline.suggest.model import Model, load, softmax
from shuzheng.hotline.suggest.places import parse_place

DATA = Path(__file__).resolve().parent / "data"
MAX_TEXT = 2000  # characters of the text that are scored
WHY_WORDS = 5


@dataclass(frozen=True)
class DeptRow:
    code: str
    name: str
    short_name: str
    level: int
    region_code: str


@dataclass(frozen=True)
class Function:
    """One of the 22 departments 12345 dispatches to (departments.json)."""

    code: str
    name: str
    short_name: str
    local_suffix: str


@dataclass(frozen=True)
class Category:
    code: str
    path: tuple[str, ...]
    dept: str
    local: str | None
    keywords: tuple[str, ...]


@lru_cache(maxsize=1)
def functions() -> tuple[Function, ...]:
    doc = json.loads((DATA / "departments.json").read_text("utf-8"))
    return tuple(Function(**d) for d in doc["departments"])


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    doc = json.loads((DATA / "categories.json").read_text("utf-8"))
    return {
        c["code"]: Category(
            c["code"], tuple(c["path"]), c["dept"], c["local"], tuple(c["keywords"])
        )
        for c in doc["categories"]
    }


def fallback_directory() -> Sequence[DeptRow]:
    """The 22 city departments as departments.json names them."""
    return [DeptRow(f.code, f.name, f.short_name, LEVEL_CITY, "441200") for f in functions()]


def _short(name: str) -> str:
    return name.removeprefix("国家税务总局").removeprefix("肇庆市")


def identity_directory() -> Sequence[DeptRow]:
    """Every department identity knows (cached there per process)."""
    from shuzheng.identity import facade as identity

    return [
        DeptRow(
            d.code,
            d.name,
            str(getattr(d, "short_name", "") or _short(d.name)),
            d.level,
            d.region_code,
        )
        for d in identity.departments()
    ]


class Suggester:
    """Suggestions from one model and one department directory."""

    def __init__(
        self,
        model: Callable[[], Model] = load,
        directory: Callable[[], Sequence[DeptRow]] = identity_directory,
    ) -> None:
        self._model = model
        self._directory = directory

    def suggest(self, *, text: str, address: str | None = None, k: int = 3) -> Suggestion:
        text = (text or "").strip()
        if not text:
            raise ValueError("诉求内容不能为空。")
        k = max(1, min(k, len(functions())))
        model = self._model()
        scored = f"{address} {text}" if address else text
        x = model.vector(scored[:MAX_TEXT])
        cat_head, type_head = model.heads["category"], model.heads["type"]
        cat_p = softmax(cat_head.scores(x))
        cats = categories()
        by_dept: dict[str, float] = {}
        best_cat: dict[str, int] = {}
        for i, (code, p) in enumerate(zip(cat_head.classes, cat_p, strict=True)):
            dept = cats[code].dept
            by_dept[dept] = by_dept.get(dept, 0.0) + p
            if dept not in best_cat or p > cat_p[best_cat[dept]]:
                best_cat[dept] = i
        for f in functions():  # a department the model never saw still gets a place
            by_dept.setdefault(f.code, 0.0)
        ranked = sorted(by_dept, key=lambda d: (-by_dept[d], d))[:k]
        place = parse_place(text, address)
        rows = self._directory()
        shown = {best_cat[c] for c in ranked if c in best_cat}
        contributions = cat_head.contributions(x, shown)
        departments = tuple(
            self._department(
                code,
                by_dept[code],
                self._why(model, contributions.get(best_cat.get(code, -1)), scored[:MAX_TEXT]),
                cats[cat_head.classes[best_cat[code]]] if code in best_cat else None,
                place,
                rows,
            )
            for code in ranked
        )
        top_cat = best_cat.get(ranked[0])
        if top_cat is None:
            top_cat = max(range(len(cat_p)), key=cat_p.__getitem__)
        category = cats[cat_head.classes[top_cat]]
        type_p = softmax(type_head.scores(x))
        types = tuple(
            sorted(
                (
                    TypeSuggestion(n, round(p, 4))
                    for n, p in zip(type_head.classes, type_p, strict=True)
                ),
                key=lambda t: -t.score,
            )
        )
        return Suggestion(
            departments=departments,
            type=types[0],
            types=types,
            category=CategorySuggestion(category.code, category.path, round(cat_p[top_cat], 4)),
            place=place,
            model_version=model.version,
        )

    @staticmethod
    def _why(model: Model, contributions: dict[int, float] | None, text: str) -> tuple[str, ...]:
        """The words of the text that pushed a category up most: each feature's contribution is
        shared among the jieba words it overlaps, so a character n-gram across two words
        (“工地还”) counts for 工地 and 还, and the strongest words are named."""
        if not contributions:
            return ()
        norm, spans = word_spans(text)
        by_word: dict[str, float] = {}
        for f, v in contributions.items():
            if v <= 0:
                continue
            feature = model.features[f]
            piece = surface(feature)
            if feature.startswith("w:"):
                for s, e, w in spans:
                    if norm[s:e] == piece:
                        by_word[w] = by_word.get(w, 0.0) + v
                        break
                continue
            starts = []
            at = norm.find(piece)
            while at >= 0:
                starts.append(at)
                at = norm.find(piece, at + 1)
            for start in starts:
                end = start + len(piece)
                hit = [w for s, e, w in spans if s < end and start < e]
                for w in hit:
                    by_word[w] = by_word.get(w, 0.0) + v / len(hit) / len(starts)
        ranked = sorted(by_word, key=lambda w: (-by_word[w], -len(w), w))
        return tuple(ranked[:WHY_WORDS])

    @staticmethod
    def _department(
        code: str,
        score: float,
        why: tuple[str, ...],
        category: Category | None,
        place: Place,
        rows: Sequence[DeptRow],
    ) -> DepartmentSuggestion:
        function = next(f for f in functions() if f.code == code)
        local = category.local if category else None
        chosen: DeptRow | None = None
        if local == "town" and place.town_code:
            chosen = next((r for r in rows if r.region_code == place.town_code), None)
        if chosen is None and local in ("town", "county") and place.county_code:
            wanted = f"{place.county_code}-{function.local_suffix}"
            chosen = next((r for r in rows if r.code == wanted), None)
        if chosen is None:
            chosen = next((r for r in rows if r.code == code), None) or next(
                (r for r in rows if r.name == function.name), None
            )
        if chosen is None:
            chosen = DeptRow(code, function.name, function.short_name, LEVEL_CITY, "441200")
        level = (
            chosen.level if chosen.level in (LEVEL_CITY, LEVEL_COUNTY, LEVEL_TOWN) else LEVEL_CITY
        )
        short = function.short_name if level == LEVEL_CITY else chosen.short_name
        return DepartmentSuggestion(
            code=chosen.code,
            name=chosen.name,
            short_name=short,
            score=round(score, 4),
            why=why,
            level=level,
            function_code=code,
        )


_default = Suggester()


def suggest(*, text: str, address: str | None = None, k: int = 3) -> Suggestion:
    """The top ``k`` departments (with scores and the words that drove them), the 诉求类型, the
    category and the place for a ticket's text and optional address. Raises ``ValueError`` for
    an empty text."""
    return _default.suggest(text=text, address=address, k=k)
