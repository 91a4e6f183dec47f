"""Event points on the command dashboard's 肇庆 map (ECharts scatter on the geo): the newest open
events with coordinates — the event's own (a phone's position) or its grid cell's centre."""

from __future__ import annotations

from typing import Any

from shuzheng.governance.models import CityEvent
from shuzheng.governance.transitions_events import OPEN

POINTS_SHOWN = 500


def open_event_points(limit: int = POINTS_SHOWN) -> list[dict[str, Any]]:
    """[{"name": event_no, "value": [lng, lat], "status": words, "cls": class name}], newest
    first; events with neither coordinates nor a grid cell are left out."""
    rows = (
        CityEvent.objects.filter(status__in=OPEN)
        .select_related("event_class", "grid")
        .only("event_no", "status", "lat", "lng", "event_class__name", "grid__lat", "grid__lng")
        .order_by("-created_at", "-id")[:limit]
    )
    out = []
    for e in rows:
        lat, lng = (e.lat, e.lng) if e.lat is not None and e.lng is not None else (None, None)
        if lat is None and e.grid is not None:
            lat, lng = e.grid.lat, e.grid.lng
        if lat is None or lng is None:
            continue
        out.append(
            {
                "name": e.event_no,
                "value": [float(lng), float(lat)],
                "status": str(e.get_status_display()),
                "cls": e.event_class.name,
            }
        )
    return out
