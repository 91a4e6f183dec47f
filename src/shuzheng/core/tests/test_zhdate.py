import datetime as dt

from shuzheng.core.zhdate import zh_date


def test_month_and_day_have_no_leading_zero():
    assert zh_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert zh_date(dt.date(2026, 12, 31)) == "2026年12月31日"
    assert zh_date(dt.date(2026, 10, 8), year=False) == "10月8日"
    assert zh_date(None) == ""
