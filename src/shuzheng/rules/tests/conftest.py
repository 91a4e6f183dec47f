import datetime as dt

import pytest

from shuzheng.core.codes import make_id_number
from shuzheng.identity.demo import ACCOUNTS, DEMO_ENTERPRISE_USCC, DUANZHOU
from shuzheng.rules import registry

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
GAOLING_ITEM = "44120030500001000000B"
WENGANG_ITEM = "441200305000090000006"
SEVENTY = registry.demo_id_numbers()["何秀兰"]


def id_of(username: str) -> str:
    acc = next(a for a in ACCOUNTS if a.username == username)
    return make_id_number(DUANZHOU, acc.birth, acc.sex_seq)


@pytest.fixture
def elder_id():
    return id_of("demo-elder")


@pytest.fixture
def enterprise_id():
    return DEMO_ENTERPRISE_USCC
