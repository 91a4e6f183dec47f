"""Exchange test fixtures: the demo catalog and registries (seeded once per test database and
re-seeded after a transactional test flushed it), people and clients for permission matrices."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzheng.core.codes import make_id_number, make_uscc

CITIZEN_ID = make_id_number("441202", dt.date(1990, 5, 12), 31)  # demo-citizen 李明
ELDER_ID = make_id_number("441202", dt.date(1944, 3, 8), 42)  # demo-elder 陈桂英
AGENT_ID = make_id_number("441202", dt.date(1986, 11, 20), 64)  # demo-agent 王芳
DEMO_USCC = make_uscc("9", "1", "441202", "MA5XH0001")
MARRIAGE = "201001/000001"
POPULATION = "101001/000001"
SOCIAL = "203001/000001"
TAX = "208001/000001"
LEGAL = "102001/000001"
DISABILITY = "203002/000001"


@pytest.fixture(scope="session")
def _exchange_seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from shuzheng.exchange.demo import seed_exchange

    with django_db_blocker.unblock():
        seed_exchange()


@pytest.fixture(autouse=True)
def exchange_demo(request):  # type: ignore[no-untyped-def]
    """The demo data, present even when an earlier transactional test flushed the tables."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_exchange_seeded")
    request.getfixturevalue("db")
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.exchange.models import Resource

    if not Resource.objects.exists():
        seed_exchange()


@pytest.fixture
def officer_rsj(db):  # type: ignore[no-untyped-def]
    """Another department's data officer (市人社局), with the demo password."""
    from shuzheng.identity.models import Department, StaffRole, User

    user = User.objects.create(
        username="rsj-dataofficer",
        kind="staff",
        display_name="人社数据管理员",
        password=User.objects.get(username="demo-clerk").password,  # the demo password
    )
    StaffRole.objects.create(
        user=user, department=Department.objects.get(code="441200-RSJ"), role="data_officer"
    )
    return "rsj-dataofficer"


@pytest.fixture
def audit_actions():  # type: ignore[no-untyped-def]
    from shuzheng.audit.models import AuditRecord

    def actions(since: int = 0, prefix: str = "exchange.") -> list[str]:
        """Actions audited after ``since`` (a ``last_seq()``), in order; records a deferred
        chain (PostgreSQL's default) has not sealed yet are sealed first."""
        from shuzheng.audit import facade

        facade.seal()
        return list(
            AuditRecord.objects.filter(seq__gt=since, action__startswith=prefix)
            .order_by("seq")
            .values_list("action", flat=True)
        )

    return actions


@pytest.fixture
def last_seq():  # type: ignore[no-untyped-def]
    from shuzheng.audit.models import AuditHead

    def seq() -> int:
        from shuzheng.audit import facade

        facade.seal()  # a deferred chain's pending records take their places first
        head = AuditHead.objects.filter(id=1).first()
        return head.last_seq if head else 0

    return seq
