"""Objects of one module linked to an object of another, without either importing the other
(a small registry below every module, like ``core.metrics_registry``).

Two kinds of provider, registered in an ``AppConfig.ready`` by the module that knows:

- **related**: ``(object id) -> [Linked]`` — what is linked to an object of ``kind`` (e.g. the
  城市管理事件 made from a 12345 ticket: ``governance`` registers it for ``"hotline.ticket"``).
  The page asking has already decided that its reader may see the object; a provider answers
  only what anyone who sees the object may read (number, status, outcome in words);
- **actions**: ``(request, object id) -> [LinkAction]`` — buttons a page may offer on the
  object (``workbench``, above both modules, offers 转为城市管理事件 on a 12345 ticket to the
  center); the provider decides who sees them.

Pages render both with ``{% load links %}{% linked_objects "hotline.ticket" number %}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Linked:
    kind_label: str  # e.g. 城市管理事件
    number: str
    status_label: str
    outcome: str = ""  # what was done, once done
    url: str = ""  # the object's page for staff ("" when none)
    done: bool = False


@dataclass(frozen=True)
class LinkAction:
    label: str
    url: str  # POSTed by a plain form
    testid: str = ""


Related = Callable[[str], list[Linked]]
Actions = Callable[[Any, str], list[LinkAction]]

_RELATED: dict[str, dict[str, Related]] = {}
_ACTIONS: dict[str, dict[str, Actions]] = {}


def register_related(kind: str, key: str, provider: Related) -> None:
    """Register (or replace: ``ready`` may run twice in tests) ``key``'s provider for ``kind``."""
    _RELATED.setdefault(kind, {})[key] = provider


def register_actions(kind: str, key: str, provider: Actions) -> None:
    _ACTIONS.setdefault(kind, {})[key] = provider


def related(kind: str, object_id: str) -> list[Linked]:
    out: list[Linked] = []
    for _, provider in sorted(_RELATED.get(kind, {}).items()):
        out.extend(provider(object_id))
    return out


def actions(kind: str, request: Any, object_id: str) -> list[LinkAction]:
    out: list[LinkAction] = []
    for _, provider in sorted(_ACTIONS.get(kind, {}).items()):
        out.extend(provider(request, object_id))
    return out
