"""派单建议 (dispatch suggestion) for 12345 tickets: see README.md beside this file."""

from shuzheng.hotline.suggest.contracts import (
    TYPES,
    CategorySuggestion,
    DepartmentSuggestion,
    Place,
    Suggestion,
    TypeSuggestion,
)
from shuzheng.hotline.suggest.places import parse_place
from shuzheng.hotline.suggest.service import Suggester, suggest

__all__ = [
    "TYPES",
    "CategorySuggestion",
    "DepartmentSuggestion",
    "Place",
    "Suggester",
    "Suggestion",
    "TypeSuggestion",
    "parse_place",
    "suggest",
]
