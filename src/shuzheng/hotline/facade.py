"""The hotline's public face: with ``contracts``, the only thing other modules (and the pages the
operator console, knowledge base and analysis dashboard build on top) should import.

Intake and actions (writes, audited, SMS after commit):
    ``ticket_create(principal=, data=TicketInput(...), channel=, phone_verified=False)``
    ``ticket_act(principal=, ticket_no=, action=, **params)``
Reads (scoped to the caller; 404 ``NotFound`` otherwise):
    ``ticket_detail``, ``ticket_list``, ``merge_candidates``, ``metrics``, ``progress``,
    ``supervision_pdf``, ``signals``
Words and choices (never show a code): ``status_label``, ``action_label``, ``timeline_label``,
    ``statuses``, ``ticket_types``, ``urgencies``, ``satisfactions``, ``categories``,
    ``counties``
Dispatch suggestion: ``suggest(text=, address=)`` (``hotline.suggest`` when installed).
Periodic work (``tasks``): ``escalate_overdue``, ``warnings_refresh``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone

from shuzheng.cases import facade as cases
from shuzheng.core.errors import NotFound
from shuzheng.hotline import daycounts, places, selectors, services
from shuzheng.hotline import progress as _progress
from shuzheng.hotline import transitions as tr
from shuzheng.hotline.contracts import CategoryInfo, Choice, TicketInput
from shuzheng.hotline.models import (
    Category,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketType,
    Urgency,
)
from shuzheng.hotline.services import actions, notices
from shuzheng.hotline.tree import tree
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

__all__ = [
    "CategoryInfo",
    "Choice",
    "TicketInput",
    "action_label",
    "caller",
    "categories",
    "category_create",
    "category_delete",
    "category_update",
    "confirmed_dispatches",
    "counties",
    "escalate_overdue",
    "is_center",
    "keyword_suggest",
    "may_edit_categories",
    "merge_candidates",
    "metrics",
    "progress",
    "satisfactions",
    "signals",
    "status_label",
    "statuses",
    "suggest",
    "supervision_pdf",
    "ticket_act",
    "ticket_create",
    "ticket_detail",
    "ticket_list",
    "ticket_types",
    "tickets_for_case",
    "timeline_label",
    "urgencies",
    "warnings_refresh",
]

escalate_overdue = services.escalate_overdue
warnings_refresh = services.warnings_refresh


def ticket_create(
    *, principal: Principal, data: TicketInput, channel: str, phone_verified: bool = False
) -> dict[str, Any]:
    """Register a 诉求; the ticket's detail as the caller sees it, plus ``merge_candidates``
    (open tickets of the same place with similar text, for the center to offer linking)."""
    ticket = services.ticket_create(
        principal=principal, data=data, channel=channel, phone_verified=phone_verified
    )
    out = selectors.detail(principal, ticket, new=True)
    out["merge_candidates"] = selectors.merge_candidates(principal, ticket)
    return out


def ticket_act(
    *, principal: Principal, ticket_no: str, action: str, **params: Any
) -> dict[str, Any]:
    """One action of ``transitions.TICKET`` (params: department, assisting, reason, note,
    answer, knowledge_ref, master_no, satisfaction, amount); the detail after it."""
    ticket = services.ticket_act(
        principal=principal,
        ticket_no=ticket_no,
        action=action,
        params=params,
        visible=selectors.may_see,
    )
    return selectors.detail(principal, ticket)


def ticket_detail(principal: Principal, ticket_no: str) -> dict[str, Any]:
    """Everything the caller may see of one ticket, with ``allowed_actions`` and their labels,
    the timeline in words and the callbacks; the caller masked or hidden for a department."""
    return selectors.detail(principal, selectors.ticket_for(principal, ticket_no))


def ticket_list(principal: Principal, **filters: Any) -> tuple[int, list[dict[str, Any]]]:
    """(total, page of summaries); filters: status, department, region, q, warning (yellow or
    red), extension_pending (a 延期申请 waiting), phone (center only: the caller's earlier
    tickets), limit, offset."""
    return selectors.ticket_list(principal, **filters)


def caller(principal: Principal, phone: str) -> dict[str, Any]:
    """Who is calling (the operator console, as the call comes in): the name and real-name
    identity given with earlier tickets from this phone (the latest), whether any is still
    open, and the last ten. The center only (``NotFound`` for anyone else)."""
    if not actions.is_center(principal):
        raise NotFound("未找到。")
    total, items = selectors.ticket_list(principal, phone=phone.strip(), limit=10)
    known: Mapping[str, Any] = (
        Ticket.objects.filter(caller_phone=phone.strip())
        .exclude(caller_name="", reporter_id_number="")
        .order_by("-created_at")
        .values("caller_name", "reporter_id_number")
        .first()
    ) or {}
    # issue 18 item 1a: the people registered with this phone (identity) and their open 办件
    # (cases; purpose-scoped to the center and audited there as a read of personal data)
    people = identity.persons_by_phone(phone.strip())[:3]
    return {
        "phone": phone.strip(),
        "name": known.get("caller_name", ""),
        "id_number": known.get("reporter_id_number", ""),
        "tickets_total": total,
        "open": sum(1 for t in items if t["status"] not in ("closed", "merged")),
        "tickets": items,
        "people": [
            {
                "id_number": p.id_number,
                "id_masked": identity.mask_id_number(p.id_number),
                "name": p.name,
            }
            for p in people
        ],
        "open_cases": [
            {
                "case_no": c.case_no,
                "item_name": c.item_name,
                "status": c.status,
                "status_name": c.status_name,
                "department": c.department_code,
                "department_name": identity.department_names().get(c.department_code, ""),
                "applicant_name": p.name,
            }
            for p in people
            for c in cases.hotline_open_cases(principal, p.id_number, limit=10)
        ],
    }


def tickets_for_case(principal: Principal, case_no: str) -> list[dict[str, Any]]:
    """The 12345 tickets about a 办件 (``linked_case_no``; issue 18 item 1e), for the case's
    staff page ("相关12345工单"): number, 诉求类型, status in words, the lead department and
    when it was taken — never the caller or the content. Only for a reader who may see the case
    (``cases.facade.case_ref``) or the 12345 center; anyone else gets an empty list. Cases has
    no page hook for other modules yet, so its page calls this."""
    case_no = (case_no or "").strip().upper()
    if not case_no:
        return []
    if not actions.is_center(principal):
        try:
            cases.case_ref(principal, case_no)
        except NotFound:
            return []
    names = identity.department_names()
    rows = Ticket.objects.filter(linked_case_no=case_no).order_by("-created_at", "-id")[:50]
    return [
        {
            "ticket_no": t.ticket_no,
            "type_name": str(TicketType(t.ticket_type).label),
            "status": t.status,
            "status_name": status_label(t.status),
            "lead_department_name": names.get(t.lead_department, ""),
            "created_at": timezone.localtime(t.created_at).isoformat(),
        }
        for t in rows
    ]


def merge_candidates(principal: Principal, ticket_no: str) -> list[dict[str, Any]]:
    return selectors.merge_candidates(principal, selectors.ticket_for(principal, ticket_no))


def metrics(
    principal: Principal, *, start: dt.date, end: dt.date, group: str = "department"
) -> dict[str, Any]:
    return selectors.metrics(principal, start=start, end=end, group=group)


def progress(*, request: HttpRequest, ticket_no: str, phone: str, via: str) -> dict[str, Any]:
    """诉求进度 by number and phone, without logging in (throttled per client address)."""
    return _progress.progress_read(request=request, ticket_no=ticket_no, phone=phone, via=via)


def supervision_pdf(principal: Principal, ticket_no: str, n: int) -> tuple[bytes, str]:
    """(sealed PDF, file name) of the ticket's n-th 督办通知, for staff who see the ticket."""
    if principal.kind != "staff":
        raise NotFound("未找到该督办通知。")
    ticket = selectors.ticket_for(principal, ticket_no)
    pdf, notice = notices.supervision_pdf(principal=principal, ticket=ticket, n=n)
    return pdf, f"督办通知-{notice.doc_no}.pdf"


def is_center(principal: Principal) -> bool:
    """Whether the caller works in the 12345 center (话务员 or 班长): the console's link."""
    return actions.is_center(principal)


# --- words ---------------------------------------------------------------------------------------


def status_label(status: str) -> str:
    return str(TicketStatus(status).label) if status in TicketStatus.values else ""


def action_label(action: str) -> str:
    return str(tr.TICKET.label(action))


def timeline_label(action: str) -> str:
    return str(tr.TICKET.timeline_label(action))


def statuses() -> list[Choice]:
    return [Choice(v, str(label)) for v, label in TicketStatus.choices]


def ticket_types() -> list[Choice]:
    return [Choice(v, str(label)) for v, label in TicketType.choices]


def urgencies() -> list[Choice]:
    return [Choice(v, str(label)) for v, label in Urgency.choices]


def satisfactions() -> list[Choice]:
    return [Choice(v, str(label)) for v, label in Satisfaction.choices]


def counties() -> list[Choice]:
    return [Choice(code, name) for code, name in places.counties().items()]


def categories(*, include_inactive: bool = False) -> list[CategoryInfo]:
    """The active category tree in code order (a node's ``path``: its names from the top);
    ``include_inactive``: the deactivated ones too (the center's editing)."""
    qs = Category.objects.all() if include_inactive else Category.objects.filter(active=True)
    rows = list(qs.select_related("parent").order_by("code"))
    by_id = {c.pk: c for c in rows}
    out: list[CategoryInfo] = []
    for c in rows:
        path: list[str] = []
        node: Category | None = c
        while node is not None:
            path.insert(0, node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        out.append(
            CategoryInfo(
                code=c.code,
                name=c.name,
                level=c.level,
                parent_code=c.parent.code if c.parent else None,
                departments=list(c.departments),
                path=path,
                active=c.active,
            )
        )
    return out


def _category_info(code: str) -> CategoryInfo:
    return next(c for c in categories(include_inactive=True) if c.code == code)


def category_create(*, principal: Principal, **fields: Any) -> CategoryInfo:
    """Add a category (the center's 班长; ``services.categories``): name, parent, department
    or departments, active."""
    from shuzheng.hotline.services import categories as edit

    return _category_info(edit.category_create(principal=principal, **fields).code)


def category_update(*, principal: Principal, code: str, **fields: Any) -> CategoryInfo:
    """Change a category's name, parent, departments or active (off: its subtree too)."""
    from shuzheng.hotline.services import categories as edit

    return _category_info(edit.category_update(principal=principal, code=code, **fields).code)


def category_delete(*, principal: Principal, code: str) -> None:
    """Delete an unused category without children (``Conflict`` otherwise: deactivate it)."""
    from shuzheng.hotline.services import categories as edit

    edit.category_delete(principal=principal, code=code)


def may_edit_categories(principal: Principal) -> bool:
    from shuzheng.hotline.services import categories as edit

    return edit.may_edit(principal)


# --- the suggestion and the signals (other parts of the module, when present) ----------------


def suggest(*, text: str, address: str = "", case_department: str = "") -> dict[str, Any]:
    """Top departments (code, name, short_name, score, why), 诉求类型 and category for a text
    (``shuzheng.hotline.suggest.suggest``), as the API's JSON. ``case_department``: the
    department of the 办件 the 诉求 is about (``detail()["linked_case"]["department"]``), put
    first as the suggested 主办 with the reason 所涉办件的受理部门 (issue 18 item 1e)."""
    try:
        from shuzheng.hotline.suggest import suggest as _suggest
    except ImportError:
        return with_case_department(keyword_suggest(text=text, address=address), case_department)
    found = _suggest(text=text, address=address)
    return with_case_department(in_step_with_tree(_jsonable(found)), case_department)


def in_step_with_tree(found: dict[str, Any]) -> dict[str, Any]:
    """The model knows the categories it was trained on; the center edits the tree
    (``services.categories``). A suggested category the center deactivated or deleted is
    dropped (``None``: the operator picks one), a renamed one shown with its current path."""
    cat = found.get("category") or None
    if not cat or not cat.get("code"):
        return found
    # the cached tree (hotline.tree): this runs on every suggestion
    categories = tree()
    node = categories.by_code.get(cat["code"])
    if node is None or not node.active:
        return {**found, "category": None}
    path = [n.name for n in categories.path(node.pk)]
    return {**found, "category": {**cat, "name": node.name, "path": path}}


CASE_DEPARTMENT_WHY = "所涉办件的受理部门"


def with_case_department(found: dict[str, Any], code: str) -> dict[str, Any]:
    """The suggestion with the linked case's department first (its own entry moved up, or a
    new one scored 1.0); the others follow in their order."""
    if not code:  # no 办件 named (most calls): no names to read
        return found
    names = identity.department_names()
    if code not in names:
        return found
    rest = [d for d in found.get("departments", []) if d.get("code") != code]
    own = next((d for d in found.get("departments", []) if d.get("code") == code), None)
    first = {
        "code": code,
        "name": names[code],
        "short_name": (own or {}).get("short_name") or names[code].replace("肇庆", ""),
        "score": (own or {}).get("score", 1.0),
        "why": [CASE_DEPARTMENT_WHY, *((own or {}).get("why") or [])],
    }
    return {**found, "departments": [first, *rest]}


ASKING = ("请问", "咨询", "怎么", "点样", "如何", "想问")


def keyword_suggest(*, text: str, address: str = "") -> dict[str, Any]:
    """The keyword-rule fallback while ``hotline.suggest`` is not installed: categories whose
    names occur in the text and their usual departments (``Category.departments``), in the
    classifier's JSON shape."""
    words = f"{text} {address}"
    scored: list[tuple[int, CategoryInfo]] = []
    for c in categories():
        hits = [n for n in c.path[1:] if n in words]
        if hits:
            scored.append((sum(len(n) for n in hits) * c.level, c))
    scored.sort(key=lambda x: (-x[0], x[1].code))
    names = identity.department_names()
    total = sum(s for s, _ in scored) or 1
    departments: list[dict[str, Any]] = []
    for score, c in scored:
        for code in c.departments:
            if code in names and all(d["code"] != code for d in departments):
                departments.append(
                    {
                        "code": code,
                        "name": names[code],
                        "short_name": names[code].replace("肇庆", ""),
                        "score": round(score / total, 3),
                        "why": [n for n in c.path[1:] if n in words],
                    }
                )
    best = scored[0][1] if scored else None
    kind = "咨询" if any(w in text for w in ASKING) else "投诉"
    return {
        "departments": departments[:3],
        "type": {"name": kind, "score": 0.5},
        "category": {"code": best.code, "name": best.name, "path": best.path, "score": 0.5}
        if best
        else None,
        "model_version": "keyword-rules",
    }


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        out = {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
        if hasattr(value, "path") and "name" not in out:  # CategorySuggestion.name
            out["name"] = getattr(value, "name", "")
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


_REST = (0, "*")  # all keys that cannot fire, summed (``signals``)


def signals(
    principal: Principal, *, today: dt.date | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """弱信号 now: (category, 镇街) and (category, 区县) keys — both levels, as
    ``bench/hotline_signals`` judges the detector — whose last days rise well above their own
    baseline (``hotline.analysis.signals.detect``), each with up to 5 sample tickets. A 区县
    signal is left out when a 镇街 signal of the same category inside it carries at least half
    of its tickets (the same burst, said once). The ``limit`` strongest (smallest tail
    probability) are returned. For the center (callers check)."""
    from shuzheng.hotline.analysis import signals as detector

    today = today or timezone.localdate()
    cfg = detector.DEFAULT
    tz = timezone.get_current_timezone()

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    # Closed days are read from the counts the job ``hotline.day_counts`` keeps, today counted
    # live (``daycounts``). Only the keys with ``min_count`` tickets in the longest window can
    # fire: their days are read; every other key's volume, summed into one key that is never
    # reported, keeps the weekday factors (computed from every key's volume) exactly what they
    # were — the same signals as the detector over all keys.
    counts = daycounts.DayCounts(today)
    recent = today - dt.timedelta(days=max(cfg.windows) - 1)
    can_fire = counts.at_least(cfg.min_count, since=recent)
    candidates: dict[Any, dict[dt.date, int]] = {}
    if can_fire:
        candidates = dict(counts.by_key(since=counts.since, keys=can_fire))
    rest = defaultdict(int, counts.volume())
    for series in candidates.values():
        for day, n in series.items():
            rest[day] -= n
    candidates[_REST] = rest
    found = [s for s in detector.detect(candidates, today=today) if s.key != _REST]
    if not found:
        return []
    keys: list[tuple[tuple[int, str], Any]] = [(cast("tuple[int, str]", s.key), s) for s in found]
    towns = {k: s.count for k, s in keys if len(k[1]) == 9}
    kept = [
        (k, s)
        for k, s in keys
        if not (
            len(k[1]) == 6
            and any(
                t[0] == k[0] and t[1].startswith(k[1]) and 2 * n >= s.count
                for t, n in towns.items()
            )
        )
    ]
    top = sorted(kept, key=lambda x: x[1].p_value)[:limit]
    # up to 5 sample tickets per signal, the newest since it started: one read per signal, its
    # five rows through the index of its key (hotline_merge_scan for a 镇街, hotline_merge_region
    # for a 区县). One read for all of them brought every ticket of their categories since the
    # earliest start: 9,000 rows, most of the read's time, on the benchmark's busy day.
    until = start(today + dt.timedelta(days=1))
    samples: dict[tuple[int, str], list[dict[str, str]]] = {}
    for (cat_id, place), s in top:
        at_place = {"town_code": place} if len(place) == 9 else {"region_code": place}
        rows = (
            Ticket.objects.filter(
                category_id=cat_id,
                created_at__gte=start(s.since),
                created_at__lt=until,
                **at_place,
            )
            .order_by("-created_at", "-id")
            .values_list("ticket_no", "title")[:5]
        )
        samples[(cat_id, place)] = [{"ticket_no": no, "title": title} for no, title in rows]
    nodes = tree().by_id
    out: list[dict[str, Any]] = []
    for (cat_id, place), s in top:
        level = "town" if len(place) == 9 else "county"
        where = places.town_name(place) if level == "town" else places.county_name(place)
        node = nodes.get(cat_id)
        out.append(
            {
                "category": {"code": node.code, "name": node.name} if node else None,
                "place": {"code": place, "name": where, "level": level},
                "since": s.since.isoformat(),
                "count": s.count,
                "expected": round(s.expected, 2),
                "ratio": round(s.ratio, 1),
                "p_value": s.p_value,
                "samples": samples[(cat_id, place)],
            }
        )
    return out


def confirmed_dispatches() -> Any:
    """What the operators confirmed, for retraining the suggestion (``hotline_retrain``): each
    answered ticket's text, address, the department that answered it, its 诉求类型 (Chinese)
    and category code."""
    labels = dict(TicketType.choices)
    rows = (
        Ticket.objects.exclude(answered_by="")
        .select_related("category")
        .only("content", "address", "answered_by", "ticket_type", "category__code")
        .order_by("id")
    )
    for t in rows.iterator(chunk_size=2000):
        yield {
            "text": t.content,
            "address": t.address,
            "department": t.answered_by,
            "type": str(labels.get(t.ticket_type, "")),
            "category": t.category.code if t.category else "",
        }
