"""All reads of the catalog. The catalog is public, so reads need no caller scoping, except
drafts and versions under review, which only administrators see (``include_unpublished``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuzheng.catalog.contracts import BundleMember, BundleView, GuideResult, ItemView, MaterialView
from shuzheng.catalog.forms import ORDER_KEY, ordered_properties
from shuzheng.catalog.models import Bundle, ServiceItem, Status
from shuzheng.catalog.spec import ITEM_TYPES
from shuzheng.core import cache
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.json"


def department_names() -> dict[str, str]:
    return identity.department_names()


def _current(qs: QuerySet[Any], today: dt.date | None = None) -> QuerySet[Any]:
    today = today or timezone.localdate()
    return qs.filter(status=Status.PUBLISHED, effective_from__lte=today).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=today)
    )


def current_items() -> QuerySet[ServiceItem]:
    return _current(ServiceItem.objects.all())


def current_bundles() -> QuerySet[Bundle]:
    return _current(Bundle.objects.all())


def _material_views(spec: dict[str, Any]) -> list[MaterialView]:
    return [
        MaterialView(
            code=m["code"],
            name=m["name"],
            form_kind=m["form_kind"],
            required=m["required"],
            count=m["count"],
            notes=m.get("notes", ""),
            source=m.get("source", ""),
            license_type=m.get("license_type"),
        )
        for m in spec.get("materials", [])
    ]


def item_view(item: ServiceItem, names: dict[str, str] | None = None) -> ItemView:
    names = names if names is not None else department_names()
    spec = item.spec
    return ItemView(
        code=item.code,
        version=item.version,
        status=item.status,
        basic_code=item.basic_code,
        name=item.name,
        aliases=list(spec.get("aliases", [])),
        item_type=item.item_type,
        item_type_name=ITEM_TYPES.get(item.item_type, item.item_type),
        exercise_level=item.exercise_level,
        department=item.department_code,
        department_name=names.get(item.department_code, item.department_code),
        region_code=item.region_code,
        applicant_types=list(item.applicant_types),
        themes=list(item.themes),
        handling_type=item.handling_type,
        statutory_days=item.statutory_days,
        promised_days=item.promised_days,
        online_depth=item.online_depth,
        instant_approval=item.instant_approval,
        effective_from=item.effective_from.isoformat() if item.effective_from else None,
        effective_to=item.effective_to.isoformat() if item.effective_to else None,
        spec=spec,
        materials=_material_views(spec),
    )


def item_detail(
    code: str, *, version: int | None = None, include_unpublished: bool = False
) -> ItemView:
    if not include_unpublished:
        return _published_view(code, version, timezone.localdate())
    return _item_detail(code, version=version, include_unpublished=True)


def _item_detail(
    code: str, *, version: int | None = None, include_unpublished: bool = False
) -> ItemView:
    qs = ServiceItem.objects.filter(code=code)
    if version is not None:
        item = qs.filter(version=version).first()
        if (
            item is not None
            and item.status in (Status.DRAFT, Status.IN_REVIEW)
            and not include_unpublished
        ):
            item = None
    else:
        item = _current(qs).order_by("-version").first()
        if item is None and include_unpublished:
            item = qs.order_by("-version").first()
    if item is None:
        raise NotFound("未找到该事项。")
    return item_view(item)


# The catalog's versions and the departments (item views carry department names), cached per
# process behind their cache versions (``core.cache``): every catalog service bumps ``ITEMS``
# in its transaction, identity bumps the departments', so an edit by any process is seen on
# the next call. Published item views are keyed by (code, version or None, day).
ITEMS = "catalog.items"
_views: cache.Memo[tuple[str, int | None, dt.date], ItemView] = cache.Memo(
    ITEMS, identity.DEPARTMENTS_CACHE, maxsize=5_000
)


def _published_view(code: str, version: int | None, today: dt.date) -> ItemView:
    return _views.get((code, version, today), lambda: _item_detail(code, version=version))


# --- search -----------------------------------------------------------------------------------


# The search index of the versions in force on a day, rebuilt when the catalog or the
# departments change (indexing reads the department names).
_indexes: cache.Memo[dt.date, Any] = cache.Memo(ITEMS, identity.DEPARTMENTS_CACHE, maxsize=2)


def _index() -> Any:
    from shuzheng.catalog.search import SearchIndex, docs_from_catalog

    doc = {
        "items": [dict(i.spec, implementation_code=i.code) for i in current_items()],
        "bundles": [b.spec for b in current_bundles()],
    }
    synonyms = (
        json.loads(SYNONYMS_PATH.read_text(encoding="utf-8")) if SYNONYMS_PATH.exists() else {}
    )
    return SearchIndex(docs_from_catalog(doc, department_names()), synonyms=synonyms)


def search_index() -> Any:
    return _indexes.get(timezone.localdate(), _index)


def search(
    *,
    q: str = "",
    department: str | None = None,
    applicant_type: str | None = None,
    theme: str | None = None,
    online_only: bool = False,
    kind: str | None = None,
    limit: int = 20,
) -> list[tuple[str, str, float]]:
    """(code, kind, score) best first; kind is "item" or "bundle"."""
    # the index filters by department name (what it indexes for search); callers pass codes
    dept_name = department_names().get(department, department) if department else None
    hits = search_index().search(
        q,
        limit=max(limit, 1) * (3 if kind else 1),
        department=dept_name,
        applicant_type=applicant_type or None,
        theme=theme or None,
        online_only=online_only,
    )
    out = [(h.code, h.kind, float(h.score)) for h in hits if kind is None or h.kind == kind]
    return out[:limit]


def item_views(codes: list[str]) -> list[ItemView]:
    names = department_names()
    by_code = {i.code: i for i in current_items().filter(code__in=codes)}
    return [item_view(by_code[c], names) for c in codes if c in by_code]


def item_list(
    *,
    q: str = "",
    department: str | None = None,
    applicant_type: str | None = None,
    theme: str | None = None,
    online_only: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[ItemView], int]:
    if q:
        codes = [
            c
            for c, _, _ in search(
                q=q,
                department=department,
                applicant_type=applicant_type,
                theme=theme,
                online_only=online_only,
                kind="item",
                limit=500,
            )
        ]
        return item_views(codes[offset : offset + limit]), len(codes)
    qs = current_items()
    if department:
        qs = qs.filter(department_code=department)
    if online_only:
        qs = qs.filter(online_depth=4)
    items = list(qs.order_by("code"))
    if applicant_type:
        items = [i for i in items if applicant_type in i.applicant_types]
    if theme:
        items = [i for i in items if theme in i.themes]
    names = department_names()
    return [item_view(i, names) for i in items[offset : offset + limit]], len(items)


# --- bundles ------------------------------------------------------------------------------------


def _dedupe_materials(
    per_item: list[tuple[str, list[MaterialView]]], produced: set[str] | None = None
) -> list[MaterialView]:
    """一套材料: the same document asked by several items is listed once.

    Two materials are the same document when they have the same name and the same e-licence
    type (so the applicant's 户口簿 and the spouse's 户口簿 stay two materials). A licence that
    another member of the bundle issues (``produced``) is not asked of the applicant.
    """
    produced = produced or set()
    merged: dict[str, MaterialView] = {}
    order: list[str] = []
    for item_code, materials in per_item:
        for m in materials:
            if m.license_type and m.license_type in produced:
                continue
            key = f"{m.license_type or ''}|{m.name}"
            if key in merged:
                old = merged[key]
                merged[key] = MaterialView(
                    code=old.code,
                    name=old.name,
                    form_kind=old.form_kind,
                    required=old.required or m.required,
                    count=max(old.count, m.count),
                    notes=old.notes,
                    source=old.source,
                    license_type=old.license_type,
                    items=(*old.items, item_code),
                )
            else:
                merged[key] = MaterialView(
                    code=f"{item_code}/{m.code}",
                    name=m.name,
                    form_kind=m.form_kind,
                    required=m.required,
                    count=m.count,
                    notes=m.notes,
                    source=m.source,
                    license_type=m.license_type,
                    items=(item_code,),
                )
                order.append(key)
    return [merged[k] for k in order]


def merged_form(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """One form for several items: a property shared by several items is asked once."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for schema in schemas:
        for name, prop in ordered_properties(schema):
            props.setdefault(name, prop)
        for name in schema.get("required", []):
            if name not in required:
                required.append(name)
    return {"type": "object", "properties": props, "required": required, ORDER_KEY: list(props)}


def _produced(members: list[ServiceItem]) -> set[str]:
    """Licence types that members of a bundle issue as their result."""
    return {
        str(i.spec["result"]["license_type"])
        for i in members
        if i.spec["result"].get("kind") == "license" and i.spec["result"].get("license_type")
    }


def bundle_view(bundle: Bundle, names: dict[str, str] | None = None) -> BundleView:
    names = names if names is not None else department_names()
    spec = bundle.spec
    items = {i.code: i for i in current_items().filter(code__in=spec["items"])}
    members = [items[c] for c in spec["items"] if c in items]
    return BundleView(
        code=bundle.code,
        version=bundle.version,
        status=bundle.status,
        name=bundle.name,
        aliases=list(spec.get("aliases", [])),
        description=spec.get("description", ""),
        themes=list(bundle.themes),
        applicant_types=list(bundle.applicant_types),
        lead_department=bundle.lead_department_code,
        lead_department_name=names.get(bundle.lead_department_code, bundle.lead_department_code),
        members=[
            BundleMember(
                code=i.code,
                name=i.name,
                department=i.department_code,
                department_name=names.get(i.department_code, i.department_code),
                promised_days=i.promised_days,
                statutory_days=i.statutory_days,
                handling_type=i.handling_type,
            )
            for i in members
        ],
        promised_days=max((i.promised_days for i in members), default=0),
        statutory_days=max((i.statutory_days for i in members), default=0),
        form_schema=merged_form([i.spec["form"]["schema"] for i in members]),
        materials=_dedupe_materials(
            [(i.code, _base_materials(i.spec)) for i in members], produced=_produced(members)
        ),
        questions=list(spec.get("questions", [])),
        effective_from=bundle.effective_from.isoformat() if bundle.effective_from else None,
        spec=spec,
        online=bool(members) and all(i.online_depth == 4 for i in members),
    )


def bundle_detail(code: str, *, include_unpublished: bool = False) -> BundleView:
    qs = Bundle.objects.filter(code=code)
    bundle = _current(qs).order_by("-version").first()
    if bundle is None and include_unpublished:
        bundle = qs.order_by("-version").first()
    if bundle is None:
        raise NotFound("未找到该一件事。")
    return bundle_view(bundle)


def bundle_list(*, theme: str | None = None, applicant_type: str | None = None) -> list[BundleView]:
    names = department_names()
    out = [bundle_view(b, names) for b in current_bundles().order_by("code")]
    if theme:
        out = [b for b in out if theme in b.themes]
    if applicant_type:
        out = [b for b in out if applicant_type in b.applicant_types]
    return out


# --- 导办 (guided materials) ---------------------------------------------------------------------


def _situational(spec: dict[str, Any]) -> set[str]:
    return {m for s in spec.get("situations", []) for m in s.get("add_materials", [])}


def _base_materials(spec: dict[str, Any]) -> list[MaterialView]:
    """Materials every applicant needs (those only some situations add are left out)."""
    situational = _situational(spec)
    return [m for m in _material_views(spec) if m.code not in situational and m.required]


def base_materials(spec: dict[str, Any]) -> list[MaterialView]:
    return _base_materials(spec)


def _item_materials_for(
    spec: dict[str, Any], situations: set[str], decided: set[str] | None = None
) -> list[MaterialView]:
    """The materials of the chosen ``situations``: what they add is required (必需), what they
    remove is dropped. ``decided``: the situations the answers settled (chosen or not) — a
    material only an unchosen, settled situation adds is dropped; one an unsettled situation
    (its question unanswered) may need stays, optional. ``None``: every situation settled."""
    chosen = [s for s in spec.get("situations", []) if s["code"] in situations]
    added = {m for s in chosen for m in s.get("add_materials", [])}
    removed = {m for s in chosen for m in s.get("remove_materials", [])}
    unsettled = {
        m
        for s in spec.get("situations", [])
        if decided is not None and s["code"] not in decided
        for m in s.get("add_materials", [])
    }
    situational = _situational(spec)
    out = []
    for m in _material_views(spec):
        if m.code in removed:
            continue
        if m.code in added:
            out.append(m if m.required else replace(m, required=True))
        elif m.code in unsettled:
            out.append(replace(m, required=False) if m.required else m)
        elif m.code in situational or not m.required:
            if decided is None or m.code in situational:
                continue
            out.append(m)  # optional for everyone (no situation adds it)
        else:
            out.append(m)
    return out


def _answers_to_options(
    questions: list[dict[str, Any]], answers: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    chosen, unanswered = [], []
    for q in questions:
        value = answers.get(q["code"])
        option = next((o for o in q["options"] if o["value"] == value), None)
        if option is None:
            unanswered.append(q["code"])
        else:
            chosen.append(option)
    return chosen, unanswered


def guide_for(item: ItemView, answers: dict[str, str]) -> GuideResult:
    """The 导办 answer for ``answers`` (question code → option value) on one item version:
    the situations chosen and exactly the materials they need. An answer that is not one of
    its question's options counts as unanswered and is listed in ``invalid``."""
    questions = item.spec.get("questions", [])
    chosen, unanswered = _answers_to_options(questions, answers)
    known = {q["code"] for q in questions}
    invalid = [c for c in answers if c not in known] + [c for c in unanswered if answers.get(c)]
    situations = sorted({s for o in chosen for s in o.get("situations", [])})
    answered = {q["code"] for q in questions} - set(unanswered)
    decided = {
        s
        for q in questions
        if q["code"] in answered
        for o in q["options"]
        for s in o.get("situations", [])
    }
    names = {s["code"]: s["name"] for s in item.spec.get("situations", [])}
    return GuideResult(
        situations=situations,
        materials=_item_materials_for(item.spec, set(situations), decided),
        unanswered=unanswered,
        answers={q["code"]: answers[q["code"]] for q in questions if q["code"] in answered},
        situation_names=[names[s] for s in situations if s in names],
        invalid=invalid,
    )


def item_guide(code: str, answers: dict[str, str]) -> GuideResult:
    return guide_for(item_detail(code), answers)


def bundle_guide(code: str, answers: dict[str, str]) -> GuideResult:
    return guide_for_bundle(bundle_detail(code), answers)


def guide_for_bundle(bundle: BundleView, answers: dict[str, str]) -> GuideResult:
    """The 导办 answer of a 一件事: the member items the answers leave out, the situations they
    choose in the others, and the materials that remain (deduplicated, minus what an included
    member produces). Answers that are not an option of their question are ``invalid``."""
    chosen, unanswered = _answers_to_options(bundle.questions, answers)
    known = {q["code"] for q in bundle.questions}
    invalid = [c for c in answers if c not in known] + [c for c in unanswered if answers.get(c)]
    answered = known - set(unanswered)
    excluded = sorted({c for o in chosen for c in o.get("exclude_items", [])})
    refs = [r for o in chosen for r in o.get("situations", [])]
    per_item_situations: dict[str, set[str]] = {}
    for ref in refs:
        item_code, _, sit = ref.partition(":")
        per_item_situations.setdefault(item_code, set()).add(sit)
    items = {i.code: i for i in current_items().filter(code__in=[m.code for m in bundle.members])}
    per_item = [
        (m.code, _item_materials_for(items[m.code].spec, per_item_situations.get(m.code, set())))
        for m in bundle.members
        if m.code not in excluded and m.code in items
    ]
    included = [items[m.code] for m in bundle.members if m.code not in excluded and m.code in items]
    return GuideResult(
        situations=sorted(refs),
        materials=_dedupe_materials(per_item, produced=_produced(included)),
        excluded_items=excluded,
        unanswered=unanswered,
        answers={q["code"]: answers[q["code"]] for q in bundle.questions if q["code"] in answered},
        invalid=invalid,
    )


def export_document() -> dict[str, Any]:
    """The catalog in force today in the exchange format (re-importable)."""
    return {
        "items": [
            dict(i.spec, implementation_code=i.code) for i in current_items().order_by("code")
        ],
        "bundles": [b.spec for b in current_bundles().order_by("code")],
    }
