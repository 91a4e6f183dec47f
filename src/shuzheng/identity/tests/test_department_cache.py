"""Departments are cached per process (``core.cache``): an edit in the admin, or one committed
by another process, is seen on the next read."""

import pytest
from django.forms.models import model_to_dict

from shuzheng.audit.models import AuditRecord
from shuzheng.core import cache
from shuzheng.identity import facade
from shuzheng.identity.models import Department, Region, User

pytestmark = pytest.mark.django_db
MZJ = "441200-MZJ"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="demo-admin"))
    return client


def _post_change(client, obj, **changes):
    data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}
    data.update(changes)
    url = f"/admin/identity/{obj._meta.model_name}/{obj.pk}/change/"
    return client.post(url, data)


def test_a_department_renamed_in_the_admin_is_named_anew_at_once(admin_client):
    assert facade.department_names()[MZJ] == "肇庆市民政局"
    dept = Department.objects.get(code=MZJ)
    r = _post_change(admin_client, dept, name="肇庆市民政局（新）")
    assert r.status_code == 302, r.content.decode()[-2000:]
    assert facade.department_names()[MZJ] == "肇庆市民政局（新）"
    assert facade.department(MZJ).name == "肇庆市民政局（新）"
    assert AuditRecord.objects.filter(action="admin.change", object_id=str(dept.pk)).exists()


def _cached(code):
    return next(d for d in facade.departments() if d.code == code)


def test_a_region_recoded_in_the_admin_reaches_the_cached_departments(admin_client):
    dept = Department.objects.select_related("region").get(code=MZJ)
    assert _cached(MZJ).region_code == dept.region.code
    region = Region.objects.get(pk=dept.region_id)
    r = _post_change(admin_client, region, code="449999")
    assert r.status_code == 302, r.content.decode()[-2000:]
    assert _cached(MZJ).region_code == "449999"


def test_an_edit_committed_by_another_process_is_seen_on_the_next_read():
    assert facade.department_names()[MZJ] == "肇庆市民政局"
    Department.objects.filter(code=MZJ).update(name="民政局（另一进程）")
    assert facade.department_names()[MZJ] == "肇庆市民政局"  # this process was not told
    cache.bump(facade.DEPARTMENTS_CACHE)  # by the other process's service: this one is not told
    assert facade.department_names()[MZJ] == "民政局（另一进程）"
