"""Modules above the 公文 library add "related" items to a document (Open Forms' registry):
``supervision`` registers the tasks of the plan a document is, so a search for 秒享 shows the
task it belongs to. A provider is ``(principal, title, words) -> [RelatedItem]``; it scopes
what it returns to the caller itself."""

from __future__ import annotations

from collections.abc import Callable

from shuzheng.documents.contracts import RelatedItem
from shuzheng.identity.contracts import Principal

Provider = Callable[[Principal, str, str], list[RelatedItem]]
_PROVIDERS: dict[str, Provider] = {}


def register_related(name: str, provider: Provider) -> None:
    _PROVIDERS[name] = provider


def related_items(principal: Principal, title: str, words: str) -> list[RelatedItem]:
    out: list[RelatedItem] = []
    for provider in _PROVIDERS.values():
        out.extend(provider(principal, title, words))
    return out
