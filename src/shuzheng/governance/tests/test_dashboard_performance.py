"""The command dashboard's drill-down and 绩效 tables (GB/T 30428): per 区县 and per 处置部门."""

import json
import re

from shuzheng.governance.tests.conftest import CENTER
from shuzheng.governance.tests.test_events import GRID2, SW, act, members, photo, report  # noqa: F401
from shuzheng.identity.models import User


def _row(page: str, table: str, code: str) -> list[str]:
    body = page.split(f'data-testid="performance-{table}"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', body, re.S)
    assert row, (table, code)
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1])
    ]


def test_performance_per_district_and_department_and_links_to_the_list(
    api,
    client,
    members,  # noqa: F811
    frozen,
):
    no = report(api).json()["event_no"]
    act(api, no, "file")
    act(api, no, "dispatch")
    act(api, no, "feedback", who=SW, note="已更换井盖", photos=[photo(SW)], checker=GRID2)
    act(api, no, "check_fail", who=GRID2, reason="井盖不匹配")
    act(api, no, "feedback", who=SW, note="已重新更换", photos=[photo(SW)], checker=GRID2)
    act(api, no, "check_pass", who=GRID2)
    assert act(api, no, "close").status_code == 200
    report(api)  # a second 端州区 report, not filed yet

    client.force_login(User.objects.get(username=CENTER))
    page = client.get("/city/command/").content.decode()
    # 上报, 立案率, 按期处置率, 核查通过率, 返工率
    assert _row(page, "districts", "441202") == [
        "端州区", "2", "50.0%", "100.0%", "100.0%", "100.0%",
    ]  # fmt: skip
    assert _row(page, "districts", "441203") == ["鼎湖区", "0", "—", "—", "—", "—"]
    assert _row(page, "departments", "441200-SWUJ") == [
        "肇庆市水务局", "1", "100.0%", "100.0%", "100.0%", "100.0%",
    ]  # fmt: skip
    assert 'href="/city/events/?district=441202&amp;status="' in page
    # the open count links to the district's event list
    assert 'href="/city/events/?district=441202" aria-label="端州区在办事件 1 件">1</a>' in page
    listed = client.get("/city/events/?district=441202").content.decode()
    assert no not in listed  # closed: not open
    assert no in client.get("/city/events/?district=441202&status=").content.decode()


def test_performance_is_for_the_center_only(client, members):  # noqa: F811
    client.force_login(User.objects.get(username=SW))
    assert client.get("/city/command/").status_code == 403


def test_open_events_are_points_on_the_map(api, client, members, frozen):  # noqa: F811
    no = report(api).json()["event_no"]
    near = report(api, grid="", lat="23.0501", lng="112.4521").json()["event_no"]
    closed = report(api).json()["event_no"]
    act(api, closed, "reject", reason="重复上报")
    client.force_login(User.objects.get(username=CENTER))
    page = client.get("/city/command/").content.decode()
    data = json.loads(
        page.split('id="command-chart-data" type="application/json">')[1].split("<")[0]
    )
    points = {p["name"]: p for p in data["points"]}
    assert set(points) == {no, near}  # the rejected one is not open
    assert points[near]["value"] == [112.4521, 23.0501]  # the phone's position
    assert points[no]["status"] == "待立案" and points[no]["cls"] == "污水井盖"
