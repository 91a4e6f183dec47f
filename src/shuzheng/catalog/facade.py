"""The catalog's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

from typing import Any

from shuzheng.catalog import forms, selectors
from shuzheng.catalog.contracts import BundleView, GuideResult, ItemView, MaterialView
from shuzheng.catalog.spec import ENTERPRISE_THEMES, PERSON_THEMES
from shuzheng.catalog.timelimits import promised_time

__all__ = [
    "ENTERPRISE_THEMES",
    "PERSON_THEMES",
    "BundleView",
    "GuideResult",
    "ItemView",
    "MaterialView",
    "bundle",
    "bundles",
    "form_fields",
    "form_text_problems",
    "guide_for",
    "guide_for_bundle",
    "item",
    "item_version",
    "items_of_theme",
    "promised_time",
    "required_materials",
    "validate_form",
    "warm_up",
]


def required_materials(item_view: ItemView) -> list[MaterialView]:
    """Materials every applicant of this item must provide (situational ones excluded)."""
    return selectors.base_materials(item_view.spec)


def guide_for(item_view: ItemView, answers: dict[str, str]) -> GuideResult:
    """智能导办 on one item version: the situations ``answers`` (question code → option value)
    choose and exactly their materials — added ones required (必需), ones an answer rules out
    left out, ones an unanswered question may still need optional. Unknown questions and
    values that are no option are listed in ``invalid``."""
    return selectors.guide_for(item_view, answers)


def guide_for_bundle(bundle_view: BundleView, answers: dict[str, str]) -> GuideResult:
    """智能导办 on a 一件事: the member items the answers leave out (``excluded_items``), the
    situations chosen in the others and the materials that remain; ``invalid`` as for items."""
    return selectors.guide_for_bundle(bundle_view, answers)


def validate_form(schema: dict[str, Any], raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed form data and field → Chinese message for each problem (empty when valid)."""
    data = forms.coerce(schema, raw)
    return data, forms.validate_form(schema, data)


def form_text_problems(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Problems no form may be stored with, even as a draft (characters that are not text,
    text over the field's length)."""
    return forms.text_problems(schema, data)


def form_fields(
    schema: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    prefill_sources: dict[str, str] | None = None,
) -> list[forms.FieldView]:
    """What ``catalog/_form_fields.html`` renders (pass it as ``fields``): one view per field,
    with its value, error and where a prefilled value came from."""
    return forms.field_views(schema, values, errors, prefill_sources)


def warm_up() -> None:
    """Load the Chinese dictionary and build the search index now (at worker start)."""
    selectors.search_index()


def item(code: str) -> ItemView:
    """The version in force today (raises NotFound)."""
    return selectors.item_detail(code)


def item_version(code: str, version: int) -> ItemView:
    """A specific published (or retired) version — what a case filed under it keeps using."""
    return selectors.item_detail(code, version=version)


def items_of_theme(theme: str, *, applicant_type: str = "person") -> list[ItemView]:
    """The items in force of a theme (生育, 养老 …) for an applicant type, 秒批 ones first,
    then in the catalog's name order."""
    hits = selectors.search(
        q="", theme=theme, applicant_type=applicant_type, kind="item", limit=500
    )
    views = selectors.item_views([code for code, _kind, _score in hits])
    return sorted(views, key=lambda v: not v.instant_approval)


def bundles() -> list[BundleView]:
    """Bundles in force today."""
    return selectors.bundle_list()


def bundle(code: str) -> BundleView:
    return selectors.bundle_detail(code)
