import datetime as dt

import pytest

from shuzheng.governance.models import Indicator, Reading
from shuzheng.governance.services.computed import computed_run

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_computed_indicators_store_one_reading_an_hour(frozen):
    rate = Indicator.objects.create(
        code="on-time", name="按期办结率", unit="%", department="441200-ZSJ", function="public",
        source="computed", computation="cases.on_time_rate", frequency="hourly",
        direction="below", yellow=98, red=95,
    )  # fmt: skip
    calls = Indicator.objects.create(
        code="calls", name="数据共享调用量", unit="次/日", department="441200-ZWDSJZX",
        function="public", source="computed", computation="exchange.calls", frequency="hourly",
    )  # fmt: skip
    from shuzheng.exchange.models import DataCall

    before = DataCall.objects.filter(at__gte=NOW.replace(hour=0), at__lt=NOW).count()
    result = computed_run(now=NOW)
    got = {r.indicator_id: r for r in Reading.objects.all()}
    assert got[calls.pk].value == before
    assert got[calls.pk].at == NOW.replace(minute=0) and got[calls.pk].source == "platform"
    # no case closed in the test database: no 按期办结率 reading rather than a made-up one
    assert rate.pk not in got or 0 <= got[rate.pk].value <= 100
    assert result.accepted == len(got)
    again = computed_run(now=NOW + dt.timedelta(minutes=20))
    assert again.accepted == 0 and again.duplicates == len(got)
