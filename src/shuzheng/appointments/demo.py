"""Demo service halls (``shuzheng seed_appointments``, idempotent): 肇庆市政务服务中心 and
端州区政务服务中心 with their windows and the items that need a visit (到现场办理) each handles.
Addresses and phone numbers are demo data."""

from __future__ import annotations

import datetime as dt

from shuzheng.appointments import services
from shuzheng.appointments.models import Hall

ACTOR = "system:seed_appointments"

CITY = "zq-zwfw"
DISTRICT = "dz-zwfw"

HALLS: list[dict[str, object]] = [
    {
        "code": CITY,
        "fields": {
            "name": "肇庆市政务服务中心",
            "region_code": "441200",
            "department_code": "441200-ZSJ",
            "address": "广东省肇庆市端州区信安大道肇庆市政务服务中心（演示地址）",
            "phone": "0758-12345",
            "am_start": dt.time(9, 0),
            "am_end": dt.time(12, 0),
            "pm_start": dt.time(13, 30),
            "pm_end": dt.time(17, 30),
        },
        "windows": [
            {
                "number": "A01",
                "name": "民政婚姻登记窗口",
                "department_code": "441200-MZJ",
                "capacity": 3,
            },
            {
                "number": "B01",
                "name": "公安户政综合窗口",
                "department_code": "441200-GAJ",
                "capacity": 3,
            },
            {
                "number": "B02",
                "name": "出入境证件窗口",
                "department_code": "441200-GAJ",
                "capacity": 2,
            },
            {
                "number": "C01",
                "name": "不动产登记窗口",
                "department_code": "441200-BDCDJZX",
                "capacity": 2,
            },
            {
                "number": "D01",
                "name": "市场监管窗口",
                "department_code": "441200-SCJGJ",
                "capacity": 2,
            },
            {"number": "E01", "name": "残联窗口", "department_code": "441200-CL", "capacity": 1},
            {"number": "E02", "name": "教育窗口", "department_code": "441200-JYJ", "capacity": 1},
        ],
        "items": [
            ("441200307000040010003", "结婚登记", "A01"),
            ("44120030700004002000O", "离婚登记", "A01"),
            ("441200307000040030008", "补领婚姻登记证", "A01"),
            ("441200307000030000000", "居民身份证换领", "B01"),
            ("44120030700002001000L", "人才引进入户", "B01"),
            ("441200307000020020005", "户口迁移（夫妻投靠）", "B01"),
            ("44000020100001000000W", "普通护照签发", "B02"),
            ("44000020100002000000F", "往来港澳通行证及签注签发", "B02"),
            ("44120030700005001000N", "不动产登记（首次登记）", "C01"),
            ("441200307000050020007", "不动产登记（转移登记）", "C01"),
            ("44120030100006000000U", "药品经营许可（零售）", "D01"),
            ("441200320000130000006", "残疾人证申领", "E01"),
            ("441200301000110000007", "教师资格认定", "E02"),
        ],
    },
    {
        "code": DISTRICT,
        "fields": {
            "name": "端州区政务服务中心",
            "region_code": "441202",
            "department_code": "441202-ZSJ",
            "address": "广东省肇庆市端州区端州三路端州区政务服务中心（演示地址）",
            "phone": "0758-2712345",
            "am_start": dt.time(9, 0),
            "am_end": dt.time(12, 0),
            "pm_start": dt.time(14, 30),
            "pm_end": dt.time(17, 30),
        },
        "windows": [
            {
                "number": "01",
                "name": "社会救助窗口",
                "department_code": "441202-MZJ",
                "capacity": 2,
            },
            {
                "number": "02",
                "name": "婚姻登记窗口",
                "department_code": "441200-MZJ",
                "capacity": 2,
            },
            {
                "number": "03",
                "name": "公安户政窗口",
                "department_code": "441200-GAJ",
                "capacity": 2,
            },
        ],
        "items": [
            ("44120240500002000000T", "最低生活保障审核确认", "01"),
            ("44120240500003000000C", "临时救助", "01"),
            ("44120240500004000000W", "特困人员救助供养认定", "01"),
            ("441200307000040010003", "结婚登记", "02"),
            ("44120030700004002000O", "离婚登记", "02"),
            ("441200307000030000000", "居民身份证换领", "03"),
        ],
    },
]


def seed_appointments() -> list[Hall]:
    """Create the demo halls that do not exist yet (a hall an administrator changed is left
    alone); returns the halls created."""
    existing = set(Hall.objects.values_list("code", flat=True))
    return [
        services.hall_save(
            actor=ACTOR,
            code=str(h["code"]),
            fields=h["fields"],  # type: ignore[arg-type]
            windows=h["windows"],  # type: ignore[arg-type]
            items=h["items"],  # type: ignore[arg-type]
        )
        for h in HALLS
        if h["code"] not in existing
    ]
