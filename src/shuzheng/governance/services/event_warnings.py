"""处置时限预警: the scheduled job (``tasks.warn_events``) finds events under handling whose
time limit crossed into yellow (less than 30 % left) or red (less than 10 % left, or overdue)
and tells the handling department and the center — once per level and time limit
(``EventWarning``, unique), with a step on the event's timeline and an audit record
(``city.event_warning``, actor ``system:一网统管预警``) in the same transaction. An event
found already red (the job was down while it was yellow) gets the red notice only."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.governance.models import CityEvent, EventStatus, EventStep, EventWarning
from shuzheng.governance.services.events import snapshot, tell_center, tell_department, warning

ACTOR = "system:一网统管预警"


def _notice_level(level: str) -> str:
    """The notice a computed warning calls for: overdue is told as red."""
    return {"yellow": "yellow", "red": "red", "overdue": "red"}.get(level, "")


def warn_events(*, now: dt.datetime | None = None) -> int:
    """Send the notices due at ``now``; how many were sent."""
    now = now or timezone.now()
    candidates = CityEvent.objects.filter(
        status=EventStatus.DISPATCHED, due_at__isnull=False, dispatched_at__isnull=False
    ).only("id", "status", "due_at", "dispatched_at")
    due = [(e.pk, lvl) for e in candidates if (lvl := _notice_level(warning(e, now)))]
    if not due:
        return 0
    sent_keys = set(
        EventWarning.objects.filter(event_id__in=[pk for pk, _ in due]).values_list(
            "event_id", "level", "due_at"
        )
    )
    sent = 0
    for pk, _level in due:
        with transaction.atomic():
            event = (
                CityEvent.objects.select_for_update(of=("self",))
                .select_related("event_class", "grid")
                .get(pk=pk)
            )
            level = _notice_level(warning(event, now))  # again, under the lock
            if event.due_at is None or not level or (event.pk, level, event.due_at) in sent_keys:
                continue
            _, created = EventWarning.objects.get_or_create(
                event=event, level=level, due_at=event.due_at, defaults={"sent_at": now}
            )
            if not created:
                continue
            words = _t("黄色预警") if level == "yellow" else _t("红色预警")
            note = (
                _t("处置时限%(words)s：请于 %(due)s 前处置完毕。")
                if level == "yellow" or now < event.due_at
                else _t("处置时限%(words)s：已超过处置时限 %(due)s。")
            ) % {
                "words": words,
                "due": timezone.localtime(event.due_at).strftime("%Y-%m-%d %H:%M"),
            }
            EventStep.objects.create(
                event=event,
                action="warning",
                from_status=event.status,
                to_status=event.status,
                actor=ACTOR,
                actor_name=_t("系统"),
                note=note,
                at=now,
            )
            audit.record(
                actor=ACTOR,
                action="city.event_warning",
                object_type="governance.event",
                object_id=event.event_no,
                before=None,
                after=snapshot(event) | {"warning": level},
            )
            title = _t("事件处置%(words)s") % {"words": words}
            tell_department(event.department, event, title)
            tell_center(event, title)
            sent += 1
    return sent
