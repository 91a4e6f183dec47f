"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) under ``/open311/v2/``, so
existing Open311 apps (FixMyStreet, 随手拍 apps) can submit and follow 12345 tickets.

- ``GET services.{json,xml}``: the leaf categories as services (``service_code`` = category code,
  ``group`` = its top category, ``metadata`` false).
- ``POST requests.{json,xml}``: ``api_key`` (issued to an API client; the demo's is
  ``demo-open311-key``), ``service_code``, a location (``lat``+``long`` or ``address_string``),
  ``description``, optional ``media_url`` (an http(s) link, kept among the attachments for the
  center; never published), ``attribute[code]`` (kept for the center), ``phone``,
  ``first_name``/``last_name``; an ``Idempotency-Key`` header files a retry once. Answers
  ``[{"service_request_id", "service_notice"}]``; errors ``[{"code", "description"}]`` with
  400 (bad input, naming the field in Chinese) or 403 (key).
- ``GET requests.{json,xml}`` (``service_request_id`` comma list, ``service_code``,
  ``start_date``, ``end_date``, ``status`` open|closed; 90 days / 1000 rows by default) and
  ``GET requests/{id}.{json,xml}``.

Public fields only: number, status (open/closed) and its words, the service, the district and
town (never the address, description, coordinates, caller or department notes); 保密 tickets
(举报) are never listed.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shuzheng.core import idempotency
from shuzheng.core.errors import DomainError
from shuzheng.hotline import places, services
from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.models import Category, Channel, Ticket, TicketStatus, TicketType
from shuzheng.hotline.services import open311 as keys
from shuzheng.identity import facade as identity

OPEN = {s for s in TicketStatus.values if s not in (TicketStatus.CLOSED, TicketStatus.MERGED)}
MAX_ROWS = 1000
DEFAULT_DAYS = 90


FORMATS = ("json", "xml")


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _render(data: Any, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for row in data:
            el = ET.SubElement(top, item)
            for k, v in row.items():
                child = ET.SubElement(el, k)
                child.text = "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
        body = ET.tostring(top, encoding="unicode", xml_declaration=False)
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + body,
            content_type="text/xml; charset=utf-8",
            status=status,
        )
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(errors: list[tuple[int, str]], fmt: str, status: int) -> HttpResponse:
    rows = [{"code": code, "description": text} for code, text in errors]
    return _render(rows, fmt, root="errors", item="error", status=status)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


@require_http_methods(["GET"])
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    rows = list(Category.objects.filter(active=True, level=3).select_related("parent__parent"))
    out = [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": f"{c.parent.parent.name if c.parent and c.parent.parent else ''}"
            f" / {c.parent.name if c.parent else ''} / {c.name}",
            "metadata": False,
            "type": "realtime",
            "keywords": c.parent.name if c.parent else "",
            "group": c.parent.parent.name if c.parent and c.parent.parent else "",
        }
        for c in rows
    ]
    return _render(out, fmt, root="services", item="service")


def _public(t: Ticket) -> dict[str, Any]:
    closed = t.status not in OPEN
    where = " ".join(
        x for x in (places.county_name(t.region_code), places.town_name(t.town_code)) if x
    )
    return {
        "service_request_id": t.ticket_no,
        "status": "closed" if closed else "open",
        "status_notes": str(TicketStatus(t.status).label),
        "service_name": t.category.name if t.category else "",
        "service_code": t.category.code if t.category else "",
        "agency_responsible": identity.department_names().get(t.lead_department, "")
        if t.lead_department
        else "",
        "service_notice": "",
        "requested_datetime": _iso(t.created_at),
        "updated_datetime": _iso(t.updated_at),
        "expected_datetime": _iso(t.due_at),
        "address": where,
    }


def _public_tickets() -> Any:
    return Ticket.objects.filter(confidential=False).select_related("category")


@require_http_methods(["GET"])
def request_one(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    t = _public_tickets().filter(ticket_no=request_id).first()
    if t is None:
        return _errors([(404, "未找到该诉求。")], fmt, 404)
    return _render([_public(t)], fmt, root="service_requests", item="request")


def _when(value: str, *, end: bool = False) -> dt.datetime | None:
    """A w3 datetime (``2026-11-23T09:00:00+08:00``) or date (a date's start, or for
    ``end_date`` its end) as an aware datetime; a time without zone is local. Raises
    ``ValueError`` for anything else."""
    value = (value or "").strip().replace(" ", "+")  # a "+" in a query string arrives as " "
    day = parse_date(value) if len(value) == 10 else None  # a date alone: the whole day
    found = parse_datetime(value) if day is None else None
    if day is not None:
        found = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
        if end:
            found -= dt.timedelta(microseconds=1)
    if found is None:
        raise ValueError(value)
    if timezone.is_naive(found):
        found = timezone.make_aware(found, timezone.get_current_timezone())
    return found


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: ``service_request_id`` (comma list; then the other filters are ignored, as the
    specification says), ``service_code`` (comma list), ``start_date``/``end_date`` (w3
    datetime or date; 90 days before ``end_date`` by default), ``status`` (open, closed or
    both, comma list); newest first, at most 1000. POST: ``_post``."""
    fmt = _format(fmt)
    if request.method == "POST":
        return _post(request, fmt)
    qs = _public_tickets()
    ids = [x.strip() for x in request.GET.get("service_request_id", "").split(",") if x.strip()]
    if ids:
        qs = qs.filter(ticket_no__in=ids[:MAX_ROWS])
    else:
        errors: list[tuple[int, str]] = []
        end: dt.datetime | None = timezone.now()
        start: dt.datetime | None = None
        for name in ("start_date", "end_date"):
            raw = request.GET.get(name, "")
            if not raw:
                continue
            try:
                if name == "end_date":
                    end = _when(raw, end=True)
                else:
                    start = _when(raw)
            except ValueError:
                errors.append(
                    (400, f"{name}：日期时间格式应为 2026-11-23 或 2026-11-23T09:00:00+08:00。")
                )
        assert end is not None
        start = start or end - dt.timedelta(days=DEFAULT_DAYS)
        if not errors and start > end:
            errors.append((400, "start_date：开始时间不能晚于结束时间。"))
        statuses = {x.strip() for x in request.GET.get("status", "").split(",") if x.strip()}
        if statuses - {"open", "closed"}:
            errors.append((400, "status 应为 open 或 closed。"))
        if errors:
            return _errors(errors, fmt, 400)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN)
    rows = [_public(t) for t in qs.order_by("-created_at")[:MAX_ROWS]]
    return _render(rows, fmt, root="service_requests", item="request")


class _Refused(Exception):
    """An Open311 POST refused (rolled back inside ``idempotency.once``, so not kept)."""

    def __init__(self, rows: list[tuple[int, str]], status: int) -> None:
        super().__init__(rows)
        self.rows, self.status = rows, status


OPEN311_FIELDS = {"lng": "long", "address": "address_string", "content": "description"}


def _attributes(p: Any) -> dict[str, Any]:
    """``attribute[code]=value`` pairs (a code sent more than once: a list, as the
    specification's multivaluelist)."""
    out: dict[str, Any] = {}
    for key in p:
        if key.startswith("attribute[") and key.endswith("]") and len(key) > 11:
            values = p.getlist(key)
            out[key[10:-1]] = values if len(values) > 1 else values[0]
    return out


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    """A new request from an Open311 app: ``api_key``, ``service_code``, a location
    (``lat``+``long`` or ``address_string``), ``description``, optional ``media_url`` (an
    http(s) link to a photo, kept among the ticket's attachments for the center),
    ``attribute[code]`` values (kept on the ticket for the center), ``phone``,
    ``first_name``/``last_name``. An ``Idempotency-Key`` header makes a retry file once
    (``core.idempotency``, per client)."""
    request.body  # noqa: B018  (read before POST: core.idempotency fingerprints the body)
    p = request.POST
    principal = keys.principal_for_key(p.get("api_key", ""))
    if principal is None:
        return _errors([(403, "api_key 无效或已停用。")], fmt, 403)

    def run() -> tuple[int, Any]:
        ticket = _create(p, principal)
        return 201, [
            {
                "service_request_id": ticket.ticket_no,
                "service_notice": "您的诉求已受理，可凭工单号和手机号查询进度。",
                "account_id": None,
            }
        ]

    try:
        status, out, replayed = idempotency.once(request, principal.actor, run)
    except _Refused as exc:
        return _errors(exc.rows, fmt, exc.status)
    except DomainError as exc:  # the Idempotency-Key itself (reused for another request)
        rows = [(400, f"{e.field}：{e.message}") for e in exc.errors] or [(400, exc.message)]
        return _errors(rows, fmt, 400)
    response = _render(out, fmt, root="service_requests", item="request", status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _create(p: Any, principal: Any) -> Ticket:
    code = p.get("service_code", "").strip()
    errors: list[tuple[int, str]] = []
    if not code:
        errors.append((400, "service_code：请填写诉求分类（service_code）。"))
    elif not Category.objects.filter(code=code, active=True).exists():
        errors.append((400, f"service_code：诉求分类“{code[:20]}”不存在。"))
    lat, lng, address = p.get("lat", ""), p.get("long", ""), p.get("address_string", "")
    if not ((lat and lng) or address):
        errors.append((400, "lat/long 或 address_string：请提供事发位置（经纬度或地址）。"))
    if errors:
        raise _Refused(errors, 400)
    name = (p.get("first_name", "") + p.get("last_name", "")).strip()
    data = TicketInput(
        content=p.get("description", ""),
        type=TicketType.COMPLAINT,
        category=code,
        address=address,
        lat=lat or None,
        lng=lng or None,
        caller_phone=p.get("phone", ""),
        caller_name=name,
        media_urls=tuple(p.getlist("media_url")),
        attributes=_attributes(p),
    )
    try:
        return services.ticket_create(principal=principal, data=data, channel=Channel.OPEN311)
    except DomainError as exc:
        rows = [
            (
                exc.status if exc.status < 500 else 400,
                f"{OPEN311_FIELDS.get(e.field, e.field)}：{e.message}",
            )
            for e in exc.errors
        ] or [(exc.status, exc.message)]
        raise _Refused(rows, 400 if exc.status == 422 else exc.status) from None
