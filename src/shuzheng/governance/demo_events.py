"""Demo 城市管理事件 (``shuzheng seed_city`` calls ``seed_events``): the two demo 网格员
(demo-grid: 城东街道, demo-grid2: 城西街道, both 端州区) and about forty events of the last
30 days in every 区县, run through the services (so every step is audited and timed as if it
had happened then): most closed, some waiting at each step of the loop, a few reworked.
Idempotent: nothing is added when demo events exist."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.utils import timezone

from shuzheng.files import facade as files
from shuzheng.governance.models import CityEvent, GridCell, GridMember
from shuzheng.governance.services import events as services
from shuzheng.identity.contracts import Principal

MEMBERS = [
    ("demo-grid", "李网格", "13800000041", "441202", ["441202001001", "441202001002"]),
    ("demo-grid2", "赵巡查", "13800000042", "441202", ["441202003001", "441202003002"]),
]
CENTER = Principal(
    kind="staff",
    username="demo-hotline",
    name="吴佳（12345）",
    staff_roles=(("hotline_operator", "441200-ZSJ"),),
)
HANDLERS = {
    "441200-CGJ": "demo-handler-cg",
    "441200-SWUJ": "demo-handler-sw",
    "441200-GAJ": "demo-handler-ga",
}
PROBLEMS = [
    ("BJ-0102", "污水井盖缺失，存在安全隐患。"),
    ("BJ-0103", "雨水井盖破损下陷。"),
    ("BJ-0110", "路灯夜间不亮。"),
    ("SJ-0102", "路边暴露垃圾堆放多日。"),
    ("SJ-0201", "电线杆上张贴大量非法小广告。"),
    ("SJ-0504", "商铺在人行道上摆放货架店外经营。"),
    ("SJ-0501", "流动摊贩在路口占道经营。"),
    ("SJ-0404", "下水道堵塞，雨后积水。"),
]


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 130, 140)).save(buf, format="PNG")
    return buf.getvalue()


def _staff(username: str, department: str = "") -> Principal:
    roles = (("hotline_handler", department),) if department else ()
    return Principal(kind="staff", username=username, name=username, staff_roles=roles)


def seed_members() -> int:
    n = 0
    for username, name, phone, district, cells in MEMBERS:
        member, created = GridMember.objects.update_or_create(
            username=username, defaults={"name": name, "phone": phone, "district": district}
        )
        member.cells.set(GridCell.objects.filter(code__in=cells))
        n += int(created)
    return n


def seed_events(*, now: dt.datetime | None = None, count: int = 40) -> int:
    """About ``count`` events through the services; returns how many were added."""
    seed_members()
    if CityEvent.objects.filter(is_demo=True).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(19)  # noqa: S311 — demo data, not secrets
    cells = list(GridCell.objects.filter(active=True).order_by("code"))
    photo = _png()
    reporter = _staff("demo-grid")
    checker = _staff("demo-grid2")
    made = 0
    for i in range(count):
        at = now - dt.timedelta(days=30 * (count - i) / count, hours=rng.randint(0, 6))
        code, words = PROBLEMS[i % len(PROBLEMS)]
        cell = cells[i % len(cells)]
        pic = files.file_store(actor=reporter.actor, name="现场.png", data=photo).file_id
        event = services.event_report(
            principal=reporter,
            data={
                "category": code,
                "description": f"{cell.name}：{words}",
                "grid": cell.code,
                "photos": [pic],
            },
            now=at,
        )
        made += 1
        stage = 6 if i < count - 12 else rng.randint(0, 5)  # the last dozen still open
        step = dt.timedelta(hours=2)
        if stage >= 1:
            if i % 13 == 5:
                services.event_act(
                    principal=CENTER,
                    event_no=event.event_no,
                    action="reject",
                    params={"reason": "属物业管理范围，已告知物业。"},
                    now=at + step,
                )
                continue
            services.event_act(
                principal=CENTER, event_no=event.event_no, action="file", now=at + step
            )
        if stage >= 2:
            services.event_act(
                principal=CENTER, event_no=event.event_no, action="dispatch", now=at + 2 * step
            )
        event.refresh_from_db()
        handler = _staff(HANDLERS.get(event.department, "demo-handler-cg"), event.department)
        rounds = 2 if i % 7 == 3 else 1
        for r in range(rounds if stage >= 3 else 0):
            after = files.file_store(actor=handler.actor, name="处置后.png", data=photo).file_id
            t = at + (3 + 3 * r) * step
            services.event_act(
                principal=handler,
                event_no=event.event_no,
                action="feedback",
                params={"note": "已处置完毕。", "photos": [after], "checker": "demo-grid2"},
                now=t,
            )
            if stage >= 4:
                if r + 1 < rounds:
                    services.event_act(
                        principal=checker,
                        event_no=event.event_no,
                        action="check_fail",
                        params={"reason": "现场仍未整改到位。"},
                        now=t + step,
                    )
                else:
                    services.event_act(
                        principal=checker,
                        event_no=event.event_no,
                        action="check_pass",
                        now=t + step,
                    )
        if stage >= 5:
            services.event_act(
                principal=CENTER, event_no=event.event_no, action="close", now=at + 10 * step
            )
        if stage >= 6 and i % 3 == 0:
            services.event_act(
                principal=CENTER,
                event_no=event.event_no,
                action="rate",
                params={"rating": "satisfied"},
                now=at + 11 * step,
            )
    CityEvent.objects.filter(reporter=reporter.actor).update(is_demo=True)
    return made
