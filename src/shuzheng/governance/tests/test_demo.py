import datetime as dt

import pytest

from shuzheng.governance.demo import seed_city
from shuzheng.governance.models import Alert, Indicator, IndicatorState, Reading

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_seed_city_history_alerts_and_rerun(frozen):
    c = seed_city(days=90, now=NOW)
    assert c["indicators"] == Indicator.objects.filter(is_demo=True).count() == 12
    assert c["readings"] == Reading.objects.count() > 90 * 24 * 12
    # haze days in 端州 and a main burst raised alerts; each cleared one has its clear time
    assert Alert.objects.filter(indicator__code="aqi", district="441202", level="red").exists()
    assert Alert.objects.filter(indicator__code="water-pressure", level="red").count() == 1
    for a in Alert.objects.filter(status="cleared"):
        assert a.cleared_at >= a.raised_at
    assert not Alert.objects.filter(indicator__code="xijiang-level-gaoyao").exists()
    river = IndicatorState.objects.get(indicator__code="xijiang-level-gaoyao")
    assert river.at == NOW and 2.5 < river.value < 5 and river.level == "normal"
    assert Reading.objects.filter(at__gt=NOW).count() == 0
    assert Reading.objects.filter(at__lt=NOW - dt.timedelta(days=90, seconds=1)).count() == 0
    again = seed_city(days=90, now=NOW)
    assert again["readings"] == 0 and Reading.objects.count() == c["readings"]


def test_seed_city_command(frozen):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_city", days=2, stdout=out)
    assert "城市体征指标 12 项" in out.getvalue() and "新增读数" in out.getvalue()
    assert Reading.objects.filter(indicator__code="aqi").values("district").distinct().count() == 8
