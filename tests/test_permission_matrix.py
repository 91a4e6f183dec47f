"""The permission matrix (issue 16): every API operation and every page × every demo caller,
checked against one table of who may do what (tests/permission_table.py).

Operations and pages are discovered — the NinjaAPI's OpenAPI schema and the URL resolver —
so a new endpoint or page fails ``test_the_table_covers_every_operation_and_page`` until the
table says who may use it. One world is built once for the module, in a transaction rolled back
at its end and on a fixed day (the demo catalog, licences, rules and policies, then cases, a
rating, policy matches, a consent, share requests … made through the API); each probe runs in
a savepoint that is rolled back, so no caller sees another's writes. A test collects every
mismatch and prints them as a table (method and path, caller, expected, got, the answer).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from reportlab.pdfgen import canvas

from tests import permission_table as table
from tests.support import Api

# The world's day (a Monday with a known calendar); the clock ticks from it.
WORLD_DAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MARRIAGE = "201001/000001"  # 婚姻登记 (市民政局, conditional)
SOCIAL = "203001/000001"  # 社保参保 (市人社局, conditional, outside consent)
CREDIT = "104001/000001"  # 社会信用 (市政数局, unconditional: 秒享)
POPULATION = "101001/000001"  # 人口基础信息 (市公安局)
REISSUE = "441200307000040030008"  # 补领婚姻登记证 (市民政局 441200-MZJ, 承诺件)


# --- discovery -------------------------------------------------------------------------------


def api_operations() -> set[str]:
    """Every operation of the one NinjaAPI, as "METHOD /path" (the OpenAPI path template)."""
    from shuzheng.api.router import api

    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


SKIPPED_PAGES = ("admin/", "static/", "api/", "^api/")


def pages() -> set[str]:
    """Every non-API URL pattern (the Django admin, static files and the API left out)."""
    return {p for p in _walk(get_resolver().url_patterns) if not p.startswith(SKIPPED_PAGES)}


# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    api: Api
    refs: dict[str, Any] = field(default_factory=dict)

    def fill(self, value: Any) -> Any:
        """``$name`` in strings (recursively in lists and dicts) replaced by the world's value."""
        if isinstance(value, str):
            whole = re.fullmatch(r"\$([a-z_0-9]+)", value)
            if whole:  # the object itself (a dict, bytes …), not its text
                return self.refs[whole.group(1)]
            return re.sub(r"\$([a-z_0-9]+)", lambda m: str(self.refs[m.group(1)]), value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value


def _ok(r: Any, what: str) -> Any:
    assert r.status_code in (200, 201), (what, r.status_code, r.content[:600])
    return r.json()


def scan_pdf() -> bytes:
    """A small, well-formed one-page PDF (uploads are checked for a whole PDF structure)."""
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pageCompression=0)
    page.drawString(100, 700, "scan")
    page.showPage()
    page.save()
    return buf.getvalue()


PDF = scan_pdf()


def _upload(api: Api, who: str) -> str:
    r = api.client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {api.token(who)}",
    )
    return str(_ok(r, "upload")["file_id"])


def _file_case(api: Api, who: str, id_card: str) -> str:
    """补领婚姻登记证 (市民政局) filed online by ``who``: the ID card from the wallet, a photo."""
    form = {
        "applicant_phone": "13800000001",
        "spouse_name": "王芳",
        "certificate_kind": "结婚证",
        "registration_year": 2015,
    }
    materials = [
        {"material_code": "M1", "license_id": id_card},
        {"material_code": "M2", "file_id": _upload(api, who)},
    ]
    body = {"item_code": REISSUE, "form": form, "materials": materials}
    return str(_ok(api.call("POST", "/api/v1/cases", who=who, json_body=body), "file")["case_no"])


def build_world(client: Client) -> World:
    """Seed the demo content and make, through the API, one object of every kind the table
    names (inside the caller's transaction and time travel)."""
    from shuzheng.catalog.demo import seed_catalog
    from shuzheng.core.codes import make_id_number
    from shuzheng.identity.models import Person
    from shuzheng.licenses import services as license_services
    from shuzheng.licenses.demo import ACTOR, CITIZEN_ID, ELDER_ID, ENTERPRISE_USCC, seed_licenses
    from shuzheng.licenses.models import License, Presentation
    from shuzheng.proactive.services import policies_seed
    from shuzheng.rules.models import RuleVersion
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    seed_licenses()
    rule_sets_seed()
    policies_seed()
    api = Api(client)
    for caller in table.CALLERS:
        if table.USERNAMES[caller]:
            api.token(table.USERNAMES[caller])  # once each: the token endpoint is throttled
    w = World(api=api)
    refs = w.refs
    refs.update(
        pdf=PDF,
        new_id=make_id_number("441202", dt.date(1995, 4, 1), 777),  # nobody's yet
        gaoling_document=RuleVersion.objects.get(
            rule_set__code="gaoling-jintie", version=1
        ).document,
        citizen_id=CITIZEN_ID,
        elder_id=ELDER_ID,
        agent_id=Person.objects.get(user__username="demo-agent").id_number,
        uscc=ENTERPRISE_USCC,
        item_code=REISSUE,
        provincial_item="44000020100001000000W",  # 普通护照签发 (440000-GAT)
        bundle_code="YJS441200006",  # 结婚一件事 (市民政局)
        marriage=MARRIAGE,
        social=SOCIAL,
        credit=CREDIT,
        population=POPULATION,
    )
    card = License.objects.get(holder_id=CITIZEN_ID, license_type__name="居民身份证")
    refs["license_gaj"] = card.license_id  # issued by 市公安局 (441200-GAJ)
    # a licence of 李明's issued by 市民政局 (441200-MZJ), the department of the cases
    mzj = license_services.license_issue(
        actor=ACTOR,
        source="seed",
        license_type_name="结婚证",
        holder_kind="person",
        holder_id=CITIZEN_ID,
        holder_name="李明",
        department_code="441200-MZJ",
        issued_on="2015-10-08",
        data={
            "name": "李明",
            "id_number": CITIZEN_ID,
            "spouse_name": "王芳",
            "spouse_id_number": refs["agent_id"],
            "registered_on": "2015-10-08",
            "cert_no": "J441200-2015-000123",
        },
    )
    refs["license_mzj"] = mzj.license_id

    # cases of 李明 at 市民政局: one submitted, one closed (result licence pending) and rated 差评
    refs["case_open"] = _file_case(api, "demo-citizen", card.license_id)
    opened = _ok(api.call("GET", f"/api/v1/cases/{refs['case_open']}", who="demo-citizen"), "case")
    refs["case_file"] = next(m["file_id"] for m in opened["materials"] if m.get("file_id"))
    refs["loose_file"] = _upload(api, "demo-elder")
    closed = _file_case(api, "demo-citizen", card.license_id)
    for who, action, extra in (
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {"note": "符合补领条件"}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ):
        body = {"action": action, **extra}
        _ok(api.call("POST", f"/api/v1/cases/{closed}/actions", who=who, json_body=body), action)
    refs["case_closed"] = closed
    rated = _ok(
        api.call(
            "POST",
            f"/api/v1/cases/{closed}/rating",
            who="demo-citizen",
            json_body={"level": 5, "comment": "窗口排队时间太长"},
        ),
        "rating",
    )
    refs["task_id"] = rated["rectification"]["id"]
    draft = {
        "item_code": REISSUE,
        "form": {"spouse_name": "王芳"},
        "materials": [],
        "submit": False,
    }
    refs["case_draft"] = _ok(
        api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=draft), "draft"
    )["case_no"]

    # 免申即享: 高龄津贴 matches 陈桂英 (a pilot run over her alone keeps it quick)
    run = {"subjects": [ELDER_ID]}
    _ok(
        api.call("POST", "/api/v1/policies/gaoling-jintie/runs", who="demo-admin", json_body=run),
        "run",
    )
    match = _ok(api.call("GET", "/api/v1/me/policies", who="demo-elder"), "my policies")[0]
    refs["match_id"], refs["decision_id"] = match["id"], match["decision_id"]

    # 数据共享: a pending request of the 民政 system for 婚姻登记, an instant grant of 社会信用
    share = {
        "resource": MARRIAGE,
        "fields": ["person.marital_status", "marriage.registered_on"],
        "purpose": "service",
        "scenario": "最低生活保障审核：核对申请人婚姻状况",
        "legal_basis": "《社会救助暂行办法》第十一条",
        "days": 365,
    }
    refs["request_id"] = _ok(
        api.call("POST", "/api/v1/exchange/requests", who="client:demo-mz-system", json_body=share),
        "share request",
    )["id"]
    instant = {**share, "resource": CREDIT, "fields": ["credit.rating", "credit.dishonest"]}
    refs["grant_code"] = _ok(
        api.call(
            "POST", "/api/v1/exchange/requests", who="client:demo-mz-system", json_body=instant
        ),
        "instant share",
    )["grant"]["code"]
    # 数字空间: 李明 lets the bank read his 社保参保 and reports an error in his 户籍 data
    consent = {
        "requester": "demo-bank",
        "resource": SOCIAL,
        "purpose": "个人经营贷款审批（政银数据融合）",
        "days": 90,
        "fields": ["social_insurance.status", "social_insurance.pension_months"],
    }
    refs["consent_id"] = _ok(
        api.call("POST", "/api/v1/dataspace/consents", who="demo-citizen", json_body=consent),
        "consent",
    )["id"]
    correction = {
        "resource": POPULATION,
        "field": "person.hukou_address",
        "proposed_value": "广东省肇庆市端州区城东街道天宁北路14号",
        "reason": "门牌号登记有误",
    }
    refs["issue_id"] = _ok(
        api.call("POST", "/api/v1/dataspace/corrections", who="demo-citizen", json_body=correction),
        "correction",
    )["id"]
    # 亮证: 李明 shows his name from the ID card
    shown = _ok(
        api.call(
            "POST",
            f"/api/v1/licenses/{card.license_id}/presentations",
            who="demo-citizen",
            json_body={"fields": ["name"]},
        ),
        "presentation",
    )
    refs["presentation_token"] = shown["token"]
    refs["presentation_nonce"] = Presentation.objects.get(token=shown["token"]).nonce
    # 缴费: 李明's 不动产登记（转移登记） (市不动产登记中心, 80 元) accepted, its order paid through
    # the demo cashier's signed callback (so it has a receipt)
    from shuzheng.payments import demo as payment_demo

    transfer = "441200307000050020007"
    prep = _ok(
        api.call("GET", f"/api/v1/cases/prepare?item_code={transfer}", who="demo-citizen"),
        "prepare transfer",
    )
    deed = {
        **prep["prefill"],
        "applicant_phone": "13800000001",
        "property_address": "肇庆市端州区天宁北路14号501房",
        "property_certificate_number": "粤（2020）肇庆市不动产权第0012345号",
        "transferor_name": "张伟",
        "transfer_reason": "买卖",
    }
    deed_body = {
        "item_code": transfer,
        "form": {k: v for k, v in deed.items() if k in prep["form_schema"]["properties"]},
        "materials": [
            {"material_code": m["material_code"], "file_id": _upload(api, "demo-citizen")}
            for m in prep["materials"]
            if m["required"]
        ],
    }
    deed_no = _ok(
        api.call("POST", "/api/v1/cases", who="demo-citizen", json_body=deed_body), "transfer"
    )["case_no"]
    accept = {"action": "accept"}
    _ok(
        api.call("POST", f"/api/v1/cases/{deed_no}/actions", who="demo-clerk", json_body=accept),
        "accept transfer",
    )
    order = _ok(api.call("GET", "/api/v1/payments/orders", who="demo-citizen"), "orders")[0]
    refs["order_no"] = order["order_no"]
    paid = payment_demo.callback_body(order_no=order["order_no"], amount_fen=order["amount_fen"])
    r = client.post(
        "/api/v1/payments/callback/demo",
        paid,
        content_type="application/json",
        HTTP_X_SHUZHENG_SIGNATURE=payment_demo.signed_headers(paid)[payment_demo.SIGNATURE_HEADER],
    )
    _ok(r, "payment callback")
    # 预约办理: 李明 books 居民身份证换领 at 市公安局's window of 肇庆市政务服务中心, tomorrow
    from shuzheng.appointments.demo import seed_appointments

    seed_appointments()
    refs["booking_item"], refs["booking_date"] = "441200307000030000000", "2026-11-24"
    visit = {"hall": "zq-zwfw", "item": refs["booking_item"], "date": "2026-11-24", "time": "09:00"}
    refs["booking_no"] = _ok(
        api.call("POST", "/api/v1/appointments", who="demo-citizen", json_body=visit), "booking"
    )["no"]
    # 帮办代办: 陈桂英's 代办授权 letting her daughter (demo-daughter) apply for her (demo data)
    from shuzheng.identity.models import Mandate

    refs["mandate_id"] = Mandate.objects.get(agent__user__username="demo-daughter").pk
    # 12345: 李明's 诉求 about a street lamp, filed on the portal (his phone from his account)
    lamp = {
        "type": "求助",
        "content": "端州区城东街道天宁北路路灯坏了一个星期。",
        "category": "080104",
    }
    refs["hotline_no"] = _ok(
        api.call("POST", "/api/v1/hotline/tickets", who="demo-citizen", json_body=lamp), "诉求"
    )["ticket_no"]
    # 12345 知识库: a published article (entered by the center, published by 市民政局's head)
    # and a draft, both of 市民政局
    article = {
        "title": "高龄津贴申领",
        "questions": ["老人八十岁有冇长寿金"],
        "answer": "年满 80 周岁的肇庆户籍老年人可申领高龄津贴。",
        "department": "441200-MZJ",
        "items": ["44120030500001000000B"],
    }
    made = _ok(
        api.call("POST", "/api/v1/knowledge/articles", who="demo-hotline", json_body=article),
        "知识条目",
    )
    for who, action in (("demo-hotline", "submit"), ("demo-head", "publish")):
        _ok(
            api.call(
                "POST",
                f"/api/v1/knowledge/articles/{made['id']}/actions",
                who=who,
                json_body={"action": action},
            ),
            action,
        )
    refs["article_id"] = made["id"]
    draft = dict(article, title="长者饭堂就餐", items=[])
    refs["article_draft"] = _ok(
        api.call("POST", "/api/v1/knowledge/articles", who="demo-clerk", json_body=draft), "草稿"
    )["id"]
    # 一网统管: an indicator of 市水务局 (441200-SWUJ) and the alert its reading raised
    from shuzheng.governance.models import Indicator

    Indicator.objects.create(
        code="matrix-river", name="西江水位（矩阵）", unit="m", department="441200-SWUJ",
        function="social", source="push", frequency="hourly", yellow=11.0, red=13.0,
    )  # fmt: skip
    river = {"indicator": "matrix-river", "value": 11.5, "at": WORLD_DAY.isoformat()}
    pushed = api.call(
        "POST", "/api/v1/city/readings", who="client:demo-city-sensors",
        json_body={"readings": [river]},
    )  # fmt: skip
    refs["city_alert"] = str(_ok(pushed, "读数")["alerts"][0]["id"])
    # 一网统管 events: the sensing platform reports a 店外经营 in 端州区 with a photo (the
    # center sees it; no other caller in the table is its reporter, department or 网格员)
    from shuzheng.files import facade as files_facade
    from shuzheng.files.tests.samples import png as sample_png

    sensors = "client:demo-city-sensors"
    photo = files_facade.file_store(actor=sensors, name="p.png", data=sample_png())
    sent = api.call(
        "POST", "/api/v1/city/events", who=sensors,
        json_body={"category": "SJ-0504", "description": "矩阵店外经营", "grid": "441202001001",
                   "photos": [photo.file_id], "source": "sensor"},
    )  # fmt: skip
    refs["city_event"] = str(_ok(sent, "事件")["event_no"])
    refs["city_event_photo"] = photo.file_id
    # 预案: a plan with one step of 市水务局, started by the center for that alert
    from shuzheng.governance.models import Plan, PlanStep

    matrix_plan = Plan.objects.create(code="matrix-flood", name="矩阵预案", kind="flood", level=4)
    PlanStep.objects.create(plan=matrix_plan, title="矩阵步骤", department="441200-SWUJ")
    run = api.call(
        "POST", "/api/v1/city/plan-runs", who="demo-hotline",
        json_body={"plan": "matrix-flood", "alert": int(refs["city_alert"])},
    )  # fmt: skip
    refs["city_run"] = str(_ok(run, "预案启动")["id"])
    refs["city_step"] = str(run.json()["steps"][0]["id"])
    # 督查督办: a task led by 市人社局 (441200-RSJ), and a 督办通知 the lead office issued on it
    task = {"path": ["一", "(一)"], "title": "矩阵督办任务", "lead_departments": ["441200-RSJ"],
            "targets": [{"text": "覆盖率达到90%", "value": 90, "unit": "%"}]}  # fmt: skip
    plan = api.call(
        "POST", "/api/v1/supervision/plans", who="demo-head",
        json_body={"title": "矩阵工作要点", "year": WORLD_DAY.year, "tasks": [task]},
    )  # fmt: skip
    _ok(plan, "工作计划")
    from shuzheng.supervision.models import Task as SupervisionTask

    refs["supervision_task"] = str(SupervisionTask.objects.get(title="矩阵督办任务").pk)
    urge = api.call(
        "POST", f"/api/v1/supervision/tasks/{refs['supervision_task']}/urges", who="demo-head",
        json_body={"body": "请加快推进。"},
    )  # fmt: skip
    refs["supervision_urge"] = str(_ok(urge, "督办通知")["id"])
    # 公文库: a 不予公开 document of 市民政局 (441200-MZJ), readable by its staff and the office
    from shuzheng.documents.services import documents_import
    from shuzheng.identity.contracts import Principal

    head = Principal(
        kind="staff", username="demo-head", staff_roles=(("department_head", "441200-MZJ"),)
    )
    text = "关于矩阵公文的通知\n民政局：\n矩阵公文正文。\n2026年11月23日\n"
    (doc,) = documents_import(
        principal=head,
        files=[("m.txt", text.encode())],
        openness="不予公开",
        department="441200-MZJ",
    )
    refs["document_id"] = str(doc.pk)
    # 填表报数: the demo reports issued (no history); 天宁社区's 高龄津贴 report for November
    from shuzheng.reporting.demo import seed_reporting
    from shuzheng.reporting.models import ReportTask

    seed_reporting(history=False)
    refs["report_task"] = str(
        ReportTask.objects.get(
            definition__code="GLJT", unit__code="441202001001", period="2026-11"
        ).pk
    )
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """One world for the module, in a transaction rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(WORLD_DAY, tick=True),
        transaction.atomic(),
    ):
        yield build_world(Client())
        transaction.set_rollback(True)


# --- judging an answer -----------------------------------------------------------------------


def _text(r: Any) -> str:
    body = b"".join(r.streaming_content) if r.streaming else bytes(r.content)  # files stream
    return body.decode("utf-8", errors="replace")


def _detail(r: Any) -> str:
    """A short account of an answer for the report: where it redirects, or its first words."""
    if r.get("Location"):
        return "→ " + r["Location"]
    kind = r.get("Content-Type", "")
    if not kind.startswith(("application/json", "text/")):
        return kind
    text = re.sub(r"\s+", " ", _text(r))
    if kind.startswith("text/html"):  # the page's message, not its markup
        found = re.search(r"<main[^>]*>(.*?)</main>", text)
        text = re.sub(r"<[^>]+>", " ", found.group(1) if found else text)
        text = re.sub(r"\s+", " ", text).strip()
    return text[:140]


def _secrets(world: World, secret: str | tuple[str, ...]) -> list[str]:
    return [str(world.fill(s)) for s in ((secret,) if isinstance(secret, str) else secret) if s]


def shown(text: str, secrets: list[str]) -> str:
    """ "full" when the answer shows any of the secrets, else "masked"."""
    return "full" if any(s in text for s in secrets) else "masked"


def api_matches(expect: table.Expect, status: int, text: str, secrets: list[str]) -> bool:
    if status >= 500:
        return False
    authorised = status not in (401, 403, 404)
    if expect == "ok":
        return authorised
    if expect in ("full", "masked"):
        return authorised and bool(secrets) and shown(text, secrets) == expect
    if expect == "denied":
        return status in (403, 404)
    return status == expect


def page_outcome(r: Any) -> str | int:
    """What a page answered: "login" (a redirect to the login page), "ok" (shown or
    redirected elsewhere, or a form answered with its errors), or the status."""
    if r.status_code in (301, 302, 303) and r["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    ):
        return "login"
    if r.status_code < 400 or r.status_code in (409, 422):
        return "ok"
    return int(r.status_code)


@dataclass
class Mismatch:
    what: str
    label: str
    caller: str
    expected: table.Expect
    got: int | str
    detail: str

    def row(self) -> str:
        what = f"{self.what} [{self.label}]" if self.label else self.what
        return f"{what:<64} {self.caller:<12} {self.expected!s:<8} {self.got!s:<8} {self.detail}"


def _report(title: str, mismatches: list[Mismatch], gaps: set[table.Gap]) -> str:
    """The mismatches as a table, known gaps marked; the message of a failing test."""
    lines = [title, f"{'operation / page':<64} {'caller':<12} {'expected':<8} {'got':<8} detail"]
    for m in mismatches:
        known = (m.what, m.label, m.caller, m.got) in gaps
        lines.append(("(known gap) " if known else "") + m.row())
    return "\n".join(lines)


def _judge(title: str, mismatches: list[Mismatch], passed: set[tuple[str, str, str]]) -> None:
    """Fail on any mismatch that is not a known gap, and on any known gap that now passes."""
    gaps = set(table.KNOWN_GAPS)
    unexpected = [m for m in mismatches if (m.what, m.label, m.caller, m.got) not in gaps]
    fixed = [g for g in gaps if g[:3] in passed]
    known = [m for m in mismatches if (m.what, m.label, m.caller, m.got) in gaps]
    if known:
        print(_report(f"{title}: {len(known)} known gap(s)", known, gaps))
    message = _report(f"{title}: {len(unexpected)} mismatch(es)", unexpected, gaps)
    if fixed:
        message += "\nKNOWN_GAPS that now pass (remove them): " + repr(sorted(fixed))
    assert not unexpected and not fixed, message


# --- the tests -------------------------------------------------------------------------------


def _headers(world: World, caller: str) -> dict[str, str]:
    who = table.USERNAMES[caller]
    return {"HTTP_AUTHORIZATION": f"Bearer {world.api.token(who)}"} if who else {}


def _call(world: World, client: Client, operation: str, probe: table.Probe, caller: str) -> Any:
    method, template = operation.split(" ", 1)
    path = world.fill(template.format(**probe.path))
    if probe.query:
        path += "?" + world.fill(probe.query)
    headers = _headers(world, caller)
    if probe.files is not None:
        files = {
            name: SimpleUploadedFile(filename, _bytes(world.fill(content)), ctype)
            for name, (filename, content, ctype) in probe.files.items()
        }
        return client.post(path, files, **headers)
    fn = getattr(client, method.lower())
    if probe.body is not None:
        body = json.dumps(world.fill(probe.body), ensure_ascii=False)
        return fn(path, body, content_type="application/json", **headers)
    return fn(path, **headers)


def _bytes(content: Any) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode("utf-8")


@pytest.mark.django_db
def test_api_matrix(world: World) -> None:
    """Every operation × every caller answers as the table says."""
    client = Client(raise_request_exception=False)
    mismatches: list[Mismatch] = []
    passed: set[tuple[str, str, str]] = set()
    for operation in sorted(api_operations() & set(table.API)):
        for probe in table.API[operation]:
            secrets = _secrets(world, probe.secret)
            for caller in table.CALLERS:
                expect = probe.expect[caller]
                with transaction.atomic():
                    r = _call(world, client, operation, probe, caller)
                    transaction.set_rollback(True)
                text = _text(r)
                if api_matches(expect, r.status_code, text, secrets):
                    passed.add((operation, probe.label, caller))
                    continue
                got: int | str = r.status_code
                if expect in ("full", "masked") and r.status_code < 400:
                    got = f"{r.status_code} {shown(text, secrets)}"
                mismatches.append(Mismatch(operation, probe.label, caller, expect, got, _detail(r)))
    _judge("API permission matrix", mismatches, passed)


def _sessions() -> dict[str, str]:
    """A signed-in session per user caller (its cookie value), made once."""
    from shuzheng.identity.models import User

    out = {}
    for caller in table.PAGE_CALLERS:
        if table.USERNAMES[caller]:
            client = Client()
            client.force_login(User.objects.get(username=table.USERNAMES[caller]))
            out[caller] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return out


def _page_client(sessions: dict[str, str], caller: str) -> Client:
    """A client with the caller's session: a fresh one per request (a logout ends the
    session in the rolled-back savepoint; the cookie brings it back)."""
    client = Client(raise_request_exception=False)
    if caller in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[caller]
    return client


@pytest.mark.django_db
def test_page_matrix(world: World) -> None:
    """Every page × every signed-in user (and anonymous) answers as the table says."""
    mismatches: list[Mismatch] = []
    passed: set[tuple[str, str, str]] = set()
    sessions = _sessions()
    for pattern in sorted(pages() & set(table.PAGES)):
        page = table.PAGES[pattern]
        path = "/" + world.fill(_route(pattern).format(**page.path))
        secrets = _secrets(world, page.secret)
        if page.query:
            path += "?" + world.fill(page.query)
        for caller in table.PAGE_CALLERS:
            expect = page.expect[caller]
            with transaction.atomic():
                client = _page_client(sessions, caller)
                if page.post is not None:
                    r = client.post(path, world.fill(page.post))
                else:
                    r = client.get(path)
                transaction.set_rollback(True)
            got = page_outcome(r)
            if got == "ok" and expect in ("full", "masked"):
                got = shown(_text(r), secrets) if secrets else "no secret"
            if got == expect:
                passed.add((pattern, "", caller))
                continue
            mismatches.append(Mismatch(pattern, "", caller, expect, got, _detail(r)))
    _judge("Page permission matrix", mismatches, passed)


def _route(pattern: str) -> str:
    """A URL pattern as a format string: ``cases/<str:case_no>/`` → ``cases/{case_no}/``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def test_the_table_covers_every_operation_and_page() -> None:
    """A new operation or page must be added to the table; an entry for one that no longer
    exists must be removed; every entry names an expectation for every caller."""
    operations, urls = api_operations(), pages()
    problems = [
        f"API operation missing from the table: {o}" for o in sorted(operations - set(table.API))
    ]
    problems += [
        f"table entry for no API operation: {o}" for o in sorted(set(table.API) - operations)
    ]
    problems += [f"page missing from the table: {p!r}" for p in sorted(urls - set(table.PAGES))]
    problems += [f"table entry for no page: {p!r}" for p in sorted(set(table.PAGES) - urls)]
    for operation, probes in table.API.items():
        for probe in probes:
            if set(probe.expect) != set(table.CALLERS):
                problems.append(f"{operation} [{probe.label}]: not every caller has a cell")
    for pattern, page in table.PAGES.items():
        if set(page.expect) != set(table.PAGE_CALLERS):
            problems.append(f"{pattern}: not every caller has a cell")
    assert not problems, "\n".join(problems)


def test_known_gaps_are_reported_and_kept_true(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known gap that still answers as listed is reported, not failed; one that now passes
    fails (remove it from the list); any other mismatch fails."""
    gap = ("GET /api/v1/x", "", "hotline", 200)
    monkeypatch.setattr(table, "KNOWN_GAPS", [gap])
    still = Mismatch("GET /api/v1/x", "", "hotline", 404, 200, "")
    _judge("t", [still], passed=set())  # reported only
    with pytest.raises(AssertionError, match="now pass"):
        _judge("t", [], passed={gap[:3]})
    with pytest.raises(AssertionError, match="1 mismatch"):
        _judge("t", [Mismatch("GET /api/v1/x", "", "hotline", 404, 403, "")], passed=set())
