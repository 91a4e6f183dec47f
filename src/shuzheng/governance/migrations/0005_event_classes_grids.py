"""A seeded subset of GB/T 30428 部件 and 事件 classes (each with its handling department and
time limit) and two 单元网格 in the first two 镇街 of every 肇庆 区县. Administrators add and
change them in the Django admin; this only fills an empty table."""

from django.db import migrations

# (code, kind, 大类, 小类, department, limit, unit, 12345 keywords)
CLASSES = [
    ("BJ-0101", "component", "公用设施", "上水井盖", "441200-SWUJ", 24, "hours", ""),
    ("BJ-0102", "component", "公用设施", "污水井盖", "441200-SWUJ", 24, "hours", ""),
    ("BJ-0103", "component", "公用设施", "雨水井盖", "441200-SWUJ", 24, "hours", ""),
    ("BJ-0105", "component", "公用设施", "电力井盖", "441200-GDJ", 24, "hours", ""),
    ("BJ-0110", "component", "公用设施", "路灯", "441200-CGJ", 3, "working_days", "路灯"),
    ("BJ-0206", "component", "道路交通", "交通信号灯", "441200-GAJ", 24, "hours", "信号灯"),
    ("BJ-0303", "component", "市容环境", "垃圾箱", "441200-CGJ", 2, "working_days", ""),
    ("BJ-0402", "component", "园林绿化", "行道树", "441200-CGJ", 5, "working_days", ""),
    ("SJ-0101", "event", "市容环境", "私搭乱建", "441200-CGJ", 10, "working_days", "违建,私搭乱建"),
    ("SJ-0102", "event", "市容环境", "暴露垃圾", "441200-CGJ", 1, "working_days", "垃圾"),
    ("SJ-0201", "event", "宣传广告", "非法小广告", "441200-CGJ", 2, "working_days", "小广告"),
    ("SJ-0302", "event", "施工管理", "工地扬尘", "441200-ZJJ", 2, "working_days", "扬尘"),
    ("SJ-0401", "event", "突发事件", "路面塌陷", "441200-ZJJ", 4, "hours", "塌陷"),
    ("SJ-0402", "event", "突发事件", "自来水管破裂", "441200-SWUJ", 4, "hours", "爆管,水管破裂"),
    (
        "SJ-0404",
        "event",
        "突发事件",
        "下水道堵塞或破损",
        "441200-SWUJ",
        1,
        "working_days",
        "下水道,内涝",
    ),
    (
        "SJ-0501",
        "event",
        "街面秩序",
        "无照经营游商",
        "441200-CGJ",
        2,
        "working_days",
        "流动摊贩,游商",
    ),
    (
        "SJ-0504",
        "event",
        "街面秩序",
        "店外经营",
        "441200-CGJ",
        2,
        "working_days",
        "占道经营,店外经营",
    ),
]

# (town code, town, 区县, centre lat, lng) — two 镇街 per 区县, two grids each
TOWNS = [
    ("441202001", "城东街道", "441202", "23.0530", "112.4780"),
    ("441202003", "城西街道", "441202", "23.0500", "112.4520"),
    ("441203001", "坑口街道", "441203", "23.1590", "112.5640"),
    ("441203002", "桂城街道", "441203", "23.1700", "112.5800"),
    ("441204001", "南岸街道", "441204", "23.0290", "112.4600"),
    ("441204100", "河台镇", "441204", "23.3000", "112.2000"),
    ("441223001", "南街街道", "441223", "23.6340", "112.4410"),
    ("441223100", "排沙镇", "441223", "23.7100", "112.3800"),
    ("441224001", "怀城街道", "441224", "23.9110", "112.1840"),
    ("441224002", "幸福街道", "441224", "23.9000", "112.2000"),
    ("441225001", "江口街道", "441225", "23.4240", "111.5120"),
    ("441225102", "白垢镇", "441225", "23.3500", "111.6300"),
    ("441226001", "德城街道", "441226", "23.1440", "111.7860"),
    ("441226102", "回龙镇", "441226", "23.2200", "111.8900"),
    ("441284001", "城中街道", "441284", "23.3270", "112.7340"),
    ("441284002", "东城街道", "441284", "23.3300", "112.7500"),
]


def seed(apps, schema_editor):
    EventClass = apps.get_model("governance", "EventClass")
    GridCell = apps.get_model("governance", "GridCell")
    if not EventClass.objects.exists():
        EventClass.objects.bulk_create(
            EventClass(
                code=code,
                kind=kind,
                major=major,
                name=name,
                department=dept,
                limit_amount=amount,
                limit_unit=unit,
                hotline_categories=words,
            )
            for code, kind, major, name, dept, amount, unit, words in CLASSES
        )
    if not GridCell.objects.exists():
        cells = []
        for town, town_name, district, lat, lng in TOWNS:
            for n, delta in ((1, "0.0000"), (2, "0.0060")):
                cells.append(
                    GridCell(
                        code=f"{town}{n:03d}",
                        name=f"{town_name}第{n}网格",
                        district=district,
                        town_code=town,
                        lat=lat,
                        lng=str(float(lng) + float(delta)),
                    )
                )
        GridCell.objects.bulk_create(cells)


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_events")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
