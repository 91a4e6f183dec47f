"""The plan parser on the seeds' Zhaoqing 2022 plan (seed 002) and the Guangdong 2022 plan in
traditional characters (seed 000)."""

import datetime as dt

from shuzheng.supervision import planparse
from shuzheng.supervision.demo import PLAN_FILE

DEPTS = [
    ("441200-ZSJ", "肇庆市政务服务和数据管理局", ""),
    ("441200-ZJJ", "肇庆市住房和城乡建设局", ""),
    ("441200-SCJGJ", "肇庆市市场监督管理局", ""),
    ("440000-ZJT", "广东省住房和城乡建设厅", ""),
]


def test_zhaoqing_plan_items_sub_items_leads_and_targets():
    plan = planparse.parse_plan(PLAN_FILE.read_text(encoding="utf-8"))
    assert plan.title == "肇庆市数字政府改革建设2022年工作要点"
    assert plan.year == 2022
    by_path = {tuple(t.path): t for t in plan.tasks}
    assert len(plan.tasks) == 71
    assert ("六", "(二十七)") in by_path
    sub = by_path[("三", "(七)", "2")]
    assert sub.title == "全面推进市域治理“一网统管”"
    assert sub.lead_departments == ["市城管局", "市政数局", "各地政府(管委会)"]
    item = by_path[("一", "(二)")]
    assert item.lead_departments == ["市政数局"]
    assert [(t.value, t.unit) for t in item.targets] == [(60.0, "%")]
    assert "压减60%" in item.targets[0].text
    shared = by_path[("五", "(十九)")]
    assert [(t.value, t.unit) for t in shared.targets][:2] == [(3.0, "个工作日"), (60.0, "%")]
    assert "秒享" in shared.targets[1].text
    # an item whose sub-items carry the parentheses is led by their departments
    assert by_path[("三", "(七)")].lead_departments[:2] == ["市政数局", "各地政府(管委会)"]


def test_traditional_characters_are_kept_as_written_and_leads_still_found():
    text = (
        "一、總體要求\n（一）推進數據共享。實現共享數據3個工作日內完成對接，年底前完成。"
        "（省政務服務數據管理局、省公安廳牽頭）\n"
    )
    plan = planparse.parse_plan("廣東省2022年工作要點\n" + text)
    (task,) = plan.tasks
    assert task.title == "推進數據共享"
    assert task.lead_departments == ["省政务服务数据管理局", "省公安厅"]
    assert task.deadline == dt.date(2022, 12, 31)
    assert [(t.value, t.unit) for t in task.targets] == [(3.0, "个工作日")]


def test_departments_matched_by_short_name_preferring_the_plans_city():
    assert planparse.match_department("市政数局", DEPTS, "441200") == "441200-ZSJ"
    assert planparse.match_department("市住建局", DEPTS, "441200") == "441200-ZJJ"
    assert planparse.match_department("市市场监管局", DEPTS, "441200") == "441200-SCJGJ"
    assert planparse.match_department("市金融局", DEPTS, "441200") == ""


def test_deadlines_in_words():
    assert planparse.deadline_of("6月底前上线", 2022) == dt.date(2022, 6, 30)
    assert planparse.deadline_of("上半年完成", 2022) == dt.date(2022, 6, 30)
    assert planparse.deadline_of("年内实现全覆盖", 2022) == dt.date(2022, 12, 31)
    assert planparse.deadline_of("持续推进", 2022) is None


def test_counted_units_ranges_and_floors():
    text = (
        "一、基础\n（一）扩容政务云。新增算力30万核，日均交易4000万笔，上线金融产品不少于300款，"
        "为110多个部门服务，开展2至3个行业专题服务。（省政务服务数据管理局牵头）"
    )
    (task,) = planparse.parse_plan(text).tasks
    assert [(t.value, t.unit) for t in task.targets] == [
        (30.0, "万核"),
        (4000.0, "万笔"),
        (300.0, "款"),
        (110.0, "个"),
        (2.0, "个"),
    ]


def test_leads_written_without_牵头_or_按职责分别_and_a_closing_paragraph_is_not_a_task():
    text = (
        "一、保障\n（一）规范运营。制定管理细则。（省政务服务数据管理局）\n"
        "（二）完善标准。（省有关部门按职责分别牵头）\n"
        "（三）宣传推广。举办峰会。（省政务服务数据管理局牵头）\n"
        "各地、各部门要结合实际推进工作，适时组织开展3次第三方评估。\n"
        "附件：复制推广经验（共5项）\n"
    )
    tasks = planparse.parse_plan(text).tasks
    assert [t.lead_departments for t in tasks] == [
        ["省政务服务数据管理局"],
        ["省有关部门"],
        ["省政务服务数据管理局"],
    ]
    assert tasks[2].targets == [] and "评估" not in tasks[2].text


def test_a_fragment_starting_inside_a_section_and_a_parent_led_once_per_department():
    text = (
        "（二）优化网络。推进升级改造。\n1.升级外网。\n"
        "六、数据\n（一）强化管理。\n1.完善制度。（省政务服务数据管理局、司法厅牵头）\n"
        "2.推进共享。（省司法厅牵头）\n"
    )
    tasks = planparse.parse_plan(text).tasks
    assert [t.path for t in tasks] == [
        ["", "(二)"],
        ["", "(二)", "1"],
        ["六", "(一)"],
        ["六", "(一)", "1"],
        ["六", "(一)", "2"],
    ]
    assert tasks[2].lead_departments == ["省政务服务数据管理局", "省司法厅"]
