"""Seed the 诉求分类 tree (data/categories.json), the default time limits and the settings row.

Idempotent: a category code, a (type, urgency) limit or the settings row already present is left
alone, so the center's edits survive. Time-limit defaults and their sources: README.md.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.json"

SRC_53 = "国办发〔2020〕53号 闭环办理；时限按 standards-cn.md §5.2 常见地方规定"
SRC_BJ = "国办发〔2020〕53号；北京接诉即办：紧急诉求 2 小时、水电气热等急迫诉求 24 小时"
# type: normal-urgency limit in working days
NORMAL_DAYS = {
    "consult": 1,  # 咨询：即时答复，转办的 1 个工作日
    "help": 3,  # 求助：3 个工作日
    "complaint": 10,  # 投诉：5–15 个工作日，取 10
    "report": 15,  # 举报：15 个工作日
    "suggest": 15,  # 建议：15 个工作日
    "praise": 5,  # 表扬：转达承办单位
}
# urgency: (sign minutes, amount, unit, source)
BY_URGENCY = {
    "urgent": (60, 24, "hours", SRC_BJ),
    "critical": (30, 2, "hours", SRC_BJ),
}


def seed(apps, schema_editor):
    Category = apps.get_model("hotline", "Category")
    TimeLimit = apps.get_model("hotline", "TimeLimit")
    Settings = apps.get_model("hotline", "HotlineSettings")
    doc = json.loads(DATA.read_text("utf-8"))
    have = set(Category.objects.values_list("code", flat=True))

    def walk(nodes, parent, level):
        for n, node in enumerate(nodes):
            obj = None
            if node["code"] not in have:
                obj = Category.objects.create(
                    code=node["code"],
                    name=node["name"],
                    parent=parent,
                    level=level,
                    departments=node.get("departments", []),
                    sort=n,
                )
            else:
                obj = Category.objects.get(code=node["code"])
            walk(node.get("children", []), obj, level + 1)

    walk(doc["categories"], None, 1)
    for kind, days in NORMAL_DAYS.items():
        TimeLimit.objects.get_or_create(
            ticket_type=kind,
            urgency="normal",
            defaults={"sign_minutes": 120, "amount": days, "unit": "working_days", "source": SRC_53},
        )
        for urgency, (sign, amount, unit, source) in BY_URGENCY.items():
            TimeLimit.objects.get_or_create(
                ticket_type=kind,
                urgency=urgency,
                defaults={"sign_minutes": sign, "amount": amount, "unit": unit, "source": source},
            )
    Settings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
