"""The catalog's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

from shuzheng.catalog import selectors
from shuzheng.catalog.contracts import BundleView, GuideResult, ItemView, MaterialView
from shuzheng.catalog.spec import ENTERPRISE_THEMES, PERSON_THEMES

__all__ = [
    "ENTERPRISE_THEMES",
    "PERSON_THEMES",
    "BundleView",
    "GuideResult",
    "ItemView",
    "MaterialView",
    "bundle",
    "bundles",
    "item",
    "item_version",
    "warm_up",
]


def warm_up() -> None:
    """Load the Chinese dictionary and build the search index now (at worker start)."""
    selectors.search_index()


def item(code: str) -> ItemView:
    """The version in force today (raises NotFound)."""
    return selectors.item_detail(code)


def item_version(code: str, version: int) -> ItemView:
    """A specific published (or retired) version — what a case filed under it keeps using."""
    return selectors.item_detail(code, version=version)


def bundles() -> list[BundleView]:
    """Bundles in force today."""
    return selectors.bundle_list()


def bundle(code: str) -> BundleView:
    return selectors.bundle_detail(code)
