"""Demo base registries (人口库、法人库、社保、税务、证照、待遇): about 2,000 people and 500
enterprises, generated deterministically, consistent with identity's demo accounts.

* Every value is a pure function of the subject's index (integer hashing that gives the same
  numbers in polars and in Python), so two processes, the tests and the benchmark see the same
  registries, and ``people_frame(1_000_000)`` costs a second rather than minutes.
* The demo accounts are the first rows, with their real ID numbers: 李明 (demo-citizen, born
  1990-05-12), 陈桂英 (demo-elder, born 1944-03-08, household 441202, not yet receiving 高龄津贴),
  王芳 (demo-agent), and 何秀兰, a 70-year-old in 441202 for the 高龄津贴 refusal. identity's
  twelve demo enterprises and the demo restaurant (``MA5XH0001``) open the enterprise registry
  with the same credit codes, names, industries and regions.
* A person or enterprise outside the registry (any valid ID number, e.g. a newly registered
  user) still gets facts: birth date and region from the ID number, the rest from the same
  hashing keyed by the number (``person_record_for``).

Snapshot: registries describe 2026-01-01; ages and company ages are computed on the decision
date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from typing import Any

import polars as pl

from shuzheng.core.codes import make_id_number, make_uscc

SNAPSHOT = dt.date(2026, 1, 1)
PEOPLE = 2000
ENTERPRISES = 500
_P = 2147483647  # 2**31 - 1, a prime: squares stay inside int64

SURNAMES = "陈李张黄王林梁刘吴何罗郑周谢冯邓曾彭苏卢蔡潘杨叶钟区莫冼"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉婷雪梅"
# Zhaoqing's counties (weights by population, roughly) and a few other Guangdong districts
REGIONS = [
    ("441202", 26),
    ("441203", 14),
    ("441204", 12),
    ("441223", 10),
    ("441224", 9),
    ("441225", 8),
    ("441226", 7),
    ("441284", 9),
    ("440103", 2),
    ("440606", 2),
    ("445302", 1),
]
INDUSTRIES = [  # identity's demo industries first (same order), then more
    ("C1391", "谷物磨制"),
    ("F5211", "百货零售"),
    ("H6210", "正餐服务"),
    ("I6510", "软件开发"),
    ("E4790", "房屋建筑"),
    ("C3311", "金属结构制造"),
    ("G5430", "道路货物运输"),
    ("O8010", "家庭服务"),
    ("C3985", "电子专用材料制造"),
    ("A0141", "蔬菜种植"),
    ("L7212", "企业管理咨询"),
    ("F5123", "果品、蔬菜批发"),
]
FOOD_INDUSTRIES = ("H6210", "F5123", "F5211")
SIZES = ("大型", "中型", "小型", "微型")
GRADES = ("A", "B", "M", "C", "D")


def mix(i: Any, salt: int) -> Any:
    """Deterministic pseudo-random integer in [0, 2**31 - 1) for index ``i``; works on Python
    ints and on polars integer expressions alike (squares stay below 2**63). Squaring makes the
    values for different salts independent (an affine map alone would correlate them)."""
    x = ((i + 1) * 2654435761 + salt * 97531) % _P
    x = (x * x + salt * 7919 + 12345) % _P
    x = (x * x + 40503) % _P
    return (x * x + salt) % _P


def _u(i: Any, salt: int) -> Any:
    """Uniform in [0, 1) with 1e-6 resolution."""
    return (mix(i, salt) % 1_000_000) / 1_000_000


def _pick(u: pl.Expr, options: list[tuple[Any, float]]) -> pl.Expr:
    """Weighted choice from a uniform column."""
    total = sum(w for _, w in options)
    acc = 0.0
    chain: Any = None
    for value, w in options[:-1]:
        acc += w / total
        chain = (pl.when(u < acc) if chain is None else chain.when(u < acc)).then(pl.lit(value))
    last = pl.lit(options[-1][0])
    return chain.otherwise(last) if chain is not None else last


def _list(*parts: pl.Expr) -> pl.Expr:
    return pl.concat_list(list(parts)).list.drop_nulls()


def _when(cond: pl.Expr, value: str) -> pl.Expr:
    return pl.when(cond).then(pl.lit(value)).otherwise(pl.lit(None, pl.String))


# --- people ---------------------------------------------------------------------------------


# (name, birth date, ID sequence number, overrides)
DEMO_PEOPLE: list[tuple[str, dt.date, int, dict[str, Any]]] = [
    (
        "李明",
        dt.date(1990, 5, 12),
        31,
        {
            "marital_status": "已婚",
            "employment_status": "在职",
            "si_pension_months": 150,
            "si_unemployment_months": 150,
            "licenses": ["居民身份证", "机动车驾驶证", "结婚证", "职业技能等级证书"],
            "benefits": [],
        },
    ),
    (
        "陈桂英",
        dt.date(1944, 3, 8),
        42,
        {
            "marital_status": "丧偶",
            "employment_status": "退休",
            "si_pension_months": 300,
            "si_unemployment_months": 0,
            "pension_receiving": True,
            "licenses": ["居民身份证", "社会保障卡"],
            "benefits": [],
        },
    ),
    (
        "王芳",
        dt.date(1986, 11, 20),
        64,
        {
            "marital_status": "已婚",
            "employment_status": "在职",
            "si_pension_months": 180,
            "si_unemployment_months": 180,
            "licenses": ["居民身份证", "结婚证"],
            "benefits": [],
        },
    ),
    (
        "何秀兰",
        dt.date(1956, 1, 16),
        82,
        {
            "marital_status": "已婚",
            "employment_status": "退休",
            "si_pension_months": 170,
            "si_unemployment_months": 0,
            "pension_receiving": False,
            "licenses": ["居民身份证"],
            "benefits": [],
        },
    ),
]
DUANZHOU = "441202"
_PERSON_BOOL = (
    "alive",
    "low_income",
    "hardship",
    "long_term_care",
    "pension_receiving",
    "credit_blacklisted",
)


def demo_id_numbers() -> dict[str, str]:
    """Names → ID numbers of the demo people (the accounts' persons and the 70-year-old)."""
    return {name: make_id_number(DUANZHOU, birth, seq) for name, birth, seq, _ in DEMO_PEOPLE}


def _person_extras(idx: pl.Expr, age: pl.Expr, male: pl.Expr) -> dict[str, pl.Expr]:
    """Everything but identity, from the index and the age on the snapshot date."""
    u_dis, u_low, u_emp, u_si = _u(idx, 11), _u(idx, 12), _u(idx, 13), _u(idx, 14)
    disabled = u_dis < 0.07
    level = pl.when(disabled).then((mix(idx, 15) % 4) + 1).otherwise(0)
    retire_age = pl.when(male).then(60).otherwise(55)
    retired = age >= retire_age
    employment = (
        pl.when(age < 18)
        .then(pl.lit("无"))
        .when(retired)
        .then(pl.when(u_emp < 0.75).then(pl.lit("退休")).otherwise(pl.lit("无")))
        .otherwise(_pick(u_emp, [("在职", 0.68), ("灵活就业", 0.12), ("失业", 0.08), ("无", 0.12)]))
    )
    work_years = (age - 20).clip(0, 40)
    pension_months = (
        pl.when(age < 18).then(0).otherwise((work_years * 12 * (0.3 + 0.7 * u_si)).floor())
    ).cast(pl.Int64)
    unemployment_months = (pension_months * (0.5 + 0.5 * _u(idx, 16))).floor().cast(pl.Int64)
    elderly = age >= 80
    has_allowance = elderly & (_u(idx, 17) < 0.6)
    care = disabled & (level <= 2) & (_u(idx, 18) < 0.6)
    low_income = u_low < 0.05
    hardship = ~low_income & (u_low < 0.08)
    two_subsidies = disabled & (low_income | hardship | care) & (_u(idx, 19) < 0.5)
    skilled = (age >= 20) & (age < 60) & (_u(idx, 20) < 0.1)
    married_u = _u(idx, 21)
    marital = (
        pl.when(age < 22)
        .then(pl.lit("未婚"))
        .otherwise(
            _pick(married_u, [("已婚", 0.72), ("未婚", 0.1), ("离婚", 0.06), ("丧偶", 0.12)])
        )
    )
    return {
        "marital_status": marital,
        "alive": pl.lit(True),
        "disability_level": level.cast(pl.Int64),
        "disability_category": pl.when(disabled)
        .then(
            _pick(
                _u(idx, 22),
                [
                    ("肢体", 0.45),
                    ("视力", 0.12),
                    ("听力", 0.12),
                    ("言语", 0.03),
                    ("智力", 0.1),
                    ("精神", 0.12),
                    ("多重", 0.06),
                ],
            )
        )
        .otherwise(pl.lit("")),
        "low_income": low_income,
        "hardship": hardship,
        "long_term_care": care,
        "employment_status": employment,
        "si_pension_months": pension_months,
        "si_unemployment_months": unemployment_months,
        "pension_receiving": employment == "退休",
        "credit_blacklisted": _u(idx, 23) < 0.01,
        "licenses": _list(
            pl.lit("居民身份证"),
            _when(_u(idx, 24) < 0.45, "机动车驾驶证"),
            _when(disabled, "残疾人证"),
            _when(marital == "已婚", "结婚证"),
            _when(skilled, "职业技能等级证书"),
            _when(_u(idx, 25) < 0.01, "食品经营许可证"),
        ),
        "benefits": _list(
            _when(has_allowance, "高龄津贴"),
            _when(two_subsidies, "残疾人两项补贴"),
            _when(employment == "退休", "基本养老金"),
        ),
        "applied_items": _list(_when(_u(idx, 26) < 0.05, "职业技能提升补贴申领")),
    }


def _age_on(birth: pl.Expr, day: dt.date) -> pl.Expr:
    before = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > (
        day.month * 100 + day.day
    )
    return (pl.lit(day.year) - birth.dt.year().cast(pl.Int32) - before.cast(pl.Int32)).cast(
        pl.Int64
    )


def people_frame(n: int = PEOPLE, *, ids: bool = True) -> pl.DataFrame:
    """The person registry on the snapshot date: one row per person; ``birth_date`` instead of
    ``age`` (``with_age`` adds it for a decision date). ``ids=False`` uses synthetic ids."""
    idx = pl.col("i")
    base = pl.DataFrame({"i": pl.int_range(0, n, eager=True)})
    region = _pick(_u(idx, 1), [(code, float(w)) for code, w in REGIONS])
    age_u = _u(idx, 2)
    snapshot_age = _pick(
        age_u, [(0, 0.06), (1, 0.18), (2, 0.44), (3, 0.18), (4, 0.14)]
    )  # bands: minors, young, adults, 60–79, 80+
    years = (
        pl.when(snapshot_age == 0)
        .then(6 + (mix(idx, 3) % 12))
        .when(snapshot_age == 1)
        .then(18 + (mix(idx, 3) % 12))
        .when(snapshot_age == 2)
        .then(30 + (mix(idx, 3) % 30))
        .when(snapshot_age == 3)
        .then(60 + (mix(idx, 3) % 20))
        .otherwise(80 + (mix(idx, 3) % 22))
    )
    birth = pl.lit(SNAPSHOT) - pl.duration(days=years * 365 + (mix(idx, 4) % 365) + years // 4)
    frame = base.with_columns(
        region.alias("hukou_region"),
        birth.cast(pl.Date).alias("birth_date"),
        (600 + (idx % 400)).alias("seq"),
    )
    frame = frame.with_columns(
        (pl.col("seq") % 2 == 1).alias("_male"),
        _age_on(pl.col("birth_date"), SNAPSHOT).alias("_age"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("_male")).then(pl.lit("M")).otherwise(pl.lit("F")).alias("sex"),
        **_person_extras(idx, pl.col("_age"), pl.col("_male")),
    )
    surname = pl.lit(SURNAMES).str.slice((mix(idx, 5) % len(SURNAMES)).cast(pl.Int64), 1)
    given = pl.lit(GIVEN).str.slice((mix(idx, 6) % len(GIVEN)).cast(pl.Int64), 1)
    given2 = (
        pl.when(mix(idx, 7) % 3 == 0)
        .then(pl.lit(""))
        .otherwise(pl.lit(GIVEN).str.slice((mix(idx, 8) % len(GIVEN)).cast(pl.Int64), 1))
    )
    frame = frame.with_columns(pl.concat_str([surname, given, given2]).alias("name"))
    frame = _apply_demo_people(frame)
    if ids:
        subject_ids = [
            make_id_number(r, b, s)
            for r, b, s in zip(
                frame["hukou_region"].to_list(),
                frame["birth_date"].to_list(),
                frame["seq"].to_list(),
                strict=True,
            )
        ]
    else:
        subject_ids = [f"P{i:09d}" for i in range(n)]
    return frame.with_columns(pl.Series("subject_id", subject_ids)).drop(
        "_male", "_age", "seq", "i"
    )


def _apply_demo_people(frame: pl.DataFrame) -> pl.DataFrame:
    rows = frame.head(len(DEMO_PEOPLE)).to_dicts()
    for k, (name, birth, seq, overrides) in enumerate(DEMO_PEOPLE):
        if k >= frame.height:
            break
        rows[k].update(
            {
                "name": name,
                "birth_date": birth,
                "seq": seq,
                "hukou_region": DUANZHOU,
                "sex": "M" if seq % 2 else "F",
                "alive": True,
                "disability_level": 0,
                "disability_category": "",
                "low_income": False,
                "hardship": False,
                "long_term_care": False,
                "pension_receiving": False,
                "credit_blacklisted": False,
                "applied_items": [],
                **overrides,
            }
        )
    head = pl.DataFrame(rows, schema=frame.schema)
    return pl.concat([head, frame.slice(len(rows))])


# --- enterprises ----------------------------------------------------------------------------

DEMO_ENTERPRISE = {
    "subject_id": make_uscc("9", "1", DUANZHOU, "MA5XH0001"),
    "name": "肇庆市星湖味道餐饮管理有限公司（演示）",
    "enterprise.industry_code": "H6210",
    "enterprise.industry": "正餐服务",
    "enterprise.region": DUANZHOU,
    "enterprise.employees": 18,
    "enterprise.registered_capital": 100.0,
    "founded_on": dt.date(2019, 6, 18),
    "licenses": ["营业执照", "食品经营许可证"],
}
IDENTITY_ENTERPRISES = 12  # identity.demo's generated enterprises: MA0000001 …


def enterprises_frame(n: int = ENTERPRISES, *, ids: bool = True) -> pl.DataFrame:
    """The enterprise registry (法人库 + 社保 + 税务 + 证照 + 待遇) on the snapshot date."""
    frame = _enterprise_fields(pl.DataFrame({"i": pl.int_range(0, n, eager=True)}))
    if ids:
        subject_ids = [
            make_uscc("9", "1", region_code, f"MA{i + 1:07d}")
            for i, region_code in enumerate(frame["enterprise.region"].to_list())
        ]
    else:
        subject_ids = [f"E{i:09d}" for i in range(n)]
    frame = frame.with_columns(pl.Series("subject_id", subject_ids)).drop("i")
    if n > IDENTITY_ENTERPRISES and ids:
        # the demo restaurant (identity's DEMO_ENTERPRISE) follows identity's twelve
        k = IDENTITY_ENTERPRISES
        row = frame.row(k, named=True)
        row.update(DEMO_ENTERPRISE)
        row.update(
            {
                "enterprise.size": "小型",
                "enterprise.status": "存续",
                "si_insured_employees": 16,
                "si_unemployment_paid": 11520.0,
                "si_layoff_rate": 0.0,
                "si_arrears": False,
                "tax_credit_grade": "A",
                "tax_revenue_last_year": 860.0,
                "credit_blacklisted": False,
                "benefits": [],
                "applied_items": [],
            }
        )
        frame = pl.concat(
            [frame.head(k), pl.DataFrame([row], schema=frame.schema), frame.slice(k + 1)]
        )
    return frame


def _enterprise_fields(base: pl.DataFrame) -> pl.DataFrame:
    idx = pl.col("i")
    u_emp = _u(idx, 31)
    employees = (
        pl.when(u_emp < 0.55)
        .then(1 + mix(idx, 32) % 9)
        .when(u_emp < 0.85)
        .then(10 + mix(idx, 32) % 90)
        .when(u_emp < 0.96)
        .then(100 + mix(idx, 32) % 200)
        .otherwise(300 + mix(idx, 32) % 1700)
    ).cast(pl.Int64)
    industry = mix(idx, 33) % len(INDUSTRIES)
    # identity's demo enterprises: industry n % 8, region alternating 441203/441202
    industry = pl.when(idx < IDENTITY_ENTERPRISES).then(idx % 8).otherwise(industry)
    region = (
        pl.when(idx < IDENTITY_ENTERPRISES)
        .then(pl.when(idx % 2 == 1).then(pl.lit("441202")).otherwise(pl.lit("441203")))
        .otherwise(_pick(_u(idx, 34), [(code, float(w)) for code, w in REGIONS]))
    )
    founded = pl.lit(dt.date(2000, 1, 1)) + pl.duration(days=mix(idx, 35) % 9490)
    frame = base.with_columns(
        employees.alias("enterprise.employees"),
        industry.cast(pl.Int64).alias("_ind"),
        region.alias("enterprise.region"),
        founded.cast(pl.Date).alias("founded_on"),
    )
    emp = pl.col("enterprise.employees")
    ind_code = pl.col("_ind").replace_strict(
        list(range(len(INDUSTRIES))), [c for c, _ in INDUSTRIES], return_dtype=pl.String
    )
    ind_name = pl.col("_ind").replace_strict(
        list(range(len(INDUSTRIES))), [nm for _, nm in INDUSTRIES], return_dtype=pl.String
    )
    insured = (emp * (0.6 + 0.4 * _u(idx, 36))).ceil().cast(pl.Int64)
    layoff = (
        pl.when(_u(idx, 37) < 0.85)
        .then((mix(idx, 38) % 40) / 10)
        .otherwise(5 + (mix(idx, 38) % 200) / 10)
    )
    frame = frame.with_columns(
        ind_code.alias("enterprise.industry_code"),
        ind_name.alias("enterprise.industry"),
        pl.when(emp >= 300)
        .then(pl.lit("大型"))
        .when(emp >= 100)
        .then(pl.lit("中型"))
        .when(emp >= 10)
        .then(pl.lit("小型"))
        .otherwise(pl.lit("微型"))
        .alias("enterprise.size"),
        (pl.lit(10.0) * (1 + mix(idx, 39) % 500)).alias("enterprise.registered_capital"),
        pl.when(_u(idx, 40) < 0.95)
        .then(pl.lit("存续"))
        .otherwise(_pick(_u(idx, 41), [("注销", 0.5), ("吊销", 0.5)]))
        .alias("enterprise.status"),
        insured.alias("si_insured_employees"),
        (insured * (480 + mix(idx, 42) % 480)).cast(pl.Float64).alias("si_unemployment_paid"),
        layoff.cast(pl.Float64).alias("si_layoff_rate"),
        (_u(idx, 43) < 0.05).alias("si_arrears"),
        _pick(
            _u(idx, 44), [(g, w) for g, w in zip(GRADES, (0.2, 0.45, 0.2, 0.1, 0.05), strict=True)]
        ).alias("tax_credit_grade"),
        (emp * (20 + mix(idx, 45) % 80)).cast(pl.Float64).alias("tax_revenue_last_year"),
        (_u(idx, 46) < 0.02).alias("credit_blacklisted"),
        _list(
            pl.lit("营业执照"),
            _when(
                pl.col("_ind").is_in(
                    [i for i, (c, _) in enumerate(INDUSTRIES) if c in FOOD_INDUSTRIES]
                )
                & (_u(idx, 47) < 0.9),
                "食品经营许可证",
            ),
        ).alias("licenses"),
        _list(_when(_u(idx, 48) < 0.1, "稳岗返还")).alias("benefits"),
        _list(_when(_u(idx, 49) < 0.03, "失业保险稳岗返还")).alias("applied_items"),
    )
    word = pl.lit("星湖鼎湖端砚七星西江宋城包公羚羊高要四会广宁怀集封开德庆").str.slice(
        ((mix(idx, 50) % 16) * 2).cast(pl.Int64), 2
    )
    frame = frame.with_columns(
        pl.concat_str(
            [pl.lit("肇庆市"), word, pl.col("enterprise.industry"), pl.lit("有限公司（演示）")]
        ).alias("name")
    )
    frame = frame.with_columns(
        pl.when(idx < IDENTITY_ENTERPRISES)
        .then(
            pl.concat_str(
                [
                    pl.lit("肇庆市演示"),
                    pl.col("enterprise.industry"),
                    pl.lit("有限公司"),
                    (idx + 1).cast(pl.String).str.zfill(2),
                ]
            )
        )
        .otherwise(pl.col("name"))
        .alias("name")
    )
    return frame.drop("_ind")


def with_age(frame: pl.DataFrame | pl.LazyFrame, kind: str, as_of: dt.date) -> pl.LazyFrame:
    """Facts that depend on the decision date: ``age`` and ``enterprise.age_months``."""
    lazy = frame.lazy()
    if kind == "person":
        return lazy.with_columns(_age_on(pl.col("birth_date"), as_of).alias("age"))
    founded = pl.col("founded_on")
    months = (
        (as_of.year - founded.dt.year().cast(pl.Int32)) * 12
        + (as_of.month - founded.dt.month().cast(pl.Int32))
        - (founded.dt.day().cast(pl.Int32) > as_of.day).cast(pl.Int32)
    )
    return lazy.with_columns(months.cast(pl.Int64).alias("enterprise.age_months"))


@cache
def people() -> pl.DataFrame:
    return people_frame(PEOPLE)


@cache
def enterprises() -> pl.DataFrame:
    return enterprises_frame(ENTERPRISES)


@cache
def _index(kind: str) -> dict[str, dict[str, Any]]:
    frame = people() if kind == "person" else enterprises()
    return {r["subject_id"]: r for r in frame.to_dicts()}


def record(kind: str, subject_id: str) -> dict[str, Any] | None:
    """The registry row of a subject, if the registry holds it."""
    row = _index(kind).get(subject_id)
    return dict(row) if row is not None else None


def hash_index(subject_id: str) -> int:
    """A stable index for a subject outside the registry (so its extras are deterministic)."""
    return PEOPLE * 1000 + int(hashlib.sha256(subject_id.encode()).hexdigest()[:8], 16)


def person_record_for(
    subject_id: str, *, birth: dt.date, region: str, sex: str, name: str
) -> dict[str, Any]:
    """Facts of a person outside the registry: identity from the ID number, the rest hashed."""
    idx = hash_index(subject_id)
    age = SNAPSHOT.year - birth.year - ((birth.month, birth.day) > (SNAPSHOT.month, SNAPSHOT.day))
    frame = pl.DataFrame({"i": [idx], "_age": [age], "_male": [sex == "M"]}).with_columns(
        **_person_extras(pl.col("i"), pl.col("_age"), pl.col("_male"))
    )
    row = frame.drop("i", "_age", "_male").to_dicts()[0]
    row.update(subject_id=subject_id, name=name, birth_date=birth, hukou_region=region, sex=sex)
    # someone who reaches 80 after registering has not been granted the allowance yet
    if age < 80:
        row["benefits"] = [b for b in row["benefits"] if b != "高龄津贴"]
    return row


def enterprise_record_for(subject_id: str, **known: Any) -> dict[str, Any]:
    """Facts of an enterprise outside the registry: what identity knows, the rest hashed."""
    frame = _enterprise_fields(pl.DataFrame({"i": [hash_index(subject_id)]}))
    row = frame.drop("i").to_dicts()[0]
    row.update({k: v for k, v in known.items() if v is not None})
    row["subject_id"] = subject_id
    return row
