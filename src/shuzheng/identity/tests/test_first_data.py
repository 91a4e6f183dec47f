"""First data without the demo: create_admin, load_org and the demo-mode guard of seed_*."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command, get_commands
from django.test import override_settings

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_uscc
from shuzheng.identity.models import Department, Region, StaffRole, User
from shuzheng.identity.orgload import OrgLoadError, load_org

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "deploy" / "examples"
REGIONS = "区划代码,名称,层级,上级区划代码\n990000,测试省,省,\n990100,测试市,市,990000\n"
USCC_A, USCC_B = (
    make_uscc("1", "1", "990100", "EX0000001"),
    make_uscc("1", "1", "990100", "EX0000002"),
)
DEPTS = (
    "部门编码,名称,简称,层级,所在区划代码,上级部门编码,统一社会信用代码,咨询电话\n"
    f"T-B,测试市审批局,审批局,市级,990100,T-A,{USCC_B},\n"  # child before parent
    f"T-A,测试市政数局,政数局,市级,990100,,{USCC_A},0000-12345\n"
)
STAFF = (
    "用户名,姓名,手机号码,部门编码,角色\n"
    "t-li,李测试,13900000001,T-B,窗口受理人员、审批人员\n"
    "t-li,李测试,13900000001,T-A,data_officer\n"
)


def _files(tmp_path: Path, regions: str = REGIONS, depts: str = DEPTS, staff: str = STAFF):
    paths = {}
    for name, text in (("regions", regions), ("departments", depts), ("staff", staff)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8-sig")
    return paths


def test_load_creates_then_reload_changes_nothing(tmp_path):
    depts = DEPTS
    paths = _files(tmp_path)
    result = load_org(**paths)
    assert result.created == {
        "regions": ["990000", "990100"],
        "departments": ["T-A", "T-B"],
        "staff": ["t-li"],
    }
    assert Department.objects.get(code="T-B").parent.code == "T-A"
    assert Region.objects.get(code="990100").parent.code == "990000"
    user = User.objects.get(username="t-li")
    assert user.kind == "staff" and not user.has_usable_password() and not user.is_demo
    assert set(StaffRole.objects.filter(user=user).values_list("department__code", "role")) == {
        ("T-B", "window_clerk"),
        ("T-B", "reviewer"),
        ("T-A", "data_officer"),
    }
    assert AuditRecord.objects.filter(action="identity.org_loaded").count() == 1

    again = load_org(**paths)
    assert not any(again.created.values()) and not any(again.updated.values())
    assert AuditRecord.objects.filter(action="identity.org_loaded").count() == 1

    # a changed name and a role taken away update by code / username
    (tmp_path / "departments.csv").write_text(
        depts.replace("测试市政数局", "测试市数据局"), "utf-8"
    )
    (tmp_path / "staff.csv").write_text(STAFF.rsplit("\n", 2)[0] + "\n", "utf-8")
    third = load_org(**paths)
    assert third.updated == {"regions": [], "departments": ["T-A"], "staff": ["t-li"]}
    assert Department.objects.get(code="T-A").name == "测试市数据局"
    assert not StaffRole.objects.filter(user=user, department__code="T-A").exists()


def test_one_bad_cell_writes_nothing_and_names_row_and_column(tmp_path):
    staff = STAFF + "t-wang,王测试,12345,T-X,门卫\n"
    depts = DEPTS.replace(
        USCC_A, USCC_A[:-1] + ("A" if USCC_A[-1] != "A" else "B")
    )  # wrong check character
    paths = _files(tmp_path, depts=depts, staff=staff)
    before = (Region.objects.count(), Department.objects.count(), User.objects.count())
    with pytest.raises(OrgLoadError) as exc:
        load_org(**paths)
    lines = exc.value.lines
    assert any("部门文件（departments.csv）第3行「统一社会信用代码」列" in x for x in lines)
    assert any("工作人员文件（staff.csv）第4行「手机号码」列" in x for x in lines)
    assert any("第4行「部门编码」列：部门「T-X」" in x for x in lines)
    assert any("第4行「角色」列：无法识别的角色「门卫」" in x for x in lines)
    assert len(lines) == 4
    assert (Region.objects.count(), Department.objects.count(), User.objects.count()) == before


def test_missing_column_and_unknown_parent(tmp_path):
    paths = _files(
        tmp_path,
        regions="区划代码,名称\n990000,测试省\n",
        depts=DEPTS.replace(",T-A,", ",T-NONE,"),
    )
    with pytest.raises(OrgLoadError) as exc:
        load_org(regions=paths["regions"])
    assert exc.value.lines == ["区划文件（regions.csv）：第1行缺少「层级」列。"]
    with pytest.raises(OrgLoadError) as exc:
        load_org(departments=paths["departments"])
    assert any("第2行「上级部门编码」列：上级部门「T-NONE」" in x for x in exc.value.lines)


def test_examples_load_from_csv_and_excel_alike(tmp_path):
    """The shipped examples are valid, and the .xlsx and .csv say the same thing."""
    for name in ("regions", "departments", "staff"):
        book = openpyxl.load_workbook(EXAMPLES / f"{name}.xlsx")
        rows = [[c or "" for c in r] for r in book.active.iter_rows(values_only=True)]
        csv_rows = [
            line.split(",") for line in (EXAMPLES / f"{name}.csv").read_text("utf-8").splitlines()
        ]
        assert rows == csv_rows
    paths = {n: EXAMPLES / f"{n}.xlsx" for n in ("regions", "departments", "staff")}
    load_org(**paths)
    assert Department.objects.get(code="441200-SCJ").name == "肇庆市市场监督管理局"
    assert User.objects.get(username="wangfang").staff_roles.count() == 3
    csv_paths = {n: EXAMPLES / f"{n}.csv" for n in ("regions", "departments", "staff")}
    again = load_org(**csv_paths)
    assert not any(again.updated.values()) and not any(again.created.values())


def test_load_org_command_reports_errors(tmp_path):
    paths = _files(
        tmp_path, staff="用户名,姓名,手机号码,部门编码,角色\nx,,13900000001,T-A,审批人员\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("load_org", "--staff", str(paths["staff"]))
    assert "未写入任何数据" in str(exc.value)
    assert "第2行「用户名」列" in str(exc.value) and "第2行「姓名」列：不能为空" in str(exc.value)


def test_create_admin_from_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_PW", "Qz7#mountain-river")
    out = io.StringIO()
    call_command(
        "create_admin",
        "--username=cityadmin",
        "--phone=13900000009",
        "--department=440000-ZSJ",
        "--password-env=ADMIN_PW",
        stdout=out,
    )
    user = User.objects.get(username="cityadmin")
    assert user.is_superuser and user.is_staff and user.kind == "staff" and not user.is_demo
    assert authenticate(username="cityadmin", password="Qz7#mountain-river") == user
    assert user.staff_roles.filter(role="platform_admin", department__code="440000-ZSJ").exists()
    assert AuditRecord.objects.filter(action="identity.admin_created").count() == 1


@pytest.mark.parametrize("password", ["12345678", "password", "Ab1!"])
def test_create_admin_refuses_weak_passwords(monkeypatch, password):
    monkeypatch.setenv("ADMIN_PW", password)
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command(
            "create_admin", "--username=cityadmin", "--phone=13900000009", "--password-env=ADMIN_PW"
        )
    assert not User.objects.filter(username="cityadmin").exists()


def test_create_admin_prompts_twice(monkeypatch):
    answers = iter(["Qz7#mountain-river", "different", "Qz7#mountain-river", "Qz7#mountain-river"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    err = io.StringIO()
    call_command(
        "create_admin",
        "--username=cityadmin",
        "--phone=13900000009",
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "两次输入的密码不一致" in err.getvalue()
    assert User.objects.get(username="cityadmin").check_password("Qz7#mountain-river")


@override_settings(DEMO=False, TESTING=False)
def test_every_seed_command_refuses_outside_demo_mode():
    seeds = sorted(name for name in get_commands() if name.startswith("seed_"))
    assert len(seeds) >= 13
    accounts = User.objects.count()
    for command in seeds:
        with pytest.raises(CommandError, match="SHUZHENG_DEMO=1"):
            call_command(command)
    assert User.objects.count() == accounts


def test_a_csv_saved_by_chinese_excel_is_read(tmp_path):
    """Excel on a Chinese Windows saves CSV in GB18030; it loads like UTF-8."""
    path = tmp_path / "regions.csv"
    path.write_bytes(REGIONS.encode("gb18030"))
    assert load_org(regions=path).created["regions"] == ["990000", "990100"]
    assert Region.objects.get(code="990100").name == "测试市"
