"""Issuing (from a case, by CSV import, demo seed), status and history, reuse (免证办)."""

import datetime as dt
import io

import pytest
import time_machine
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_id_number
from shuzheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.identity.models import Department
from shuzheng.licenses import demo, facade, identifiers, services
from shuzheng.licenses.models import License, LicenseEvent, LicenseType, LicenseUse
from shuzheng.licenses.services.pdffiles import pdf_bytes
from shuzheng.licenses.tests.conftest import AGENT, CITIZEN, ELDER, ENTERPRISE
from shuzheng.seals import crypto
from shuzheng.seals import facade as seals
from shuzheng.seals.models import Seal

pytestmark = pytest.mark.django_db

MARRIAGE = {
    "name": "李明",
    "id_number": CITIZEN,
    "spouse_name": "王芳",
    "spouse_id_number": AGENT,
    "registered_on": "2026-05-20",
    "cert_no": "J441202-2026-000123",
}


def _issue_marriage(**over):
    kw = {
        "case_no": "BJ4412022026000001",
        "item_code": "441202-JHDJ",
        "license_type_name": "结婚证",
        "holder_kind": "person",
        "holder_id": CITIZEN,
        "holder_name": "李明",
        "department_code": "441202-MZJ",
        "data": MARRIAGE,
        **over,
    }
    return facade.issue_from_case(**kw)


def test_types_catalog_has_every_type_the_service_catalog_names(types):
    import json
    from pathlib import Path

    cat = json.loads(
        (Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog.json").read_text()
    )
    wanted = {
        m["license_type"] for i in cat["items"] for m in i["materials"] if m.get("license_type")
    }
    names = set(LicenseType.objects.values_list("name", flat=True))
    assert wanted <= names
    assert len(names) >= 20
    for required in ("结婚证", "出生医学证明", "居民户口簿", "居住证", "营业执照", "食品经营许可证",
                     "社会保障卡", "残疾人证", "不动产权证书", "高龄津贴资格确认书", "居民身份证",
                     "离婚证", "机动车驾驶证", "退休证", "毕业证书", "预防接种证", "教师资格证书",
                     "医疗机构执业许可证", "不动产登记证明", "职称证书"):  # fmt: skip
        assert required in names
    t = LicenseType.objects.get(name="结婚证")
    definer = Department.objects.get(code="440000-MZT")
    assert t.code == definer.uscc + "001" and len(t.code) == 21
    assert "双方结婚证" in t.replaces
    assert services.license_types_load(actor="t") == {"created": 0, "updated": 0, "total": 31}


def test_issue_from_case_signs_seals_and_records(types):
    audits = AuditRecord.objects.count()
    ref = _issue_marriage()
    lic = License.objects.get(license_id=ref.license_id)
    # 证照标识: OID root . type code . issuer credit code . serial . version . MOD 37,36 check
    parts = ref.license_id.split(".")
    assert ".".join(parts[:5]) == "1.2.156.3005.2"
    assert parts[5] == LicenseType.objects.get(name="结婚证").code
    assert parts[6] == Department.objects.get(code="441202-MZJ").uscc == lic.department_uscc
    assert parts[7] == lic.serial and parts[8] == "001"
    assert identifiers.check_license_id(ref.license_id)
    assert (ref.status, ref.valid_until, ref.license_no) == ("valid", None, "J441202-2026-000123")
    assert lic.case_no == "BJ4412022026000001" and lic.source == "case"
    # the SM2 signature covers the canonical payload and verifies with the department's seal
    assert lic.sign_algorithm == "SM2-SM3"
    out = seals.verify(lic.sign_key_id, bytes(lic.signed_payload), bytes(lic.signature))
    assert out.valid
    payload = bytes(lic.signed_payload).decode()
    assert payload == crypto.canonical_bytes(__import__("json").loads(payload)).decode()
    assert '"spouse_name":"王芳"' in payload and ref.license_id in payload
    # history and audit in the same transaction
    assert list(lic.events.values_list("action", "to_status")) == [("issue", "valid")]
    rec = AuditRecord.objects.get(action="licenses.issue", object_id=ref.license_id)
    assert rec.after["holder_id"] == CITIZEN[:6] + "********" + CITIZEN[-4:]
    assert AuditRecord.objects.count() > audits


def test_issue_from_case_is_idempotent(types):
    a = _issue_marriage()
    b = _issue_marriage()
    assert a.license_id == b.license_id
    assert License.objects.filter(case_no="BJ4412022026000001").count() == 1


def test_pdf_is_chinese_with_qr_and_a_pades_signature_pyhanko_accepts(types):
    lic = License.objects.get(license_id=_issue_marriage().license_id)
    pdf = pdf_bytes(lic)
    assert pdf.startswith(b"%PDF-") and b"STSong-Light" in pdf
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = reader.embedded_signatures[0]
    seal = Seal.objects.get(key_id=lic.pdf_key_id)
    assert seal.algorithm == crypto.ECDSA_P256
    root = asn1_x509.Certificate.load(bytes(seal.certificate_der))
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.md_algorithm == "sha256"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert seals.verify_pdf(pdf).valid


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"license_type_name": "不存在证"}, "license_type"),
        ({"holder_id": "441202199005120318"}, "holder_id"),
        ({"holder_kind": "enterprise", "holder_id": ENTERPRISE}, "holder_kind"),
        ({"holder_name": ""}, "holder_name"),
        ({"department_code": "999999-XXX"}, "department_code"),
        ({"data": {**MARRIAGE, "cert_no": ""}}, "data.cert_no"),
        ({"data": {**MARRIAGE, "colour": "红"}}, "data.colour"),
        ({"data": {**MARRIAGE, "registered_on": "2026-02-30"}}, "data.registered_on"),
        ({"data": {**MARRIAGE, "id_number": ELDER}}, "data.id_number"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(types, over, field):
    counts = (License.objects.count(), AuditRecord.objects.count(), Seal.objects.count())
    with pytest.raises(ValidationFailed) as e:
        _issue_marriage(**over)
    assert field in [x.field for x in e.value.errors]
    assert all(x.message for x in e.value.errors)
    assert (License.objects.count(), AuditRecord.objects.count(), Seal.objects.count()) == counts


def test_alternative_suites_issue_too(types):
    for algorithm in (crypto.ED25519, crypto.ECDSA_P256):
        lic = services.license_issue(
            actor="t",
            license_type_name="结婚证",
            holder_kind="person",
            holder_id=CITIZEN,
            holder_name="李明",
            department_code="441202-MZJ",
            data=MARRIAGE,
            algorithm=algorithm,
        )
        assert lic.sign_algorithm == algorithm
        assert seals.verify(lic.sign_key_id, bytes(lic.signed_payload), bytes(lic.signature)).valid


def test_serials_count_up_per_type_department_and_year(types):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        ids = [
            services.license_issue(
                actor="t",
                license_type_name="结婚证",
                holder_kind="person",
                holder_id=CITIZEN,
                holder_name="李明",
                department_code="441202-MZJ",
                data={**MARRIAGE, "cert_no": f"J-{i}"},
            ).serial
            for i in range(3)
        ]
    assert ids == [f"2026{n:08d}" for n in (1, 2, 3)]


# --- demo --------------------------------------------------------------------------------------


def test_seed_licenses_is_idempotent_and_matches_the_demo_people(demo_licenses):
    first = License.objects.count()
    assert demo.seed_licenses()["issued"] == 0
    assert License.objects.count() == first
    card = demo_licenses(CITIZEN, "居民身份证")
    assert card.holder_name == "李明" and card.data["sex"] == "男"
    assert card.data["address"] == "广东省肇庆市端州区城东街道天宁北路12号"
    assert card.valid_until == dt.date(2041, 6, 15)
    assert demo_licenses(ELDER, "居民身份证").valid_until is None  # 长期 (issued at 66)
    assert demo_licenses(ELDER, "居民户口簿").data["name"] == "陈桂英"
    biz = demo_licenses(ENTERPRISE, "营业执照")
    assert biz.holder_kind == "enterprise" and biz.data["legal_representative"] == "王芳"
    assert demo_licenses(AGENT, "居民身份证").holder_name == "王芳"


# --- reuse (免证办) ------------------------------------------------------------------------------


def test_satisfying_returns_valid_licenses_of_the_type_only(demo_licenses):
    got = facade.satisfying("person", CITIZEN, "居民身份证")
    assert [r.type_name for r in got] == ["居民身份证"]
    assert facade.satisfying("person", CITIZEN, "结婚证") == []
    assert facade.satisfying("person", ELDER, "居民身份证")[0].holder_name == "陈桂英"
    assert [r.type_name for r in facade.satisfying("enterprise", ENTERPRISE, "营业执照")] == [
        "营业执照"
    ]
    admin = Principal(kind="staff", username="demo-admin", is_superuser=True)
    services.license_change_status(
        principal=admin, license_id=got[0].license_id, action="suspend", reason="核查"
    )
    assert facade.satisfying("person", CITIZEN, "居民身份证") == []


def test_record_use_writes_the_use_with_the_case_number(demo_licenses):
    lid = demo_licenses(CITIZEN, "居民户口簿").license_id
    facade.record_use(lid, "BJ2026000042", "免证办：申请人居民户口簿", "user:demo-clerk")
    use = LicenseUse.objects.get(license__license_id=lid, kind="use")
    assert (use.case_no, use.actor) == ("BJ2026000042", "user:demo-clerk")
    assert AuditRecord.objects.filter(action="licenses.use", object_id=lid).exists()
    with pytest.raises(NotFound):
        facade.record_use("1.2.3", "BJ1", "x", "user:x")


def test_license_of_holder_checks_ownership(demo_licenses):
    lid = demo_licenses(CITIZEN, "居民身份证").license_id
    assert facade.license_of_holder(lid, "person", CITIZEN).license_id == lid
    assert facade.license_of_holder(lid, "person", ELDER) is None
    assert facade.license_of_holder("nope", "person", CITIZEN) is None


# --- status -------------------------------------------------------------------------------------

REVIEWER = Principal(
    kind="staff", username="demo-reviewer", staff_roles=(("reviewer", "441200-GAJ"),)
)


def test_status_changes_keep_history_and_are_audited(demo_licenses):
    lid = demo_licenses(CITIZEN, "居民身份证").license_id
    services.license_change_status(
        principal=REVIEWER, license_id=lid, action="suspend", reason="挂失"
    )
    services.license_change_status(
        principal=REVIEWER, license_id=lid, action="resume", reason="找回"
    )
    lic = services.license_change_status(
        principal=REVIEWER, license_id=lid, action="revoke", reason="依法吊销"
    )
    assert (lic.status, lic.revocation_kind) == ("revoked", "revoke")
    assert list(LicenseEvent.objects.filter(license=lic).values_list("action", "to_status")) == [
        ("issue", "valid"),
        ("suspend", "suspended"),
        ("resume", "valid"),
        ("revoke", "revoked"),
    ]
    actions = ["licenses.suspend", "licenses.resume", "licenses.revoke"]
    assert AuditRecord.objects.filter(object_id=lid, action__in=actions).count() == 3
    with pytest.raises(Conflict):
        services.license_change_status(
            principal=REVIEWER, license_id=lid, action="resume", reason="x"
        )


def test_status_change_permissions_and_reason(demo_licenses):
    lid = demo_licenses(CITIZEN, "居民身份证").license_id
    holder = Principal(kind="person", username="demo-citizen", id_number=CITIZEN)
    with pytest.raises(Forbidden):
        services.license_change_status(
            principal=holder, license_id=lid, action="cancel", reason="x"
        )
    other = Principal(kind="staff", username="x", staff_roles=(("reviewer", "441200-MZJ"),))
    with pytest.raises(NotFound):
        services.license_change_status(principal=other, license_id=lid, action="cancel", reason="x")
    with pytest.raises(ValidationFailed):
        services.license_change_status(
            principal=REVIEWER, license_id=lid, action="cancel", reason=""
        )
    with pytest.raises(ValidationFailed):
        services.license_change_status(
            principal=REVIEWER, license_id=lid, action="burn", reason="x"
        )
    assert License.objects.get(license_id=lid).status == "valid"


def test_expiry_is_effective_at_once_and_recorded_by_the_task(demo_licenses):
    from shuzheng.licenses.tasks import expire_licenses

    lic = demo_licenses(ENTERPRISE, "食品经营许可证")
    assert lic.valid_until == dt.date(2029, 6, 30)
    later = dt.datetime(2029, 7, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        assert facade.satisfying("enterprise", ENTERPRISE, "食品经营许可证") == []
        assert expire_licenses.enqueue().return_value == 1
        assert expire_licenses.enqueue().return_value == 0
    lic.refresh_from_db()
    assert lic.status == "expired"
    assert lic.events.last().action == "expire"


# --- CSV import (存量证照) ------------------------------------------------------------------------

ADMIN = Principal(kind="staff", username="demo-admin", is_superuser=True)
CLERK_GAJ = Principal(kind="staff", username="c", staff_roles=(("window_clerk", "441200-GAJ"),))


def _csv(rows: list[str], header: str = "") -> bytes:
    header = header or (
        "证照类型,持证主体类型,持证主体代码,持证主体名称,颁发部门,证照编号,颁发日期,有效期截止,"
        "姓名,公民身份号码,性别,data.vehicle_class,初次领证日期,档案编号"
    )
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _row(n: int, **over: str) -> str:
    idn = make_id_number("441202", dt.date(1980, 1, 1) + dt.timedelta(days=n), 100 + 2 * n)
    v = {
        "type": "机动车驾驶证",
        "kind": "自然人",
        "id": idn,
        "name": f"测试{n}",
        "dept": "441200-GAJ",
        "no": f"4412{n:08d}",
        "issued": "2020-03-01",
        "until": "2026-03-01" if n % 2 else "2032-03-01",
        "data_id": idn,
        **over,
    }
    return (
        f"{v['type']},{v['kind']},{v['id']},{v['name']},{v['dept']},{v['no']},{v['issued']},"
        f"{v['until']},{v['name']},{v['data_id']},男,C1,2010-05-06,44120{n:07d}"
    )


def test_import_of_existing_licenses(types):
    issued = services.license_import_csv(principal=CLERK_GAJ, content=_csv([_row(1), _row(2)]))
    assert len(issued) == 2
    lic = issued[1]
    assert (lic.source, lic.license_no, lic.data["vehicle_class"]) == (
        "import",
        "441200000002",
        "C1",
    )
    assert issued[0].status == "expired" and issued[1].status == "valid"
    assert lic.events.get().action == "import"
    assert AuditRecord.objects.filter(action="licenses.import_batch").count() == 1
    assert seals.verify(lic.sign_key_id, bytes(lic.signed_payload), bytes(lic.signature)).valid


def test_import_reads_gbk_files(types):
    content = _csv([_row(3)]).decode("utf-8").encode("gb18030")
    assert len(services.license_import_csv(principal=ADMIN, content=content)) == 1


def test_a_bad_row_imports_nothing_and_names_rows_and_fields(types):
    before = (License.objects.count(), AuditRecord.objects.count())
    rows = [
        _row(1),
        _row(2, id="441202198001010000"),
        _row(3, type="飞行执照"),
        _row(4, dept="441200-MZJ"),
        _row(5, issued="2020/03/01"),
        _row(1),  # duplicate of the first row
    ]
    with pytest.raises(ValidationFailed) as e:
        services.license_import_csv(principal=CLERK_GAJ, content=_csv(rows))
    fields = [x.field for x in e.value.errors]
    assert "rows.3.holder_id" in fields
    assert "rows.4.license_type" in fields
    assert "rows.5.department_code" in fields  # the clerk has no role in 441200-MZJ
    assert "rows.6.issued_on" in fields
    assert "rows.7.license_no" in fields
    assert all(x.message.startswith("第 ") for x in e.value.errors)
    assert "未导入任何证照" in e.value.message
    assert (License.objects.count(), AuditRecord.objects.count()) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        ("证照类型,持证主体代码\n居民身份证,1\n".encode(), "缺少必需的列"),
        (b"\xff\xfe\x00garbage\x81", "编码"),
    ],
)
def test_unreadable_files_are_refused(types, content, message):
    with pytest.raises(ValidationFailed) as e:
        services.license_import_csv(principal=ADMIN, content=content)
    assert message in e.value.message


def test_citizens_cannot_import(types):
    with pytest.raises(Forbidden):
        services.license_import_csv(
            principal=Principal(kind="person", username="x", id_number=CITIZEN),
            content=_csv([_row(1)]),
        )


def test_exchange_record_summarises_without_face_data(demo_licenses):
    rec = facade.exchange_record("enterprise", ENTERPRISE)
    assert rec["valid_types"] == ["营业执照", "食品经营许可证"]
    assert {x["type_name"] for x in rec["licences"]} == {"营业执照", "食品经营许可证"}
    assert "星湖大道" not in str(rec)
    assert facade.exchange_record("person", "110105194912310021") is None
