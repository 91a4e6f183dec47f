"""Demo 督查督办 data: the Zhaoqing 2022 work plan (seed 002) imported as the register for 肇庆's
departments, with monthly progress reports from July to November 2022, most tasks completed in
December, a few left late (red on the board), and one 督办通知 issued and answered. Dated in
2022 (the plan's year), so the demo does not depend on today's date. Re-runnable: a register
with the plan's title is not imported twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from shuzheng.identity.contracts import Principal
from shuzheng.supervision import services
from shuzheng.supervision.models import Plan, Task

PLAN_FILE = Path(__file__).parent / "data" / "zhaoqing-2022-plan.txt"
OFFICE = Principal(
    kind="staff",
    username="demo-head",
    name="黄志刚（科长）",
    staff_roles=(("department_head", "441200-ZSJ"),),
)
LATE = 4  # every LATE-th task stays open past the year's end (red on the board)


def reporter(department: str) -> Principal:
    if department == "441200-ZSJ":
        return Principal(
            kind="staff",
            username="demo-dataofficer",
            name="周敏（数据）",
            staff_roles=(("data_officer", department),),
        )
    return Principal(
        kind="staff",
        username="demo-clerk",
        name="张丽（窗口）",
        staff_roles=(("window_clerk", department),),
    )


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def seed_supervision() -> dict[str, int]:
    text = PLAN_FILE.read_text(encoding="utf-8")
    proposal = services.plan_preview(
        principal=OFFICE, name=PLAN_FILE.name, data=text.encode("utf-8")
    )
    if Plan.objects.filter(title=proposal["title"]).exists():
        return {"tasks": 0, "reports": 0, "urges": 0}
    tasks = []
    for t in proposal["tasks"]:
        codes = [c for c in t["lead_department_codes"] if c]
        if not codes:
            codes = ["441200-ZSJ"]  # 相关部门、各地政府: the lead office follows them up
        tasks.append({**t, "lead_departments": codes})
    plan = services.plan_confirm(
        principal=OFFICE,
        title=proposal["title"],
        year=proposal["year"] or 2022,
        tasks=tasks,
        issuer="肇庆市人民政府办公室",
        now=_at(dt.date(2022, 6, 10)),
    )
    reports = urges = 0
    for i, task in enumerate(Task.objects.filter(plan=plan).prefetch_related("targets")):
        dept = task.lead_departments[0]
        who = reporter(dept)
        targets = list(task.targets.all())
        late = i % LATE == 3
        months = (7, 8, 9, 10, 11)
        for k, month in enumerate(months):
            if not targets and month not in (9, 11):
                continue
            share = (k + 1) / len(months) * (0.6 if late else 1.0)
            figures = [
                {"target": t.pk, "value": round(t.value * share, 2), "unit": t.unit}
                for t in targets
            ]
            services.report_submit(
                principal=who,
                task_id=task.pk,
                figures=figures,
                note=f"{month}月进展：按计划推进“{task.title}”，"
                f"{'部分工作滞后，正在加快推进' if late else '各项工作有序推进'}。",
                now=_at(dt.date(2022, month, 25)),
            )
            services.task_act(
                principal=OFFICE,
                task_id=task.pk,
                action="accept",
                now=_at(dt.date(2022, month, 28)),
            )
            reports += 1
        if late and urges == 0:
            services.urge_issue(
                principal=OFFICE,
                task_id=task.pk,
                now=_at(dt.date(2022, 11, 15)),
                body=f"“{task.title}”进度滞后于年度目标，请于回复时限前报送整改措施和完成时间。",
            )
            urge = task.urges.first()
            assert urge is not None
            services.urge_answer(
                principal=who,
                urge_id=urge.pk,
                now=_at(dt.date(2022, 11, 18)),
                reply="已成立工作专班，倒排工期，确保12月底前完成主要建设内容。",
            )
            urges += 1
        if not late:
            services.task_act(
                principal=OFFICE, task_id=task.pk, action="complete", now=_at(dt.date(2022, 12, 20))
            )
    return {"tasks": plan.tasks.count(), "reports": reports, "urges": urges}
