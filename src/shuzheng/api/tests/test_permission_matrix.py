"""Every endpoint × every kind of caller (docs/style.md, habit 7): a refused write changes
nothing."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import CalendarDay
from shuzheng.identity.models import Person, StaffRole, User

pytestmark = pytest.mark.django_db

CALLERS = [
    "anonymous",
    "citizen",
    "other_citizen",
    "agent",
    "staff_no_role",
    "clerk",
    "admin",
    "client",
]
WHO = {
    "citizen": "demo-citizen",
    "other_citizen": "demo-elder",
    "agent": "demo-agent",
    "staff_no_role": "demo-norole",
    "clerk": "demo-clerk",
    "admin": "demo-admin",
    "client": "client:demo-mz-system",
}


@pytest.fixture
def norole_staff():
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(
        username="demo-norole", kind="staff", display_name="无角色", password=admin.password
    )
    assert not StaffRole.objects.filter(user=user).exists()
    return user


def _citizen_id():
    return Person.objects.get(user__username="demo-citizen").id_number


# path template, method, expected status per caller
MATRIX = [
    (
        "/api/v1/me",
        "GET",
        dict(
            anonymous=401,
            citizen=200,
            other_citizen=200,
            agent=200,
            staff_no_role=200,
            clerk=200,
            admin=200,
            client=200,
        ),
    ),
    (
        "/api/v1/identity/persons/{citizen_id}",
        "GET",
        dict(
            anonymous=401,
            citizen=200,
            other_citizen=404,
            agent=404,
            staff_no_role=403,
            clerk=200,
            admin=200,
            client=403,
        ),
    ),
    (
        "/api/v1/identity/staff/roles",
        "GET",
        dict(
            anonymous=401,
            citizen=403,
            other_citizen=403,
            agent=403,
            staff_no_role=200,
            clerk=200,
            admin=200,
            client=403,
        ),
    ),
    ("/api/v1/identity/departments", "GET", dict.fromkeys(CALLERS, 200)),
    ("/api/v1/identity/regions", "GET", dict.fromkeys(CALLERS, 200)),
    (
        "/api/v1/calendar/add-working-days?start=2026-09-29&days=5",
        "GET",
        dict.fromkeys(CALLERS, 200),
    ),
    (
        "/api/v1/calendar/working-days-between?start=2026-09-29&end=2026-10-12",
        "GET",
        dict.fromkeys(CALLERS, 200),
    ),
    ("/api/v1/calendar/years/2026", "GET", dict.fromkeys(CALLERS, 200)),
    (
        "/api/v1/audit/records",
        "GET",
        dict(
            anonymous=401,
            citizen=403,
            other_citizen=403,
            agent=403,
            staff_no_role=403,
            clerk=403,
            admin=200,
            client=403,
        ),
    ),
    (
        "/api/v1/audit/verify",
        "GET",
        dict(
            anonymous=401,
            citizen=403,
            other_citizen=403,
            agent=403,
            staff_no_role=403,
            clerk=403,
            admin=200,
            client=403,
        ),
    ),
]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("path", "method", "expected"), MATRIX, ids=[m[0].split("?")[0] for m in MATRIX]
)
def test_read_matrix(api, norole_staff, caller, path, method, expected):
    r = api.call(method, path.format(citizen_id=_citizen_id()), who=WHO.get(caller))
    assert r.status_code == expected[caller], (caller, path, r.content)
    if r.status_code >= 400:
        body = r.json()
        assert set(body) >= {"code", "message", "errors"} and body["message"]


def test_staff_lookup_is_masked(api):
    body = api.call("GET", f"/api/v1/identity/persons/{_citizen_id()}", who="demo-clerk").json()
    assert body["id_number"] == _citizen_id()[:6] + "********" + _citizen_id()[-4:]
    assert body["name"] == "李*" and body["hukou_address"] == ""
    own = api.call("GET", f"/api/v1/identity/persons/{_citizen_id()}", who="demo-citizen").json()
    assert own["id_number"] == _citizen_id() and own["name"] == "李明"


WRITES = [
    ("PUT", "/api/v1/calendar/days/2027-01-01", {"kind": "holiday", "name": "元旦"}),
    ("DELETE", "/api/v1/calendar/days/2026-10-01", None),
]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[w[0] for w in WRITES])
def test_write_matrix(api, norole_staff, caller, method, path, body):
    expected = {"anonymous": 401, "admin": 200 if method == "PUT" else 204}.get(caller, 403)
    who = WHO.get(caller)
    if who:
        api.token(who)  # issuing a token is itself audited; count after it
    days, audits = (
        list(CalendarDay.objects.values_list("date", "kind", "name")),
        AuditRecord.objects.count(),
    )
    r = api.call(method, path, who=who, json_body=body)
    assert r.status_code == expected, (caller, r.content)
    if expected >= 400:
        assert list(CalendarDay.objects.values_list("date", "kind", "name")) == days
        assert AuditRecord.objects.count() == audits
    else:
        assert AuditRecord.objects.count() == audits + 1
        assert AuditRecord.objects.order_by("-id").first().actor == "user:demo-admin"


def test_admin_calendar_edit_changes_deadlines(api):
    # 2031: a year without data (2027–2030 are seeded as provisional)
    assert api.call("GET", "/api/v1/calendar/add-working-days?start=2030-12-31&days=1").json() == {
        "date": "2031-01-01",
        "estimated": True,
        "provisional": True,
    }
    r = api.call(
        "PUT",
        "/api/v1/calendar/days/2031-01-01",
        who="demo-admin",
        json_body={"kind": "holiday", "name": "元旦"},
    )
    assert r.status_code == 200
    assert (
        api.call("GET", "/api/v1/calendar/add-working-days?start=2030-12-31&days=1").json()["date"]
        == "2031-01-02"
    )
