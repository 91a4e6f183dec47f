"""Portal pages of the catalog: search, browse, 办事指南 with 智能导办, and the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shuzheng.catalog import forms, selectors
from shuzheng.catalog.spec import (
    CHANNELS,
    ENTERPRISE_THEMES,
    EXERCISE_LEVELS,
    MATERIAL_FORMS,
    ONLINE_DEPTHS,
    PERSON_THEMES,
)
from shuzheng.core.errors import NotFound

# --- extension point: notes that higher modules add to an item's guide page --------------------

GuidePanel = Callable[[HttpRequest, str], str]
"""``(request, item code) -> HTML`` (empty string: nothing to add)."""

GUIDE_PANELS: list[GuidePanel] = []


def register_guide_panel(panel: GuidePanel) -> None:
    """Add a note to the 办事指南 page without this module importing the one that writes it
    (免申即享 sits above the catalog); ``shuzheng/urls.py`` wires them."""
    if panel not in GUIDE_PANELS:
        GUIDE_PANELS.append(panel)


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    return {
        "q": g.get("q", "").strip()[:100],
        "department": g.get("department", "").strip()[:32],
        "applicant_type": g.get("applicant_type", "")
        if g.get("applicant_type") in ("person", "enterprise")
        else "",
        "theme": g.get("theme", "") if g.get("theme") in PERSON_THEMES + ENTERPRISE_THEMES else "",
        "online": g.get("online") == "1",
    }


def search(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    results: list[dict[str, Any]] = []
    names = selectors.department_names()
    if f["q"] or f["department"] or f["applicant_type"] or f["theme"] or f["online"]:
        hits = selectors.search(
            q=f["q"],
            department=f["department"] or None,
            applicant_type=f["applicant_type"] or None,
            theme=f["theme"] or None,
            online_only=f["online"],
            limit=50,
        )
        item_codes = [c for c, k, _ in hits if k == "item"]
        items = {i.code: i for i in selectors.item_views(item_codes)}
        bundles = {b.code: b for b in selectors.bundle_list()}
        for code, kind, _score in hits:
            if kind == "item" and code in items:
                results.append({"kind": "item", "view": items[code]})
            elif kind == "bundle" and code in bundles:
                results.append({"kind": "bundle", "view": bundles[code]})
    return render(
        request,
        "catalog/search.html",
        {
            "f": f,
            "results": results,
            "departments": sorted(names.items(), key=lambda kv: kv[0]),
            "person_themes": PERSON_THEMES,
            "enterprise_themes": ENTERPRISE_THEMES,
            "searched": any(f.values()),
        },
    )


def departments(request: HttpRequest) -> HttpResponse:
    counts: dict[str, int] = {}
    for i in selectors.current_items().values_list("department_code", flat=True):
        counts[i] = counts.get(i, 0) + 1
    names = selectors.department_names()
    rows = [(code, names.get(code, code), n) for code, n in sorted(counts.items())]
    return render(request, "catalog/departments.html", {"rows": rows})


def _answers(request: HttpRequest, questions: list[dict[str, Any]]) -> dict[str, str]:
    return {q["code"]: request.GET[q["code"]] for q in questions if request.GET.get(q["code"])}


def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.item_detail(code)
    except NotFound:
        raise Http404("未找到该事项") from None
    questions = item.spec.get("questions", [])
    answers = _answers(request, questions)
    guide = selectors.guide_for(item, answers) if answers else None
    return render(
        request,
        "catalog/item.html",
        {
            "item": item,
            "spec": item.spec,
            "questions": questions,
            "answers": answers,
            "guide": guide,
            "materials": guide.materials if guide else item.materials,
            "situational": {
                m for s in item.spec.get("situations", []) for m in s.get("add_materials", [])
            },
            "situations": {s["code"]: s for s in item.spec.get("situations", [])},
            "channels": [CHANNELS[c] for c in item.spec.get("channels", [])],
            "level_name": EXERCISE_LEVELS.get(item.exercise_level, ""),
            "depth_name": ONLINE_DEPTHS.get(item.online_depth, ""),
            "material_forms": MATERIAL_FORMS,
            "panels": [html for panel in GUIDE_PANELS if (html := panel(request, item.code))],
            # the situation goes on into the application form (a plain link, no JavaScript)
            "apply_query": urlencode(guide.answers) if guide else "",
        },
    )


def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        bundle = selectors.bundle_detail(code)
    except NotFound:
        raise Http404("未找到该一件事") from None
    answers = _answers(request, bundle.questions)
    guide = selectors.bundle_guide(code, answers) if answers else None
    names = {m.code: m.name for m in bundle.members}
    return render(
        request,
        "catalog/bundle.html",
        {
            "bundle": bundle,
            "questions": bundle.questions,
            "answers": answers,
            "guide": guide,
            "materials": guide.materials if guide else bundle.materials,
            "member_names": names,
            "excluded": set(guide.excluded_items) if guide else set(),
            "material_forms": MATERIAL_FORMS,
            "all_count": len(bundle.materials),
            # the situation goes on into the application form (a plain link, no JavaScript)
            "apply_query": urlencode(guide.answers) if guide else "",
        },
    )


@require_http_methods(["GET", "POST"])
def item_form(request: HttpRequest, code: str) -> HttpResponse:
    """The item's form, rendered and validated on the server (submission arrives with cases)."""
    try:
        item = selectors.item_detail(code)
    except NotFound:
        raise Http404("未找到该事项") from None
    schema = item.form_schema
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    valid = False
    if request.method == "POST":
        values = forms.coerce(schema, request.POST)
        errors = forms.validate_form(schema, values)
        valid = not errors
    fields = forms.field_views(schema, values, errors)
    status = 422 if errors else 200
    return render(
        request,
        "catalog/form.html",
        {"item": item, "fields": fields, "valid": valid, "errors": errors},
        status=status,
    )
