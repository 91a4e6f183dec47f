"""Demo 12345 tickets (``shuzheng seed_hotline``): realistic 肇庆 诉求 over the last months, run
through the real services (intake and every lifecycle action, audited, with their own times), so
every page and metric shows something — 直接办结, 派单/签收/退单/重派, 答复, 回访 (满意, 不满意 →
重办), 延期, 督办, open tickets at every stage — and a planted burst of 停水 reports from one 小区
(星湖名郡, 端州区黄岗街道) in the last two days for the 弱信号 panel. Also issues the Open311
``api_key`` of the demo client (``demo-open311-key``).

Idempotent: nothing is added when demo tickets exist. Deterministic (a fixed random seed),
relative to the day it runs.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.models import Channel, Ticket
from shuzheng.hotline.services import actions, intake
from shuzheng.hotline.services.open311 import key_issue
from shuzheng.identity.contracts import Principal

OPEN311_CLIENT, OPEN311_KEY = "demo-open311", "demo-open311-key"
CENTER = "441200-ZSJ"
OPERATOR = Principal(
    kind="staff",
    username="demo-hotline",
    name="吴佳（12345）",
    staff_roles=(("hotline_operator", CENTER),),
)
LEAD = Principal(
    kind="staff",
    username="demo-hotline-lead",
    name="梁志华（12345班长）",
    staff_roles=(("hotline_supervisor", CENTER),),
)

# 12345's departments (identity.demo) by short name
DEPT = {
    "政数": "441200-ZSJ",
    "公安": "441200-GAJ",
    "民政": "441200-MZJ",
    "人社": "441200-RSJ",
    "自然资源": "441200-ZYJ",
    "生态环境": "441200-STHJJ",
    "住建": "441200-ZJJ",
    "城管": "441200-CGJ",
    "交通": "441200-JTJ",
    "水务": "441200-SWUJ",
    "农业": "441200-NYNCJ",
    "商务": "441200-SWJJ",
    "文旅": "441200-WGLTJ",
    "卫健": "441200-WJJ",
    "应急": "441200-YJGLJ",
    "市场监管": "441200-SCJGJ",
    "医保": "441200-YBJ",
    "教育": "441200-JYJ",
    "税务": "441200-SWJ",
    "公积金": "441200-GJJ",
    "残联": "441200-CL",
    "供电": "441200-GDJ",
}


@dataclass(frozen=True)
class Template:
    type: str
    category: str
    dept: str  # a DEPT key; "" = answered at once from the 知识库
    text: str  # {place}: an address in 肇庆
    answer: str
    weight: int = 3


T = Template
TEMPLATES = [
    T(
        "投诉",
        "020202",
        "城管",
        "{place}楼下烧烤档每晚营业到凌晨一两点，噪音好大，吵到老人小孩瞓唔着。",
        "已联合街道对该烧烤档进行劝导，责令其晚上十点后停止室外经营。",
        6,
    ),
    T(
        "投诉",
        "080105",
        "住建",
        "{place}附近工地夜间打桩施工，晚上十一点还在响，严重扰民。",
        "经核查该工地未办理夜间施工许可，已责令停止夜间施工并立案调查。",
        5,
    ),
    T(
        "投诉",
        "080101",
        "城管",
        "{place}路口长期有流动摊贩占道经营，行人都要走到机动车道。",
        "已安排执法队员加强巡查，清理占道经营摊点。",
        4,
    ),
    T(
        "求助",
        "080104",
        "城管",
        "{place}人行道有个井盖冇咗，晚上好危险，请尽快处理。",
        "已于当日补装井盖并设置警示标志。",
        3,
    ),
    T(
        "求助",
        "080104",
        "城管",
        "{place}路灯坏了一个多星期，晚上一片漆黑。",
        "路灯已维修恢复照明。",
        4,
    ),
    T(
        "投诉",
        "080103",
        "城管",
        "{place}小区门口垃圾桶满了几天冇人清，好臭。",
        "已督促环卫公司每日清运两次，并对责任人进行约谈。",
        4,
    ),
    T(
        "求助",
        "100101",
        "水务",
        "{place}今日早上开始停水，事前冇收到任何通知，几时恢复？",
        "因主管爆裂抢修停水，已于当晚恢复供水，今后将提前发布停水通知。",
        3,
    ),
    T(
        "投诉",
        "100101",
        "水务",
        "{place}自来水发黄有异味，烧开后仍有沉淀。",
        "已对该片区管网冲洗并抽检水质，检测结果符合国家标准。",
        2,
    ),
    T(
        "求助",
        "100102",
        "水务",
        "{place}一落大雨就水浸街，积水到小腿，车都过唔到。",
        "已疏通排水管道，并将该点列入内涝整治计划。",
        2,
    ),
    T(
        "求助",
        "220101",
        "供电",
        "{place}成片停电两个多小时，冰箱啲嘢都坏晒，几时有电？",
        "系线路故障跳闸，已抢修恢复供电。",
        3,
    ),
    T(
        "投诉",
        "090102",
        "交通",
        "{place}的士拒载，话去鼎湖太远唔去。",
        "已核实车辆信息并对驾驶员作出处罚。",
        2,
    ),
    T(
        "建议",
        "090101",
        "交通",
        "建议增加{place}往肇庆东站的公交班次，早上等车要半个钟。",
        "已将建议转公交公司研究，将在高峰时段加密班次。",
        2,
    ),
    T(
        "投诉",
        "020301",
        "公安",
        "{place}路边长期乱停车，堵住消防通道。",
        "交警已加强巡查并对违停车辆处罚。",
        3,
    ),
    T(
        "举报",
        "020202",
        "公安",
        "{place}有间铺头疑似有人聚众赌博，晚晚好多人出入。",
        "已转属地派出所核查处理。",
        1,
    ),
    T(
        "咨询",
        "020101",
        "",
        "想问下喺{place}点样办理居住证，要带啲咩资料？",
        "持居民身份证、居住地址证明到居住地派出所或政务服务中心办理，可在粤省事预约。",
        5,
    ),
    T(
        "投诉",
        "040201",
        "人社",
        "{place}一间厂拖欠我哋三个月工资，老板唔见人。",
        "劳动监察部门已立案，督促企业限期支付拖欠工资。",
        3,
    ),
    T(
        "咨询",
        "040102",
        "",
        "退休后养老金点样查询？我喺{place}住。",
        "可通过粤省事、广东人社App或社保经办窗口查询养老金发放情况。",
        4,
    ),
    T(
        "咨询",
        "200101",
        "",
        "公积金提取要咩材料？我喺{place}买咗二手房。",
        "提供购房合同、发票、不动产权证书，可在广东政务服务网或公积金中心窗口办理。",
        4,
    ),
    T(
        "咨询",
        "170101",
        "",
        "异地就医点样备案？我屋企人喺{place}。",
        "可通过国家医保服务平台App或粤医保小程序办理异地就医备案。",
        3,
    ),
    T(
        "投诉",
        "140101",
        "卫健",
        "{place}附近医院挂号排队好耐，服务态度又差。",
        "已约谈医院相关科室负责人，优化挂号流程。",
        2,
    ),
    T(
        "咨询",
        "180101",
        "",
        "{place}小孩读小学要点样报名？要咩材料？",
        "请关注区教育局发布的招生公告，按要求网上报名并提交户籍、房产等材料。",
        3,
    ),
    T(
        "投诉",
        "180103",
        "教育",
        "{place}有校外培训机构收咗钱唔退。",
        "已责令培训机构按规定办理退费。",
        2,
    ),
    T(
        "投诉",
        "120101",
        "商务",
        "{place}间健身房预付卡收咗钱就执笠，唔退钱。",
        "已立案调查并引导消费者依法维权。",
        3,
    ),
    T(
        "投诉",
        "160101",
        "市场监管",
        "{place}间餐厅食物有头发，仲食到肚痛。",
        "已对该餐厅进行现场检查并责令整改。",
        3,
    ),
    T(
        "咨询",
        "030102",
        "",
        "屋企老人家八十岁喺{place}，高龄津贴点申请？",
        "可通过粤省事“免申即享”自动发放，或到社区服务中心申请。",
        3,
    ),
    T(
        "求助",
        "030101",
        "民政",
        "{place}有户困难家庭，老人独居冇人照顾，想申请低保。",
        "已安排社区工作人员上门核实，指导提交低保申请。",
        2,
    ),
    T(
        "投诉",
        "050102",
        "自然资源",
        "{place}有人违法占用农田起屋。",
        "已立案查处，责令拆除违法建筑。",
        1,
    ),
    T(
        "咨询",
        "190101",
        "",
        "个税汇算点样办？我喺{place}上班。",
        "可通过个人所得税App办理年度汇算，如有疑问可拨打12366。",
        2,
    ),
    T(
        "表扬",
        "010102",
        "政数",
        "表扬{place}政务服务中心窗口工作人员，耐心帮我办好咗业务。",
        "已将表扬转达窗口单位。",
        1,
    ),
    T(
        "建议",
        "010103",
        "政数",
        "建议粤省事增加{place}停车缴费功能。",
        "已将建议纳入系统优化需求。",
        1,
    ),
]

PLACES = [
    "端州区城东街道天宁北路",
    "端州区城西街道宋城一路",
    "端州区黄岗街道端州五路",
    "端州区睦岗街道信安大道",
    "端州区黄岗街道星湖大道",
    "鼎湖区桂城街道砚阳湖",
    "鼎湖区坑口街道",
    "鼎湖区永安镇",
    "高要区南岸街道碧桂园",
    "高要区金渡镇",
    "高要区蛟塘镇",
    "四会市东城街道",
    "四会市大旺街道",
    "四会市城中街道",
    "广宁县南街街道",
    "怀集县怀城街道",
    "封开县江口街道",
    "德庆县德城街道",
]
SURNAMES = "陈李张黄王林梁刘吴何罗郑周谢冯邓曾彭苏卢"
BURST_PLACE = "端州区黄岗街道星湖名郡小区"
BURST_TEXTS = [
    "星湖名郡小区由今朝开始停水，物业话唔知几时有水。",
    "星湖名郡小区又停水，成日都停，冇任何通知。",
    "我系星湖名郡业主，成栋楼冇水，老人家要饮水点算？",
    "星湖名郡停水成日，水务公司电话打唔通。",
    "星湖名郡小区水压好低，楼上完全冇水。",
    "星湖名郡小区停水第二日，仲未恢复。",
    "星湖名郡小区停水，小朋友冇得冲凉，几时有水？",
    "请问星湖名郡点解又停水？上个月先停过。",
    "星湖名郡小区停水，物业同水务互相推。",
]


def _at(day: dt.date, minutes: int) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=tz) + dt.timedelta(minutes=minutes)


# the demo handler accounts of identity.demo; other departments' handlers act under a name
HANDLERS = {
    "441200-CGJ": "cg",
    "441200-SWUJ": "sw",
    "441200-STHJJ": "hb",
    "441200-GAJ": "ga",
    "441200-SCJGJ": "sj",
}


def _handler(dept: str) -> Principal:
    return Principal(
        kind="staff",
        username=f"demo-handler-{HANDLERS.get(dept, dept[7:].lower())}",
        staff_roles=(("hotline_handler", dept),),
    )


def _act(no: str, who: Principal, action: str, at: dt.datetime, **params: object) -> None:
    actions.ticket_act(principal=who, ticket_no=no, action=action, params=params, at=at)


def _life(rng: random.Random, no: str, tpl: Template, start: dt.datetime, now: dt.datetime) -> None:
    """Run a ticket as far as its age allows: each step only if its time has come."""
    if not tpl.dept:
        _act(no, OPERATOR, "answer_direct", start + dt.timedelta(minutes=4), answer=tpl.answer)
        return
    dept = DEPT[tpl.dept]
    t = start + dt.timedelta(minutes=rng.randint(5, 40))
    steps: list[tuple[Principal, str, dict[str, object]]] = []
    if rng.random() < 0.1:  # misrouted first: 城管 returns it, the center re-dispatches
        wrong = DEPT["城管"] if dept != DEPT["城管"] else DEPT["住建"]
        steps += [
            (OPERATOR, "dispatch", {"department": wrong}),
            (_handler(wrong), "return", {"reason": "该事项不属于本单位职责，请改派。"}),
        ]
    steps += [(OPERATOR, "dispatch", {"department": dept}), (_handler(dept), "sign", {})]
    if rng.random() < 0.06:
        steps += [
            (_handler(dept), "extend", {"amount": 3, "reason": "需现场勘查并协调多个部门。"}),
            (LEAD, "approve_extension", {}),
        ]
    if rng.random() < 0.05:
        steps.append((LEAD, "supervise", {"reason": "群众反映强烈，请加快办理并按时答复。"}))
    steps.append((_handler(dept), "answer", {"answer": tpl.answer}))
    roll = rng.random()
    if roll < 0.04:  # still unhappy with a lawful answer: the supervisor closes it
        steps += [
            (OPERATOR, "callback", {"satisfaction": "unsatisfied", "note": "对答复不认可"}),
            (LEAD, "close", {"reason": "已依法依规答复，诉求超出政策规定范围。"}),
        ]
    elif roll < 0.14:
        steps += [
            (OPERATOR, "callback", {"satisfaction": "unsatisfied", "note": "问题仍未解决"}),
            (OPERATOR, "reopen", {}),
            (_handler(dept), "answer", {"answer": tpl.answer + "（复查后已再次处理）"}),
            (OPERATOR, "callback", {"satisfaction": "basic"}),
        ]
    elif roll < 0.3:
        steps.append((OPERATOR, "callback", {"satisfaction": "basic"}))
    else:
        steps.append((OPERATOR, "callback", {"satisfaction": "satisfied"}))
    for who, action, params in steps:
        gap = {
            "sign": rng.randint(10, 150),
            "answer": rng.randint(60 * 20, 60 * 24 * 9),
            "callback": rng.randint(60 * 3, 60 * 40),
        }.get(action, rng.randint(20, 240))
        t += dt.timedelta(minutes=gap)
        if t >= now:
            return  # still open at this stage
        _act(no, who, action, t, **params)


def seed_hotline(*, months: int = 6, per_day: tuple[int, int] = (2, 5)) -> dict[str, int]:
    """Create the demo tickets (unless there are some) and the Open311 demo key."""
    with transaction.atomic():
        key_issue(client_id=OPEN311_CLIENT, actor="system:seed_hotline", key=OPEN311_KEY)
    if Ticket.objects.filter(created_by__in=("user:demo-hotline", "system:seed_hotline")).exists():
        return {"tickets": Ticket.objects.count(), "created": 0}
    with transaction.atomic():  # one commit (each action's own transaction a savepoint): fast
        return _seed(months=months, per_day=per_day)


def _seed(*, months: int, per_day: tuple[int, int]) -> dict[str, int]:
    rng = random.Random(20261207)  # noqa: S311 - reproducible demo data, not security
    now = timezone.now()
    today = timezone.localdate()
    day = today - dt.timedelta(days=30 * months)
    weights = [t.weight for t in TEMPLATES]
    created = 0
    while day <= today:
        for _ in range(rng.randint(*per_day)):
            tpl = rng.choices(TEMPLATES, weights)[0]
            place = rng.choice(PLACES)
            start = _at(day, rng.randint(0, 600))
            if start >= now:
                continue
            # some people call again about the same thing (重复来电)
            phone = (
                f"1390758{rng.randint(0, 20):04d}"
                if rng.random() < 0.15
                else f"139{rng.randint(0, 99999999):08d}"
            )
            ticket = intake.ticket_create(
                principal=OPERATOR,
                data=TicketInput(
                    content=tpl.text.format(place=place),
                    type=tpl.type,
                    category=tpl.category,
                    address=place,
                    caller_phone=phone,
                    caller_name=rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
                ),
                channel=rng.choice((Channel.PHONE,) * 6 + (Channel.WEB, Channel.MOBILE)),
                at=start,
            )
            _life(rng, ticket.ticket_no, tpl, start, now)
            created += 1
        day += dt.timedelta(days=1)
    created += _burst(rng, today, now)
    created += _citizen(today, now)
    actions.warnings_refresh(at=now)
    return {"tickets": Ticket.objects.count(), "created": created}


def _burst(rng: random.Random, today: dt.date, now: dt.datetime) -> int:
    """The planted 弱信号: 停水 from one 小区 over the last two days (a quiet topic before)."""
    n = 0
    for i, text in enumerate(BURST_TEXTS):
        day = today - dt.timedelta(days=1 if i < 4 else 0)
        start = _at(day, 30 + 50 * i)
        if start >= now:
            start = now - dt.timedelta(minutes=5 * (len(BURST_TEXTS) - i))
        ticket = intake.ticket_create(
            principal=OPERATOR,
            data=TicketInput(
                content=text,
                type="求助" if i % 3 else "投诉",
                category="100101",
                address=BURST_PLACE,
                caller_phone=f"137{rng.randint(0, 99999999):08d}",
            ),
            channel=Channel.PHONE,
            at=start,
        )
        if i == 0:
            _act(
                ticket.ticket_no,
                OPERATOR,
                "dispatch",
                start + dt.timedelta(minutes=10),
                department=DEPT["水务"],
            )
        n += 1
    return n


def _citizen(today: dt.date, now: dt.datetime) -> int:
    """demo-citizen (李明)'s own 诉求 for 我的诉求: one answered and waiting for his rating."""
    citizen = Principal(
        kind="person",
        username="demo-citizen",
        name="李明",
        id_number=_citizen_id(),
    )
    if not citizen.id_number:
        return 0
    start = min(_at(today - dt.timedelta(days=3), 60), now - dt.timedelta(hours=2))
    ticket = intake.ticket_create(
        principal=citizen,
        data=TicketInput(
            content="端州区城东街道天宁北路12号对面的路灯坏了一个星期，晚上出入不安全。",
            type="求助",
            category="080104",
        ),
        channel=Channel.WEB,
        at=start,
    )
    cg = _handler(DEPT["城管"])
    _act(
        ticket.ticket_no,
        OPERATOR,
        "dispatch",
        start + dt.timedelta(minutes=20),
        department=DEPT["城管"],
    )
    _act(ticket.ticket_no, cg, "sign", start + dt.timedelta(minutes=50))
    _act(ticket.ticket_no, cg, "answer", start + dt.timedelta(hours=1), answer="路灯已更换。")
    return 1


def _citizen_id() -> str:
    from shuzheng.core.codes import make_id_number

    # identity.demo's 李明: born 1990-05-12 in 端州区, sequence 31
    return make_id_number("441202", dt.date(1990, 5, 12), 31)
