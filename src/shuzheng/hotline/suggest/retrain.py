"""Retraining from the generated corpus plus the operators' confirmed dispatches.

A confirmed dispatch is a ticket's text (and address), the department the operator sent it to
(a city department of departments.json, or a 区县/镇街 one whose function is found from its
code suffix, e.g. ``441203-CGJ`` → ``441200-CGJ``), and optionally its 诉求类型 and category.
Where the category is not one of categories.json, the department's category the current model
finds likeliest for the text is used; where the type is missing, the model's.

Confirmed dispatches come from ``shuzheng.hotline.facade.confirmed_dispatches()`` when the
engine provides it (an iterable of mappings or objects with those fields), and from JSONL files.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shuzheng.hotline.suggest.contracts import TYPES
from shuzheng.hotline.suggest.model import Model, softmax
from shuzheng.hotline.suggest.service import categories, functions
from shuzheng.hotline.suggest.train import Example

FACADE = "shuzheng.hotline.facade"


@dataclass(frozen=True)
class Gathered:
    examples: list[Example]
    skipped: int  # a department the suggestion does not know, or no text


def facade_dispatches() -> list[Any] | None:
    """The engine's confirmed dispatches, or None when it has no such function yet."""
    try:
        facade = importlib.import_module(FACADE)
    except ImportError:
        return None
    fn = getattr(facade, "confirmed_dispatches", None)
    return None if fn is None else list(fn())


def _field(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def function_of(code: str) -> str | None:
    """The city department (departments.json) whose function a department code has."""
    funcs = functions()
    if any(f.code == code for f in funcs):
        return code
    suffix = code.rpartition("-")[2]
    return next((f.code for f in funcs if f.local_suffix == suffix), None)


def to_examples(rows: Iterable[Any], model: Model) -> Gathered:
    cats = categories()
    head = model.heads["category"]
    examples: list[Example] = []
    skipped = 0
    for row in rows:
        text = str(_field(row, "text") or "").strip()
        dept = function_of(str(_field(row, "department") or ""))
        if not text or dept is None:
            skipped += 1
            continue
        address = _field(row, "address") or None
        full = f"{address} {text}" if address else text
        category = str(_field(row, "category") or "")
        if cats.get(category) is None or cats[category].dept != dept:
            p = softmax(head.scores(model.vector(full)))
            own = [i for i, c in enumerate(head.classes) if cats[c].dept == dept]
            category = head.classes[max(own, key=p.__getitem__)] if own else ""
            if not category:
                skipped += 1
                continue
        ttype = str(_field(row, "type") or "")
        if ttype not in TYPES:
            t = model.heads["type"]
            pt = softmax(t.scores(model.vector(full)))
            ttype = t.classes[max(range(len(pt)), key=pt.__getitem__)]
        examples.append(Example(text, category, ttype, address))
    return Gathered(examples, skipped)
