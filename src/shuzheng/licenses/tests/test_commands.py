"""Management commands: load types, seed demo licences, import a CSV, rotate a seal."""

import io

import pytest
from django.core.management import CommandError, call_command

from shuzheng.licenses.models import License, LicenseType
from shuzheng.licenses.tests.conftest import ELDER
from shuzheng.seals.models import Seal

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_types_and_seed_are_idempotent():
    # the test session preloads the types (root conftest); loading again changes nothing
    assert "共 31" in run("load_license_types")
    assert "新增 0，更新 0，共 31" in run("load_license_types")
    first = run("seed_licenses")
    assert "本次签发演示证照 7 张" in first
    assert "本次签发演示证照 0 张；共 7 张" in run("seed_licenses")
    assert LicenseType.objects.count() == 31


def test_import_command_all_or_nothing(tmp_path):
    run("load_license_types")
    good = tmp_path / "good.csv"
    good.write_text(
        "证照类型,持证主体类型,持证主体代码,持证主体名称,颁发部门,姓名,公民身份号码,原工作单位,"
        "退休日期,证书编号\n"
        f"退休证,自然人,{ELDER},陈桂英,441200-RSJ,陈桂英,{ELDER},肇庆市第一纺织厂,1999-03-08,"
        "TX1999000001\n",
        encoding="utf-8",
    )
    assert "已导入 1 张" in run("import_licenses", str(good))
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text("utf-8").replace("1999-03-08", "1999-02-30"), "utf-8")
    with pytest.raises(CommandError, match=r"rows\.2\.data\.retired_on"):
        run("import_licenses", str(bad))
    assert License.objects.count() == 1


def test_seal_rotate_command():
    run("seal_rotate", "441200-MZJ")
    out = run("seal_rotate", "441200-MZJ", "--algorithm", "SM2-SM3")
    assert "新密钥" in out
    assert Seal.objects.filter(department_code="441200-MZJ", status="retired").count() == 1
    assert Seal.objects.filter(department_code="441200-MZJ", status="active").count() == 1
