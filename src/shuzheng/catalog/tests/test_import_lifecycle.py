import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuzheng.audit.models import AuditRecord
from shuzheng.catalog import selectors, services
from shuzheng.catalog.excel import read_workbook, write_workbook
from shuzheng.catalog.models import Bundle, ImmutableError, ServiceItem, Status
from shuzheng.catalog.spec import ItemSpec
from shuzheng.catalog.tests import fixtures

pytestmark = pytest.mark.django_db
ACTOR = "user:demo-admin"


def _import(doc=None, publish=True):
    return services.catalog_import(actor=ACTOR, doc=doc or fixtures.document(), publish=publish)


def test_import_publishes_items_and_bundles():
    r = _import()
    assert (r.items, r.bundles) == (3, 1)
    code = fixtures.code_of(fixtures.marriage())
    assert code == "44120030700001000000X"
    item = selectors.item_detail(code)
    assert (item.name, item.version, item.status, item.promised_days) == (
        "结婚登记",
        1,
        "published",
        0,
    )
    assert item.department_name == "肇庆市民政局"
    assert AuditRecord.objects.filter(
        action="catalog.serviceitem_publish", object_id=f"{code}@1"
    ).exists()


def test_one_bad_row_imports_nothing_and_names_row_and_field():
    doc = fixtures.document()
    doc["items"][1]["materials"][0]["form_kind"] = "photocopy"
    doc["items"][2]["department"] = "NO-SUCH"
    before = (ServiceItem.objects.count(), Bundle.objects.count(), AuditRecord.objects.count())
    with pytest.raises(services.ImportRejected) as exc:
        _import(doc)
    texts = [e.as_text() for e in exc.value.row_errors]
    assert (
        "items 第2行（营业执照（设立登记））字段 materials.0.form_kind（申请材料）："
        "取值不在允许范围内" in texts
    )
    assert (
        "items 第3行（食品经营许可）字段 department（实施部门）：部门编码 NO-SUCH 不存在" in texts
    )
    assert (
        ServiceItem.objects.count(),
        Bundle.objects.count(),
        AuditRecord.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda i: i.update(item_type="05"), "(整体)", "基本编码前2位应与事项类型代码一致"),
        (
            lambda i: i.update(promised_days=5, handling_type="instant"),
            "(整体)",
            "即办件的承诺办结时限应为0个工作日",
        ),
        (
            lambda i: i.update(implementation_code="44120030700001000000Y"),
            "(整体)",
            "实施编码校验位错误",
        ),
        (lambda i: i.pop("legal_basis"), "legal_basis", "必填"),
        (lambda i: i.update(themes=["吃饭"]), "themes", "未知主题：吃饭"),
        (
            lambda i: i["form"]["schema"]["properties"]["spouse_name"].pop("title"),
            "form.schema",
            "表单字段 spouse_name 缺少 title（中文标题）",
        ),
        (
            lambda i: i["situations"][0]["add_materials"].append("M9"),
            "(整体)",
            "情形 S1 引用了不存在的材料 M9",
        ),
    ],
)
def test_item_rules(mutate, field, message):
    item = fixtures.marriage()
    mutate(item)
    with pytest.raises(services.ImportRejected) as exc:
        _import({"items": [item]})
    first = exc.value.row_errors[0]
    assert (first.row, first.field, first.message) == (1, field, message)


def test_bundle_referencing_unknown_item_is_rejected():
    doc = fixtures.document()
    doc["bundles"][0]["items"].append("44120030100009000000X")
    with pytest.raises(services.ImportRejected) as exc:
        _import(doc)
    assert exc.value.row_errors[0].field == "items.2"


def test_lifecycle_and_immutability():
    _import(publish=False)
    code = fixtures.code_of(fixtures.marriage())
    item = ServiceItem.objects.get(code=code, version=1)
    assert item.status == Status.DRAFT
    with pytest.raises(services.Conflict):  # cannot publish a draft without review
        services.catalog_transition(
            actor=ACTOR, kind="item", code=code, version=1, action="publish"
        )
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=1, action="submit")
    services.catalog_transition(
        actor=ACTOR, kind="item", code=code, version=1, action="reject", note="材料名称不规范"
    )
    assert ServiceItem.objects.get(pk=item.pk).review_note == "材料名称不规范"
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=1, action="submit")
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=1, action="publish")
    published = ServiceItem.objects.get(pk=item.pk)
    published.name = "改名"
    with pytest.raises(ImmutableError):
        published.save()
    # a new version supersedes the old one; the old version stays readable for cases filed under it
    changed = fixtures.marriage()
    changed["promised_days"] = 0
    changed["materials"][2]["count"] = 2
    services.catalog_new_draft_from(actor=ACTOR, kind="item", code=code, spec=changed)
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=2, action="submit")
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=2, action="publish")
    v1 = ServiceItem.objects.get(code=code, version=1)
    assert v1.status == Status.RETIRED and v1.effective_to == dt.date.today() - dt.timedelta(days=1)
    assert selectors.item_detail(code).version == 2
    assert selectors.item_detail(code, version=1).materials[2].count == 3
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=2, action="retire")
    with pytest.raises(services.NotFound):
        selectors.item_detail(code)


def test_future_effective_date_keeps_current_version_until_then():
    _import()
    code = fixtures.code_of(fixtures.marriage())
    services.catalog_new_draft_from(actor=ACTOR, kind="item", code=code, spec=fixtures.marriage())
    services.catalog_transition(actor=ACTOR, kind="item", code=code, version=2, action="submit")
    start = dt.date.today() + dt.timedelta(days=10)
    services.catalog_transition(
        actor=ACTOR, kind="item", code=code, version=2, action="publish", effective=start
    )
    assert selectors.item_detail(code).version == 1
    assert ServiceItem.objects.get(code=code, version=1).effective_to == start - dt.timedelta(
        days=1
    )


def test_bundle_publish_needs_published_members():
    _import(publish=False)
    b = Bundle.objects.get()
    services.catalog_transition(actor=ACTOR, kind="bundle", code=b.code, version=1, action="submit")
    with pytest.raises(services.Conflict, match="尚未发布"):
        services.catalog_transition(
            actor=ACTOR, kind="bundle", code=b.code, version=1, action="publish"
        )


def test_bundle_merged_form_materials_and_time_limit():
    _import()
    b = selectors.bundle_detail("YJS441200002")
    props = b.form_schema["x-order"]  # the order survives jsonb (PostgreSQL) too
    # applicant_* asked once though both items ask them
    assert props.count("applicant_name") == 1
    assert props == [
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "enterprise_name",
        "registered_capital",
        "business_area",
    ]
    names = [m.name for m in b.materials]
    assert names.count("居民身份证") == 1  # de-duplicated by licence type
    assert "网络经营说明" not in names  # only a situation needs it
    assert "营业执照" not in names  # issued by a member of the bundle itself
    assert b.promised_days == 5 and b.statutory_days == 10
    assert [m.department for m in b.members] == ["441200-SCJGJ", "441200-SCJGJ"]


def test_item_guide_reduces_materials():
    _import()
    code = fixtures.code_of(fixtures.marriage())
    all_materials = [m.name for m in selectors.item_detail(code).materials]
    mainland = [m.name for m in selectors.item_guide(code, {"Q1": "mainland"}).materials]
    hmt = [m.name for m in selectors.item_guide(code, {"Q1": "hmt"}).materials]
    assert len(all_materials) == 5
    assert mainland == ["居民身份证", "居民户口簿", "近期半身免冠合影照片"]
    assert hmt == ["居民身份证", "近期半身免冠合影照片", "港澳台居民往来内地通行证"]


def test_bundle_guide_excludes_items():
    _import()
    full = selectors.bundle_guide("YJS441200002", {"Q1": "no"})
    has_license = selectors.bundle_guide("YJS441200002", {"Q1": "yes"})
    assert len(has_license.materials) < len(full.materials)
    assert "公司章程" in [m.name for m in full.materials]
    assert "公司章程" not in [m.name for m in has_license.materials]
    # whoever already holds a business licence is asked for it (e-licence reuse applies)
    assert "营业执照" in [m.name for m in has_license.materials]
    assert "营业执照" not in [m.name for m in full.materials]


def test_json_and_excel_round_trip(tmp_path):
    _import()
    doc = selectors.export_document()
    xlsx = tmp_path / "catalog.xlsx"
    write_workbook(doc, xlsx)
    again, rows = read_workbook(xlsx)
    assert rows["items"] == [2, 3, 4]
    assert [i["name"] for i in again["items"]] == [i["name"] for i in doc["items"]]
    # the same elements after the round trip (empty texts come back as defaults)
    for a, b in zip(again["items"], doc["items"], strict=True):
        assert ItemSpec.model_validate(a).model_dump() == ItemSpec.model_validate(b).model_dump()
    r = services.catalog_import_file(actor=ACTOR, path=xlsx, check_only=True)
    assert (r.items, r.bundles) == (3, 1)


def test_excel_bad_row_is_named_by_excel_row(tmp_path):
    _import()
    doc = selectors.export_document()
    doc["items"][1]["statutory_days"] = "三天"
    xlsx = tmp_path / "bad.xlsx"
    write_workbook(doc, xlsx)
    n = ServiceItem.objects.count()
    with pytest.raises(CommandError):
        call_command("catalog_import", str(xlsx))
    with pytest.raises(services.ImportRejected) as exc:
        services.catalog_import_file(actor=ACTOR, path=xlsx)
    e = exc.value.row_errors[0]
    assert (e.sheet, e.row, e.field, e.message) == ("items", 3, "statutory_days", "应为整数")
    assert ServiceItem.objects.count() == n


def test_import_and_export_commands(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(fixtures.document(), ensure_ascii=False), encoding="utf-8")
    call_command("catalog_import", str(path), "--check")
    assert ServiceItem.objects.count() == 0
    call_command("catalog_import", str(path), "--publish")
    out = tmp_path / "out.json"
    call_command("catalog_export", str(out))
    assert len(json.loads(out.read_text(encoding="utf-8"))["items"]) == 3
