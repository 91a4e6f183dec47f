"""The 诉求分类 tree as every request reads it: each category by id and by code with its path,
kept in this process while the tree is unchanged (``core.cache``: its writers —
``services.categories`` and the admin — ``bump(CATEGORIES_CACHE)`` in their transaction). The
intake, the suggestion and every ticket read name a category and its parents with one version
check instead of a query per row and level."""

from __future__ import annotations

from dataclasses import dataclass

from shuzheng.core.cache import Memo
from shuzheng.hotline.models import Category

CATEGORIES_CACHE = "hotline.categories"


@dataclass(frozen=True)
class Node:
    pk: int
    code: str
    name: str
    parent_id: int | None
    level: int
    active: bool


@dataclass(frozen=True)
class Tree:
    by_id: dict[int, Node]
    by_code: dict[str, Node]

    def path(self, pk: int | None) -> list[Node]:
        """The category and its ancestors, the root first ([] for none or an unknown id)."""
        out: list[Node] = []
        node = self.by_id.get(pk) if pk is not None else None
        while node is not None:
            out.insert(0, node)
            node = self.by_id.get(node.parent_id) if node.parent_id is not None else None
        return out


_memo: Memo[str, Tree] = Memo(CATEGORIES_CACHE, maxsize=1)


def _build() -> Tree:
    nodes = [
        Node(c.pk, c.code, c.name, c.parent_id, c.level, c.active)
        for c in Category.objects.order_by("code")
    ]
    return Tree({n.pk: n for n in nodes}, {n.code: n for n in nodes})


def tree() -> Tree:
    return _memo.get("tree", _build)
