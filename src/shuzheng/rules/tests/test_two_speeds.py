"""One rule, two speeds: on random subjects the per-case path (zen-engine), the plain-Python
evaluator and the vectorised polars plan give identical outcomes (and amounts to the cent)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuzheng.rules import batch, engine, facts, jdm, seed
from shuzheng.rules.jdm import to_number

SPECS = {s["code"]: s for s in seed.seed_specs()}
PROGRAMS = {}
for code, spec in SPECS.items():
    doc = seed.document_for(spec)
    PROGRAMS[code] = (
        doc,
        jdm.compile_document(
            doc, subject_kind=spec["subject_kind"], allow_form=bool(spec["item_code"])
        ),
    )

REGIONS = ["441202", "441203", "441204", "441223", "441284", "440103", "445302", "4412", ""]
ITEMS = [
    "高龄津贴",
    "残疾人两项补贴",
    "基本养老金",
    "职业技能提升补贴",
    "稳岗返还",
    "小微企业社保补贴",
    "一次性创业资助",
    "居民身份证",
    "残疾人证",
    "职业技能等级证书",
    "职业资格证书",
    "食品经营许可证",
    "营业执照",
]
SCOPES = ["日用百货零售", "餐饮服务", "食品销售", "烟草制品零售", "危险化学品经营", "软件开发", ""]
REASONS = ["劳动合同期满终止", "用人单位解除", "用人单位破产、关闭", "其他非本人意愿", "本人辞职"]


def value_for(f: facts.FactDef):
    if f.type == "bool":
        return st.booleans()
    if f.type == "list":
        return st.lists(st.sampled_from(ITEMS), max_size=4, unique=True)
    if f.choices:
        return st.sampled_from([*list(f.choices), "其他"])
    if f.type == "str":
        return st.sampled_from(
            REGIONS if "region" in f.name else ["A", "B", "M", "C", "D", "H6210", ""]
        )
    if f.name in ("si_layoff_rate",):
        return st.integers(0, 400).map(lambda x: x / 10)
    if f.name in ("si_unemployment_paid", "enterprise.registered_capital", "tax_revenue_last_year"):
        return st.integers(0, 10_000_000).map(lambda x: x / 100)
    return (
        st.integers(0, 2000) if f.name.startswith(("si_", "enterprise.")) else st.integers(0, 110)
    )


def subjects(kind: str):
    fields = {name: value_for(f) for name, f in facts.for_kind(kind).items()}
    fields["form.separation_reason"] = st.sampled_from(REASONS)
    fields["form.business_scope"] = st.sampled_from(SCOPES)
    return st.fixed_dictionaries(fields)


def check(code: str, people: list[dict]) -> None:
    doc, program = PROGRAMS[code]
    frame = batch.frame_from_records(
        program.subject_kind, [{"subject_id": str(i), **p} for i, p in enumerate(people)]
    )
    import polars as pl

    frame = frame.with_columns(
        pl.Series(
            "form.separation_reason", [p["form.separation_reason"] for p in people], dtype=pl.String
        ),
        pl.Series(
            "form.business_scope", [p["form.business_scope"] for p in people], dtype=pl.String
        ),
    )
    out = batch.evaluate_frame({"r": program}, frame).to_dicts()
    for subject, row in zip(people, out, strict=True):
        zen = engine.run(program, doc, subject)
        py = program.run(subject)
        vec = batch.outcome_name(row["r:outcome"])
        assert zen.outcome == py["outcome"] == vec, (code, subject, zen, py, row)
        if zen.outcome == "approve" and program.has_amount:
            a_py = engine.money(to_number(py["amount"]))
            a_pl = engine.money(row["r:amount"])
            assert abs(a_py - zen.amount) <= Decimal("0.01") and abs(a_pl - zen.amount) <= Decimal(
                "0.01"
            ), (code, subject)
        assert batch.row_reason(program, row["r:row"]) == (zen.reason if zen.row >= 0 else "")


@pytest.mark.parametrize("code", sorted(SPECS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_batch_equals_per_record(code, data):
    kind = SPECS[code]["subject_kind"]
    people = data.draw(st.lists(subjects(kind), min_size=1, max_size=12))
    check(code, people)
