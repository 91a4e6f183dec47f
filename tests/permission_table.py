"""Who may do what: the one table the permission matrix (tests/test_permission_matrix.py) checks,
as plain data.

Callers are the demo accounts (``src/shuzheng/identity/demo.py``) and the two demo API clients.
The world (built by the test) holds one object of every kind; ``$name`` in a path, query or
body is replaced by the world's value of that name:

=================  ===========================================================================
case_open          李明's 补领婚姻登记证, submitted, at 市民政局 (441200-MZJ)
case_closed        the same item, accepted, approved and closed (its 结婚证 left pending);
                   李明 rated it 5 (差评), which opened rectification ``task_id``
case_draft         李明's draft of the same item
case_file          the photo (M2) 李明 uploaded with case_open; ``loose_file`` an upload of
                   陈桂英's that no case uses
license_gaj        李明's 居民身份证 (issued by 市公安局 441200-GAJ, seed)
license_mzj        李明's 结婚证 issued by 市民政局 (441200-MZJ)
match_id           陈桂英's 高龄津贴 match (policy gaoling-jintie, 市民政局), ``decision_id``
request_id         the 民政 system's pending share request for 婚姻登记 (source 市民政局)
grant_code         the 民政 system's instant grant of 社会信用 (source 市政数局 441200-ZSJ)
consent_id         李明's consent letting the bank read his 社保参保
issue_id           李明's data correction of 人口基础信息 (source 市公安局)
presentation_*     李明's 亮证 of his name from the ID card (token, nonce)
order_no           李明's paid fee order of 不动产登记（转移登记） (市不动产登记中心 441200-BDCDJZX)
mandate_id         陈桂英's 代办授权 letting her daughter (demo-daughter, no caller here) apply
                   for her (demo data)
hotline_no         李明's 12345 诉求 (求助, a street lamp in 端州区), filed on the portal
=================  ===========================================================================

An expectation per caller is one of:

* ``"ok"`` — authorised: any status but 401/403/404 and 5xx (a domain 409/422 counts);
* ``"full"`` / ``"masked"`` — authorised, and the answer does / does not contain the probe's
  ``secret`` (any of them): a person's name or full ID number (their data shown in full, or
  masked or absent), or an object's id (a list that does or does not include it);
* ``401``, ``403``, ``404`` — exactly that status; ``"denied"`` — 403 or 404.

Pages (session login; the API clients have no pages): ``"ok"`` (200, a redirect that is not to
the login page, or a form answered with its errors, 409/422), ``"full"``/``"masked"`` (as for
the API), ``"login"`` (a redirect to the login page), ``403``, ``404``.

The rules decided by the integrator are written once below (CASE_FILE, WINDOW_FILING,
METRICS, LICENCE_*). Wrong behaviour the matrix found is marked ``FINDING`` where the table
says what is intended; a cell still answering wrongly is listed in KNOWN_GAPS (never written
into the table as if it were right).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Expect = str | int

CALLERS = (
    "anonymous",
    "citizen",
    "elder",
    "agent",
    "clerk",
    "reviewer",
    "head",
    "dataofficer",
    "hotline",
    "admin",
    "mz_system",
    "bank",
)
USERNAMES: dict[str, str | None] = {
    "anonymous": None,
    "citizen": "demo-citizen",  # 李明, the applicant and holder in the world
    "elder": "demo-elder",  # 陈桂英, another citizen (matched for 高龄津贴)
    "agent": "demo-agent",  # 王芳, agent of the demo restaurant
    "clerk": "demo-clerk",  # window_clerk in every level-3 department
    "reviewer": "demo-reviewer",  # reviewer in every level-3 department
    "head": "demo-head",  # department_head of 441200-MZJ and 441200-ZSJ
    "dataofficer": "demo-dataofficer",  # data_officer of 441200-ZSJ, -GAJ, -MZJ
    "hotline": "demo-hotline",  # hotline_operator of 441200-ZSJ
    "admin": "demo-admin",  # platform_admin (440000-ZSJ, 441200-ZSJ), superuser
    "mz_system": "client:demo-mz-system",  # government client of 441200-MZJ
    "bank": "client:demo-bank",  # outside client
}
PAGE_CALLERS = tuple(c for c in CALLERS if not (USERNAMES[c] or "").startswith("client:"))

PERSONS = ("citizen", "elder", "agent")
STAFF = ("clerk", "reviewer", "head", "dataofficer", "hotline", "admin")
CLIENTS = ("mz_system", "bank")
SIGNED_IN = PERSONS + STAFF + CLIENTS
MZJ_HANDLERS = ("clerk", "reviewer", "head")  # the handling roles (CASE_ROLES) of 441200-MZJ
GAJ_HANDLERS = ("clerk", "reviewer")  # … of 441200-GAJ (demo-head heads MZJ and ZSJ only)


def rule(
    ok: tuple[str, ...] = (), *, default: Expect = 403, anonymous: Expect = 401, **cells: Expect
) -> dict[str, Expect]:
    """Per-caller expectations: ``ok`` callers authorised, ``cells`` as given, the rest
    ``default`` (anonymous: 401)."""
    out: dict[str, Expect] = dict.fromkeys(CALLERS, default)
    out["anonymous"] = anonymous
    out.update(dict.fromkeys(ok, "ok"))
    out.update(cells)
    return out


PUBLIC = rule(SIGNED_IN, anonymous="ok")
AUTHENTICATED = rule(SIGNED_IN)
PERSONS_ONLY = rule(PERSONS)
STAFF_ONLY = rule(STAFF)
ADMIN_ONLY = rule(("admin",))
DATA_DESK = rule(("dataofficer", "admin"))  # 数据共享管理: data officers and the admin

# Case files (办件): the applicant and the handling roles of the case's department; a data
# officer, a 12345 operator and the platform admin read no case files (404, as if none).
CASE_FILE = rule(
    ("citizen", *MZJ_HANDLERS), default=404, **dict.fromkeys(("citizen", *MZJ_HANDLERS), "full")
)
# A case list shows 李明's case to him and to the department's handling staff only.
CASE_LIST = rule(SIGNED_IN, **dict.fromkeys(SIGNED_IN, "masked")) | dict.fromkeys(
    ("citizen", *MZJ_HANDLERS), "full"
)
# Filing on someone's behalf (窗口代办): only a window clerk of the item's department, with the
# applicant present. A citizen's applicant_id_number is ignored: the case is their own (the
# answer names 陈桂英 only when she is the applicant: the clerk's filing, and her own).
WINDOW_FILING = rule(
    ("clerk", *PERSONS),
    **dict.fromkeys(("reviewer", "head", "dataofficer", "hotline", "admin"), 403),
    clerk="full",
    elder="full",
    citizen="masked",
    agent="masked",
)
# Filing one's own application: persons and enterprise agents; the window clerk of the item's
# department reaches the window rules (a 422 asking for the applicant); other staff 403.
OWN_FILING = rule(("clerk", *PERSONS))
# Running metrics: department heads (their departments) and platform admins; other staff 403.
METRICS = rule(("head", "admin"))
# 一网统管: the center pushes and sees all; the world's indicator belongs to 市水务局, where no
# other demo caller works (its own staff are tested in governance/tests)
CITY_CENTER = ("hotline", "head", "admin")
CITY_SEES = CITY_CENTER
CITY_LIST = rule(STAFF, **dict.fromkeys(STAFF, "masked") | dict.fromkeys(CITY_CENTER, "full"))
CITY_OBJECT = rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404))
CITY_EVENT = rule(CITY_SEES, default=404)
# 督查督办: the lead office (政数局 heads, the admin) and the lead departments' staff.
SUPERVISION_OFFICE = ("head", "admin")
SUPERVISION_OWNERS = ("clerk", "reviewer")
SUPERVISION_SEES = rule(
    (*SUPERVISION_OFFICE, *SUPERVISION_OWNERS),
    default=404,
    **dict.fromkeys((*PERSONS, *CLIENTS), 403),
)
SUPERVISION_LIST = rule(
    STAFF,
    **dict.fromkeys(("dataofficer", "hotline"), "masked"),
    **dict.fromkeys((*SUPERVISION_OFFICE, *SUPERVISION_OWNERS), "full"),
)
# 填表报数: the issuing department (民政局's head and data officer) and the admin see the
# world's report task; other callers do not find it
REPORT_SEES = ("head", "dataofficer", "admin")
REPORT_TASK = rule(REPORT_SEES, default=404, **dict.fromkeys(REPORT_SEES, "full"))
REPORT_LIST = rule(SIGNED_IN, **dict.fromkeys(SIGNED_IN, "masked")) | dict.fromkeys(
    REPORT_SEES, "full"
)
REPORT_DEFINITION = {
    "code": "MATRIX1",
    "name": "矩阵测试报表",
    "owner_department": "441200-MZJ",
    "frequency": "monthly",
    "spec": {"fields": [{"name": "a", "title": "矩阵测试数", "type": "integer"}]},
}
DOCUMENT_READERS = ("clerk", "reviewer", "head", "dataofficer", "admin")
DOCUMENT_READ = rule(DOCUMENT_READERS, default=404)
DOCUMENT_LIST = rule(
    SIGNED_IN, **(dict.fromkeys(SIGNED_IN, "masked") | dict.fromkeys(DOCUMENT_READERS, "full"))
)
# 知识库 authors of 市民政局 (441200-MZJ): its handling roles and the 12345 center.
KNOWLEDGE_MZJ = ("clerk", "reviewer", "head", "hotline")


def licence_rule(handlers: tuple[str, ...], *, client: str | None) -> dict[str, Expect]:
    """A person's licence: the holder, the issuing department's handling staff and its own
    government client see it in full; the department's data officer and the platform admin
    see it masked; everyone else 404."""
    cells = dict.fromkeys(("citizen", *handlers), "full")
    cells.update(dataofficer="masked", admin="masked")
    if client:
        cells[client] = "full"
    return rule(tuple(cells), default=404, **cells)


LICENCE_GAJ = licence_rule(GAJ_HANDLERS, client=None)  # the 民政 system is not 公安's
LICENCE_MZJ = licence_rule(MZJ_HANDLERS, client="mz_system")


# The PDF holds the person's data in clear: masked readers get 403.
def readers(expect: dict[str, Expect]) -> dict[str, Expect]:
    """The same callers, only authorised ("full"/"masked" → "ok")."""
    return {c: ("ok" if v in ("full", "masked") else v) for c, v in expect.items()}


LICENCE_PDF_GAJ = readers(LICENCE_GAJ) | {"dataofficer": 403, "admin": 403}
LICENCE_PDF_MZJ = readers(LICENCE_MZJ) | {"dataofficer": 403, "admin": 403}
# Every reader of the licence, only authorised.
LICENCE_READERS_GAJ = readers(LICENCE_GAJ)


@dataclass(frozen=True)
class Probe:
    """One request per caller: path parameters, query string, JSON body or multipart files
    (``{"field": (name, content, content type)}``; content ``"$pdf"`` is a small real PDF)."""

    expect: dict[str, Expect]
    path: dict[str, str] = field(default_factory=dict)
    query: str = ""
    body: Any = None
    files: dict[str, tuple[str, str, str]] | None = None
    secret: str | tuple[str, ...] = ""  # what "full"/"masked" look for in the answer
    label: str = ""


P = Probe
PERSON = ("李明", "$citizen_id")  # 李明's name or ID number in an answer

CASE_FORM = {
    "applicant_phone": "13800000002",
    "spouse_name": "张伟",
    "certificate_kind": "结婚证",
    "registration_year": 1968,
}
SHARE = {
    "resource": "$marriage",
    "fields": ["person.marital_status"],
    "purpose": "service",
    "scenario": "最低生活保障审核：核对申请人婚姻状况",
    "legal_basis": "《社会救助暂行办法》第十一条",
    "days": 30,
}
RESOURCE = {
    "name": "养老服务补贴发放信息",
    "catalogue_class": "2",
    "item": "01",
    "catalogue": "009",
    "source_department": "441200-MZJ",
    "subject_kind": "person",
    "share_level": "conditional",
    "update_frequency": "monthly",
    "fields": [{"name": "eldercare.subsidy", "title": "养老服务补贴", "classification": "2"}],
}
IMPORT_CSV = (
    "证照类型,持证主体类型,持证主体代码,持证主体名称,颁发部门,"
    "name,id_number,spouse_name,spouse_id_number,registered_on,cert_no\n"
    "结婚证,person,$elder_id,陈桂英,441200-MZJ,陈桂英,$elder_id,王芳,$agent_id,1966-05-01,"
    "J441200-1966-000007\n"
)
RULE_DOC = "$gaoling_document"  # the world gives version 1's JDM document

# --- the API ----------------------------------------------------------------------------------

API: dict[str, list[Probe]] = {
    # identity: tokens, the caller, registration, directory
    "POST /api/v1/auth/token": [
        P(PUBLIC, body={"username": "demo-elder", "password": "Demo@12345"})
    ],
    "POST /api/v1/auth/revoke": [P(AUTHENTICATED, body={})],  # the caller's own token
    "POST /api/v1/accounts/register": [
        P(
            PUBLIC,
            body={
                "name": "赵小燕",
                "id_number": "$new_id",
                "phone": "13912345678",
                "password": "Zhao#2026demo",
            },
        )
    ],
    "GET /api/v1/me": [P(AUTHENTICATED)],
    # a person looks up only themselves; staff with a lookup role see others masked
    "GET /api/v1/identity/persons/{id_number}": [
        P(
            rule(
                ("citizen", "clerk", "reviewer", "head", "admin"),
                elder=404,
                agent=404,
                citizen="full",
                clerk="masked",
                reviewer="masked",
                head="masked",
                admin="masked",
            ),
            path={"id_number": "$citizen_id"},
            secret=PERSON,
        )
    ],
    "GET /api/v1/identity/departments": [P(PUBLIC)],
    "GET /api/v1/identity/regions": [P(PUBLIC)],
    "GET /api/v1/identity/staff/roles": [P(STAFF_ONLY)],
    # 我的授权 (帮办代办, issue 17) over the API: persons only (staff and clients 403); the
    # world's mandate is 陈桂英's (principal) and her daughter's (no caller here): 404 to others
    "GET /api/v1/me/mandates": [
        P(
            rule(PERSONS, **(dict.fromkeys(PERSONS, "masked") | {"elder": "full"})),
            secret="林晓红",  # the daughter, listed only to her mother
        ),
        P(rule(PERSONS, **dict.fromkeys(PERSONS, "masked")), secret="$elder_id"),  # masked
    ],
    "POST /api/v1/me/mandates": [
        P(
            PERSONS_ONLY,
            body={
                "principal_name": "陈桂英",
                "principal_id_number": "$elder_id",
                "relation": "child",
                "scope": "all",
                "item_codes": [],
                "valid_until": "2027-11-22",
            },
        )
    ],
    # the agent's steps: the daughter is no caller, so every person finds nothing
    "POST /api/v1/me/mandates/{mandate_id}/code": [
        P(
            rule(default=404, **dict.fromkeys((*STAFF, *CLIENTS), 403)),
            path={"mandate_id": "$mandate_id"},
        )
    ],
    "POST /api/v1/me/mandates/{mandate_id}/confirm": [
        P(
            rule(default=404, **dict.fromkeys((*STAFF, *CLIENTS), 403)),
            path={"mandate_id": "$mandate_id"},
            body={"code": "123456"},
        )
    ],
    # the principal's steps (an active mandate: answering is a 409, revoking works)
    "POST /api/v1/me/mandates/{mandate_id}/answer": [
        P(
            rule(("elder",), default=404, **dict.fromkeys((*STAFF, *CLIENTS), 403)),
            path={"mandate_id": "$mandate_id"},
            body={"accept": True},
        )
    ],
    "POST /api/v1/me/mandates/{mandate_id}/revoke": [
        P(
            rule(("elder",), default=404, **dict.fromkeys((*STAFF, *CLIENTS), 403)),
            path={"mandate_id": "$mandate_id"},
            body={},
        )
    ],
    # a 帮办员's signed paper mandate is recorded by a window clerk
    "POST /api/v1/mandates/paper": [
        P(
            rule(("clerk",)),
            body={
                "principal_id_number": "$elder_id",
                "agent_id_number": "$agent_id",
                "scope": "all",
                "item_codes": [],
                "valid_until": "2027-06-30",
                "paper_ref": "端州帮办〔2026〕99号",
                "paper_seen": True,
            },
        )
    ],
    # core and console: the working-day calendar, the audit log
    "GET /api/v1/calendar/add-working-days": [P(PUBLIC, query="start=2026-11-23&days=5")],
    "GET /api/v1/calendar/working-days-between": [
        P(PUBLIC, query="start=2026-11-23&end=2026-12-31")
    ],
    "GET /api/v1/calendar/years/{year}": [P(PUBLIC, path={"year": "2026"})],
    "PUT /api/v1/calendar/days/{day}": [
        P(ADMIN_ONLY, path={"day": "2027-01-01"}, body={"kind": "holiday", "name": "元旦"})
    ],
    "DELETE /api/v1/calendar/days/{day}": [P(ADMIN_ONLY, path={"day": "2026-10-01"})],
    "GET /api/v1/audit/records": [P(ADMIN_ONLY)],
    "GET /api/v1/audit/verify": [P(ADMIN_ONLY)],
    # catalog: public reads, administrator writes
    "GET /api/v1/catalog/items": [P(PUBLIC, query="q=婚姻")],
    "GET /api/v1/catalog/items/{code}": [P(PUBLIC, path={"code": "$item_code"})],
    "POST /api/v1/catalog/items/{code}/guide": [
        P(PUBLIC, path={"code": "$item_code"}, body={"answers": {"Q1": "other"}})
    ],
    "GET /api/v1/catalog/bundles": [P(PUBLIC)],
    "GET /api/v1/catalog/bundles/{code}": [P(PUBLIC, path={"code": "$bundle_code"})],
    "POST /api/v1/catalog/bundles/{code}/guide": [
        P(PUBLIC, path={"code": "$bundle_code"}, body={"answers": {}})
    ],
    "POST /api/v1/catalog/import": [
        P(ADMIN_ONLY, body={"items": [], "bundles": [], "check_only": True})
    ],
    "POST /api/v1/catalog/items/{code}/versions/{version}/{action}": [
        P(ADMIN_ONLY, path={"code": "$item_code", "version": "1", "action": "retire"}, body={})
    ],
    "POST /api/v1/catalog/bundles/{code}/versions/{version}/{action}": [
        P(ADMIN_ONLY, path={"code": "$bundle_code", "version": "1", "action": "retire"}, body={})
    ],
    # files
    "POST /api/v1/files": [
        # any caller may store an upload; it is theirs alone (owner-scoped) until attached
        P(AUTHENTICATED, files={"file": ("scan.pdf", "$pdf", "application/pdf")})
    ],
    "GET /api/v1/files/{file_id}": [
        # a material of case_open: its uploader (the applicant) and whoever may see the case
        P(readers(CASE_FILE), path={"file_id": "$case_file"}, label="a material of a case"),
        # an upload no case uses: its uploader only
        P(rule(("elder",), default=404), path={"file_id": "$loose_file"}, label="unattached"),
    ],
    # cases (统一申办受理)
    "GET /api/v1/cases/prepare": [
        # the form, the materials and the caller's own prefill: nothing of anyone else's
        P(AUTHENTICATED, query="item_code=$item_code")
    ],
    "POST /api/v1/cases": [
        P(
            OWN_FILING,
            body={"item_code": "$item_code", "form": CASE_FORM, "submit": False},
            label="own application (draft)",
        ),
        P(
            WINDOW_FILING,
            body={
                "item_code": "$item_code",
                "form": CASE_FORM,
                "submit": False,
                "applicant_id_number": "$elder_id",
                "applicant_present": True,
            },
            secret="$elder_id",
            label="in 陈桂英's name (窗口代办)",
        ),
        P(
            # 普通护照签发 is 广东省公安厅's: demo-clerk is a window clerk of city departments only
            WINDOW_FILING | {"clerk": 403},
            body={
                "item_code": "$provincial_item",
                "form": {},
                "submit": False,
                "applicant_id_number": "$elder_id",
                "applicant_present": True,
            },
            secret="$elder_id",
            label="in 陈桂英's name, another department's item",
        ),
    ],
    "GET /api/v1/cases": [
        P(CASE_LIST, secret="$case_open"),
        # naming the department widens nothing
        P(CASE_LIST, query="department=441200-MZJ", secret="$case_open", label="MZJ's"),
    ],
    "GET /api/v1/cases/{case_no}": [P(CASE_FILE, path={"case_no": "$case_open"}, secret=PERSON)],
    "POST /api/v1/cases/{case_no}/actions": [
        # assign: every handling role may; the applicant may not (409 lists what he may do)
        P(
            readers(CASE_FILE),
            path={"case_no": "$case_open"},
            body={"action": "assign", "assignee": "demo-reviewer"},
        )
    ],
    "GET /api/v1/cases/{case_no}/pending-license": [
        P(
            readers(CASE_FILE),
            path={"case_no": "$case_closed"},
        )
    ],
    # 办件进度查询 (issue 17): anyone with the case number and the applicant's phone, logged in
    # or not; the answer names nobody (status and timeline in words)
    "GET /api/v1/cases/progress": [
        P(
            rule(SIGNED_IN, anonymous="masked", **dict.fromkeys(SIGNED_IN, "masked")),
            query="case_no=$case_open&phone=13800000001",
            secret=PERSON,
        )
    ],
    # printed notices (受理通知书 …): whoever reads the case file
    "GET /api/v1/cases/{case_no}/notices/{kind}.pdf": [
        P(readers(CASE_FILE), path={"case_no": "$case_closed", "kind": "acceptance"})
    ],
    # ratings (好差评)
    "POST /api/v1/cases/{case_no}/rating": [
        # the applicant only (already rated: 409); for anyone else the case does not exist
        P(
            rule(("citizen",), default=404),
            path={"case_no": "$case_closed"},
            body={"level": 1, "comment": ""},
        )
    ],
    "GET /api/v1/ratings/rectifications": [
        P(
            rule(STAFF, **(dict.fromkeys(STAFF, "masked") | dict.fromkeys(MZJ_HANDLERS, "full"))),
            secret="$case_closed",
        )
    ],
    "POST /api/v1/ratings/rectifications/{task_id}/reply": [
        P(
            rule(("reviewer", "head"), default=404, clerk=403),
            path={"task_id": "$task_id"},
            body={"reply": "已增设窗口，分流取号"},
        )
    ],
    "POST /api/v1/ratings/rectifications/{task_id}/callback": [
        P(
            rule(("reviewer", "head"), default=404, clerk=403),
            path={"task_id": "$task_id"},
            body={"note": "电话回访，评价人认可整改", "satisfied": True},
        )
    ],
    "GET /api/v1/ratings/stats": [P(PUBLIC)],
    "GET /api/v1/metrics": [P(METRICS)],
    # 预约办理 (issue 17): halls and free slots are public; a person books and cancels their
    # own (another person: 404); the window staff of the booked window's department see the
    # day list and mark 已到/爽约 (李明's booking is at 市公安局's window B01)
    # 缴费 (issue 17): 李明's paid order of 市不动产登记中心 (441200-BDCDJZX, where demo-clerk and
    # demo-reviewer handle cases); the payer and the department's handling staff read it, only
    # the payer pays (paid already: 409), anyone else does not find it
    "GET /api/v1/payments/orders": [
        P(
            rule(
                (*PERSONS, *STAFF),
                **(
                    dict.fromkeys((*PERSONS, *STAFF), "masked")
                    | dict.fromkeys(("citizen", "clerk", "reviewer"), "full")
                ),
            ),
            secret="$order_no",
        )
    ],
    "GET /api/v1/payments/orders/{order_no}": [
        P(rule(("citizen", "clerk", "reviewer"), default=404), path={"order_no": "$order_no"})
    ],
    "POST /api/v1/payments/orders/{order_no}/pay": [
        P(
            rule(("citizen",), default=404, clerk=403, reviewer=403),
            path={"order_no": "$order_no"},
        )
    ],
    # the backends' notifications: no login; one without a valid signature is refused
    "POST /api/v1/payments/callback/{backend}": [
        P(rule(default=403, anonymous=403), path={"backend": "demo"}, body={"order_no": "x"})
    ],
    "GET /api/v1/payments/receipts/{order_no}.pdf": [
        P(rule(("citizen", "clerk", "reviewer"), default=404), path={"order_no": "$order_no"})
    ],
    "GET /api/v1/appointments/halls": [P(PUBLIC)],
    "GET /api/v1/appointments/slots": [
        P(PUBLIC, query="hall=zq-zwfw&item=$booking_item&date=$booking_date")
    ],
    "POST /api/v1/appointments": [
        P(
            PERSONS_ONLY,
            body={
                "hall": "zq-zwfw",
                "item": "$booking_item",
                "date": "$booking_date",
                "time": "10:00",
            },
        )
    ],
    "GET /api/v1/appointments": [
        P(
            rule(PERSONS, citizen="full", elder="masked", agent="masked"),
            secret="$booking_no",
        )
    ],
    "POST /api/v1/appointments/{no}/cancel": [
        P(rule(("citizen",), elder=404, agent=404), path={"no": "$booking_no"})
    ],
    "GET /api/v1/appointments/desk": [
        P(
            rule(
                STAFF,
                **(dict.fromkeys(STAFF, "masked") | dict.fromkeys(GAJ_HANDLERS, "full")),
            ),
            query="hall=zq-zwfw&date=$booking_date",
            secret="$booking_no",
        )
    ],
    "POST /api/v1/appointments/{no}/check": [
        P(
            rule(GAJ_HANDLERS, **dict.fromkeys(("head", "dataofficer", "hotline", "admin"), 404)),
            path={"no": "$booking_no"},
            body={"action": "arrive"},
        )
    ],
    # licences (电子证照)
    "GET /api/v1/licenses": [
        P(
            rule(
                SIGNED_IN,
                **(
                    dict.fromkeys(SIGNED_IN, "masked")
                    | dict.fromkeys(("citizen", *MZJ_HANDLERS, "mz_system"), "full")
                ),
            ),
            secret=PERSON,
        )
    ],
    "GET /api/v1/licenses/types": [P(PUBLIC)],
    "POST /api/v1/licenses/verify": [P(PUBLIC, body={"token": "$presentation_token"})],
    "POST /api/v1/licenses/verify-pdf": [
        P(PUBLIC, files={"file": ("licence.pdf", "$pdf", "application/pdf")})
    ],
    "POST /api/v1/licenses/import": [
        # the issuing department's handling staff, and the platform admin (FINDING, fixed: staff
        # without an issuing role anywhere got a 422 row error, as if authorised, not a 403)
        P(
            rule(("clerk", "reviewer", "head", "admin")),
            files={"file": ("import.csv", IMPORT_CSV, "text/csv")},
        )
    ],
    "GET /api/v1/licenses/{license_id}": [
        P(LICENCE_GAJ, path={"license_id": "$license_gaj"}, secret=PERSON, label="公安"),
        P(LICENCE_MZJ, path={"license_id": "$license_mzj"}, secret=PERSON, label="民政"),
    ],
    "GET /api/v1/licenses/{license_id}/pdf": [
        P(LICENCE_PDF_GAJ, path={"license_id": "$license_gaj"}, label="公安"),
        P(LICENCE_PDF_MZJ, path={"license_id": "$license_mzj"}, label="民政"),
    ],
    # the status history and the 用证记录: who used the licence, when, for what. The holder's own
    # uses name him, so a masked reader sees them masked too (FINDING, fixed: the history
    # named the holder in full — "李明", his account — to the readers the detail masks him for)
    "GET /api/v1/licenses/{license_id}/history": [
        P(LICENCE_GAJ, path={"license_id": "$license_gaj"}, secret=PERSON)
    ],
    "POST /api/v1/licenses/{license_id}/presentations": [
        # the holder only; other readers of the licence 403, anyone else 404
        P(
            LICENCE_READERS_GAJ | dict.fromkeys(("clerk", "reviewer", "dataofficer", "admin"), 403),
            path={"license_id": "$license_gaj"},
            body={"fields": ["name"]},
        )
    ],
    "POST /api/v1/licenses/{license_id}/status": [
        # the issuing department's reviewer or head, or the platform admin
        P(
            LICENCE_READERS_GAJ | {"citizen": 403, "clerk": 403, "dataofficer": 403},
            path={"license_id": "$license_gaj"},
            body={"action": "suspend", "reason": "核查证件信息"},
        )
    ],
    # seals: public keys and images; rotation by the platform admin or the department's head
    "GET /api/v1/seals/{department_code}": [P(PUBLIC, path={"department_code": "441200-GAJ"})],
    "GET /api/v1/seals/{department_code}/public-key": [
        P(PUBLIC, path={"department_code": "441200-GAJ"})
    ],
    "GET /api/v1/seals/{department_code}/certificate": [
        P(PUBLIC, path={"department_code": "441200-GAJ"})
    ],
    "GET /api/v1/seals/{department_code}/image.svg": [
        P(PUBLIC, path={"department_code": "441200-GAJ"})
    ],
    "POST /api/v1/seals/{department_code}/rotate": [
        P(rule(("head", "admin")), path={"department_code": "441200-MZJ"}, body={})
    ],
    # rules: public reads, the policy officer (platform admin) writes
    "GET /api/v1/rules": [P(PUBLIC)],
    "POST /api/v1/rules": [
        P(
            ADMIN_ONLY,
            body={"code": "pm-test-rule", "name": "矩阵测试规则", "subject_kind": "person"},
        )
    ],
    "GET /api/v1/rules/{code}": [P(PUBLIC, path={"code": "gaoling-jintie"})],
    "GET /api/v1/rules/{code}/versions/{version}": [
        P(PUBLIC, path={"code": "gaoling-jintie", "version": "1"})
    ],
    "PUT /api/v1/rules/{code}/draft": [
        P(ADMIN_ONLY, path={"code": "gaoling-jintie"}, body={"document": RULE_DOC})
    ],
    "POST /api/v1/rules/{code}/test": [P(ADMIN_ONLY, path={"code": "gaoling-jintie"})],
    "POST /api/v1/rules/{code}/publish": [
        P(ADMIN_ONLY, path={"code": "gaoling-jintie"}, body={"effective_from": "2026-12-01"})
    ],
    # a decision: its subject, the handling staff of the rule set's department, the policy
    # officer (the platform admin writes and tests the rules)
    "GET /api/v1/rules/decisions/{decision_id}": [
        P(
            rule(("elder", *MZJ_HANDLERS, "admin"), default=404),
            path={"decision_id": "$decision_id"},
        )
    ],
    # 免申即享
    "GET /api/v1/policies": [P(PUBLIC)],
    "GET /api/v1/policies/{code}": [P(PUBLIC, path={"code": "gaoling-jintie"})],
    "POST /api/v1/policies/grants": [P(ADMIN_ONLY, body={})],
    "POST /api/v1/policies/{code}/runs": [
        P(ADMIN_ONLY, path={"code": "gaoling-jintie"}, body={"subjects": ["$elder_id"]})
    ],
    # the matched people: the granting department's handling staff and the policy officer,
    # masked; a data officer or a 12345 operator does not read them
    "GET /api/v1/policies/{code}/matches": [
        P(
            rule((*MZJ_HANDLERS, "admin"), **dict.fromkeys((*MZJ_HANDLERS, "admin"), "masked")),
            path={"code": "gaoling-jintie"},
            secret="$elder_id",
        )
    ],
    "GET /api/v1/me/policies": [
        P(
            rule(SIGNED_IN, **(dict.fromkeys(SIGNED_IN, "masked") | {"elder": "full"})),
            secret="$elder_id",
        )
    ],
    "POST /api/v1/me/policies/{match_id}/confirm": [
        P(rule(("elder",), default="denied"), path={"match_id": "$match_id"})
    ],
    "POST /api/v1/me/policies/{match_id}/decline": [
        P(rule(("elder",), default="denied"), path={"match_id": "$match_id"})
    ],
    # 数字空间 (a person's own data space)
    "GET /api/v1/dataspace/consents": [P(PERSONS_ONLY)],
    "POST /api/v1/dataspace/consents": [
        P(
            PERSONS_ONLY,
            body={
                "requester": "demo-bank",
                "resource": "$social",
                "purpose": "个人经营贷款审批（政银数据融合）",
                "days": 30,
                "fields": ["social_insurance.status"],
            },
        )
    ],
    "DELETE /api/v1/dataspace/consents/{consent_id}": [
        P(
            rule(("citizen",), elder=404, agent=404),
            path={"consent_id": "$consent_id"},
        )
    ],
    "GET /api/v1/dataspace/usage": [P(PERSONS_ONLY)],
    "GET /api/v1/dataspace/data": [P(PERSONS_ONLY)],
    "POST /api/v1/dataspace/corrections": [
        P(
            PERSONS_ONLY,
            body={
                "resource": "$population",
                "field": "person.hukou_address",
                "proposed_value": "广东省肇庆市端州区演示路1号",
                "reason": "地址登记有误",
            },
        )
    ],
    # 数据共享: the catalog is public; the desk is the data officers' (and the admin's); the
    # data API answers clients only, under a grant (government) or a consent (outside)
    "GET /api/v1/exchange/resources": [P(PUBLIC)],
    "GET /api/v1/exchange/resources/{code}": [P(PUBLIC, path={"code": "$marriage"})],
    "POST /api/v1/exchange/resources": [P(DATA_DESK, body=RESOURCE)],
    "GET /api/v1/exchange/requests": [P(DATA_DESK | {"mz_system": "ok"})],
    "POST /api/v1/exchange/requests": [
        # a department's data officer or government system asks; the admin does not
        P(rule(("dataofficer", "mz_system")), body=SHARE | {"consumer_department": None})
    ],
    "GET /api/v1/exchange/requests/{request_id}": [
        P(DATA_DESK | {"mz_system": "ok"}, path={"request_id": "$request_id"})
    ],
    "POST /api/v1/exchange/requests/{request_id}/decision": [
        # the source department's data officer decides (not the admin, not the asker)
        P(
            rule(("dataofficer",)),
            path={"request_id": "$request_id"},
            body={"decision": "approve", "note": "同意"},
        )
    ],
    # a client lists its own grants (none for an outside client)
    "GET /api/v1/exchange/grants": [P(DATA_DESK | {"mz_system": "ok", "bank": "ok"})],
    "POST /api/v1/exchange/grants/{code}/revoke": [
        P(rule(("dataofficer",)), path={"code": "$grant_code"}, body={"note": "场景已结束"})
    ],
    "GET /api/v1/exchange/data/{resource_code}": [
        P(
            rule(("bank",)),
            path={"resource_code": "$social"},
            query="subject=$citizen_id",
            label="社保 under 李明's consent",
        ),
        P(
            rule(("mz_system",)),
            path={"resource_code": "$credit"},
            query="subject=$uscc",
            label="社会信用 under the 民政 grant",
        ),
    ],
    "POST /api/v1/exchange/data/{resource_code}": [
        P(
            rule(("bank",)),
            path={"resource_code": "$social"},
            body={"subjects": ["$citizen_id"]},
            label="社保 under 李明's consent",
        )
    ],
    # 分村统计: government systems only (under their grants; the world registers none of its
    # items, so the 民政 system's call is a 422 naming them), never people or outside clients
    "GET /api/v1/exchange/regions/{region}/figures": [
        P(
            rule(("mz_system",)),
            path={"region": "441202001001"},
            query="period=2026-11&items=village.over80",
        )
    ],
    "GET /api/v1/exchange/quality": [P(DATA_DESK)],
    "GET /api/v1/exchange/quality/issues": [P(DATA_DESK)],
    "POST /api/v1/exchange/quality/issues/{issue_id}/resolve": [
        # the source department's data officer
        P(
            rule(("dataofficer",)),
            path={"issue_id": "$issue_id"},
            body={"decision": "confirm", "note": "已核实，数据无误"},
        )
    ],
    "GET /api/v1/exchange/dashboard": [P(DATA_DESK)],
    # 12345 (issue 18): the center (demo-hotline) sees every ticket, 李明 his own 诉求
    # (``hotline_no``, filed on the portal); other citizens, API clients and staff without a
    # hotline role do not find it (404); API clients file over the API and ask for suggestions
    "POST /api/v1/hotline/suggest": [
        P(rule(("hotline", *CLIENTS)), body={"text": "楼下烧烤档半夜好嘈", "address": "端州区"})
    ],
    "POST /api/v1/hotline/tickets": [
        P(
            rule(("hotline", *PERSONS, *CLIENTS)),
            body={
                "type": "咨询",
                "content": "请问端州区居住证怎么办理？",
                "caller_phone": "13800000009",
            },
        )
    ],
    "GET /api/v1/hotline/tickets": [
        P(
            rule(
                SIGNED_IN,
                **dict.fromkeys(SIGNED_IN, "masked") | {"citizen": "full", "hotline": "full"},
            ),
            secret="$hotline_no",
        )
    ],
    "GET /api/v1/hotline/tickets/{ticket_no}": [
        P(rule(("citizen", "hotline"), default=404), path={"ticket_no": "$hotline_no"})
    ],
    # a callback before the answer: 409 (authorised) for who sees it, 404 for anyone else
    "POST /api/v1/hotline/tickets/{ticket_no}/actions": [
        P(
            rule(("citizen", "hotline"), default=404),
            path={"ticket_no": "$hotline_no"},
            body={"action": "callback", "satisfaction": "satisfied"},
        )
    ],
    # no 督办 yet: the notice is not found, for everyone
    "GET /api/v1/hotline/tickets/{ticket_no}/supervision/{n}.pdf": [
        P(rule(default=404), path={"ticket_no": "$hotline_no", "n": "1"})
    ],
    "GET /api/v1/hotline/progress": [P(PUBLIC, query="ticket_no=$hotline_no&phone=13800000001")],
    "GET /api/v1/hotline/signals": [P(rule(("hotline",)))],
    "GET /api/v1/hotline/metrics": [P(rule(("hotline",)))],
    "GET /api/v1/hotline/categories": [P(PUBLIC)],
    # the category tree is edited by the center's 班长 (hotline_supervisor, not among these
    # callers: hotline/tests/test_gaps_categories.py covers the allowed path); everyone here 403
    "POST /api/v1/hotline/categories": [P(rule(()), body={"name": "新分类", "parent": "100100"})],
    "PATCH /api/v1/hotline/categories/{code}": [
        P(rule(()), path={"code": "100101"}, body={"active": False})
    ],
    "DELETE /api/v1/hotline/categories/{code}": [P(rule(()), path={"code": "100101"})],
    # the analysis side (热点, 周报): the center; a department's handlers their own 热点 only
    "GET /api/v1/hotline/hotspots": [P(rule(("hotline",)), query="period=week&level=2")],
    "GET /api/v1/hotline/reports/weekly.{fmt}": [
        P(rule(("hotline",)), path={"fmt": "xlsx"}, query="week=2026-W49")
    ],
    # 12345 知识库 (issue 18 item 3): live search for the center and API clients; the world's
    # ``article_id`` is published (any signed-in caller reads it), ``article_draft`` a draft of
    # 市民政局 (441200-MZJ) which only its authors (clerk, reviewer, head: handling roles there)
    # and the 12345 center see; writing is for those authors, the data officer and the
    # platform admin write no articles
    "GET /api/v1/knowledge/search": [P(rule(("hotline", *CLIENTS)), query="q=老人长寿金")],
    "GET /api/v1/knowledge/articles": [P(STAFF_ONLY)],
    "GET /api/v1/knowledge/articles/{article_id}": [
        P(AUTHENTICATED, path={"article_id": "$article_id"}, label="published"),
        P(
            rule(KNOWLEDGE_MZJ, default=404),
            path={"article_id": "$article_draft"},
            label="draft",
        ),
    ],
    "POST /api/v1/knowledge/articles": [
        P(
            rule(KNOWLEDGE_MZJ),
            body={
                "title": "长者饭堂就餐",
                "questions": ["长者饭堂在哪里"],
                "answer": "长者饭堂由各镇街运营，60 岁以上老人凭身份证就餐。",
                "department": "441200-MZJ",
            },
        )
    ],
    "PATCH /api/v1/knowledge/articles/{article_id}": [
        P(
            rule(KNOWLEDGE_MZJ, default=404),
            path={"article_id": "$article_draft"},
            body={"title": "长者饭堂就餐（修订）"},
        )
    ],
    "POST /api/v1/knowledge/articles/{article_id}/actions": [
        P(
            rule(KNOWLEDGE_MZJ, default=404, **dict.fromkeys((*PERSONS, *CLIENTS), 403)),
            path={"article_id": "$article_draft"},
            body={"action": "submit"},
        )
    ],
    "POST /api/v1/knowledge/articles/{article_id}/uses": [
        P(
            rule(("hotline", *CLIENTS)),
            path={"article_id": "$article_id"},
            body={"ticket_no": "$hotline_no"},
        )
    ],
    "GET /api/v1/knowledge/expiring": [P(STAFF_ONLY)],
    # 一网统管 (issue 19): the center (the 12345 operator, the head and the admin of 441200-ZSJ)
    # sees everything and pushes readings; ``matrix-river`` and its alert belong to 市水务局, so
    # other staff (no center role there) do not find them; persons and API clients without the
    # city.readings scope 403. A reading of an unknown indicator: 422 for who may push.
    "POST /api/v1/city/readings": [
        P(
            rule(CITY_CENTER),
            body={"readings": [{"indicator": "no-such", "value": 1, "at": "2026-11-23T10:00"}]},
        )
    ],
    "GET /api/v1/city/indicators": [P(CITY_LIST, secret="matrix-river")],
    "GET /api/v1/city/indicators/{code}/series": [P(CITY_OBJECT, path={"code": "matrix-river"})],
    "GET /api/v1/city/alerts": [P(CITY_LIST, secret="matrix-river")],
    "GET /api/v1/city/alerts/{alert_id}": [P(CITY_OBJECT, path={"alert_id": "$city_alert"})],
    "POST /api/v1/city/alerts/{alert_id}/actions": [
        P(CITY_OBJECT, path={"alert_id": "$city_alert"}, body={"action": "fly"})
    ],
    # 城市管理事件: ``city_event`` was sent by the sensing platform (not a caller here): the
    # center sees it and acts on it (an unknown action: 422); other staff list events without it
    # and do not find it; persons and clients without an events scope 403 on lists and do not
    # find it. Any staff member may report (a department's own report; a bad category: 422).
    "POST /api/v1/city/events": [P(rule(STAFF), body={"category": "no-such", "description": ""})],
    "GET /api/v1/city/events": [P(CITY_LIST, secret="$city_event")],
    "GET /api/v1/city/events/{event_no}": [P(CITY_EVENT, path={"event_no": "$city_event"})],
    "POST /api/v1/city/events/{event_no}/actions": [
        P(CITY_EVENT, path={"event_no": "$city_event"}, body={"action": "fly"})
    ],
    # 指挥调度 and 预案: the dashboard for the center only; plans for staff; a run of the world's
    # 矩阵预案 (one step of 市水务局) seen by the center, other staff 404; a bad body 422
    "GET /api/v1/city/dashboard": [P(rule(CITY_CENTER))],
    "GET /api/v1/city/plans": [P(rule(STAFF))],
    "GET /api/v1/city/plan-runs": [P(CITY_LIST, secret="矩阵预案")],
    "POST /api/v1/city/plan-runs": [P(rule(CITY_CENTER), body={"plan": "none", "alert": 0})],
    "GET /api/v1/city/plan-runs/{run_id}": [P(CITY_OBJECT, path={"run_id": "$city_run"})],
    "POST /api/v1/city/plan-runs/{run_id}/steps/{step_id}/check": [
        P(
            CITY_OBJECT,
            path={"run_id": "$city_run", "step_id": "$city_step"},
            body={"note": "长" * 501},
        )
    ],
    "POST /api/v1/city/plan-runs/{run_id}/actions": [
        P(CITY_OBJECT, path={"run_id": "$city_run"}, body={"action": "fly"})
    ],
    # 督查督办 (issue 20): the lead office (the head and the admin of 441200-ZSJ) sees and
    # imports everything; staff of a lead department (clerk and reviewer work in 市人社局)
    # see and report on ``矩阵督办任务``; other staff (data officer, 12345 operator) see a list
    # without it and 404 on it; persons and API clients 403. A wrong action: 409/422.
    "POST /api/v1/supervision/plans/preview": [
        P(rule(SUPERVISION_OFFICE), files={"file": ("plan.txt", "不是计划", "text/plain")})
    ],
    "POST /api/v1/supervision/plans": [
        P(rule(SUPERVISION_OFFICE), body={"title": "", "year": 2026, "tasks": []})
    ],
    "GET /api/v1/supervision/tasks": [P(SUPERVISION_LIST, secret="矩阵督办任务")],
    "GET /api/v1/supervision/tasks/{task_id}": [
        P(SUPERVISION_SEES, path={"task_id": "$supervision_task"})
    ],
    "POST /api/v1/supervision/tasks/{task_id}/reports": [
        P(
            SUPERVISION_SEES,
            path={"task_id": "$supervision_task"},
            files={"evidence": ("e.txt", "不是图片", "text/plain")},
        )
    ],
    "POST /api/v1/supervision/tasks/{task_id}/actions": [
        P(SUPERVISION_SEES, path={"task_id": "$supervision_task"}, body={"action": "fly"})
    ],
    "POST /api/v1/supervision/tasks/{task_id}/urges": [
        P(SUPERVISION_SEES, path={"task_id": "$supervision_task"}, body={"body": ""})
    ],
    "POST /api/v1/supervision/urges/{urge_id}/reply": [
        P(SUPERVISION_SEES, path={"urge_id": "$supervision_urge"}, body={"reply": ""})
    ],
    "GET /api/v1/supervision/urges/{urge_id}/pdf": [
        P(SUPERVISION_SEES, path={"urge_id": "$supervision_urge"})
    ],
    "GET /api/v1/supervision/scores": [P(STAFF_ONLY)],
    # 公文库 (issue 20): staff register 公文 (a file that is not one: 422); a 不予公开 document of
    # 市民政局 is read by its staff (clerk, reviewer, head, data officer) and the lead office
    # (head, admin); everyone else signed in: a list without it, 404 on it.
    "POST /api/v1/documents/import": [
        P(STAFF_ONLY, files={"files": ("a.pdf", "%PDF-1.7", "application/pdf")})
    ],
    "POST /api/v1/documents/import/preview": [
        P(STAFF_ONLY, files={"files": ("a.pdf", "%PDF-1.7", "application/pdf")})
    ],
    "GET /api/v1/documents": [P(DOCUMENT_LIST, query="q=矩阵公文", secret="矩阵公文")],
    "GET /api/v1/documents/stats": [P(AUTHENTICATED)],
    "GET /api/v1/documents/{doc_id}": [P(DOCUMENT_READ, path={"doc_id": "$document_id"})],
    # a 公文 composed in the platform (empty: 422 for staff) and its sealed PDF (readers only)
    "POST /api/v1/documents/compose": [P(STAFF_ONLY, body={})],
    "GET /api/v1/documents/{doc_id}/pdf": [P(DOCUMENT_READ, path={"doc_id": "$document_id"})],
    "POST /api/v1/documents/verify-pdf": [
        P(AUTHENTICATED, files={"file": ("a.pdf", "%PDF-1.7", "application/pdf")})
    ],
    # 填表报数 (issue 21): the world's task is 天宁社区's 高龄津贴 report (市民政局's); no caller
    # here fills or reviews it (demo-village/-town are tested in reporting/tests); 民政局's head
    # and data officer (the issuing department) and the admin see it, a wrong state is a 409
    "GET /api/v1/reports/tasks": [
        P(REPORT_LIST, query="period=2026-11&state=issued", secret="天宁社区")
    ],
    "GET /api/v1/reports/tasks/{task_id}": [
        P(REPORT_TASK, path={"task_id": "$report_task"}, secret="天宁社区")
    ],
    "POST /api/v1/reports/tasks/{task_id}/submit": [
        P(readers(REPORT_TASK), path={"task_id": "$report_task"}, body={"values": {}})
    ],
    "POST /api/v1/reports/tasks/{task_id}/actions": [
        P(readers(REPORT_TASK), path={"task_id": "$report_task"}, body={"action": "approve"})
    ],
    "GET /api/v1/reports/metrics": [P(STAFF_ONLY)],
    "GET /api/v1/reports/register": [P(PUBLIC)],
    "POST /api/v1/reports/definitions": [P(rule(("head", "dataofficer")), body=REPORT_DEFINITION)],
}

# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page request per signed-in user (session login) and anonymous: ``post`` is the form
    (the page is POSTed; None: GET)."""

    expect: dict[str, Expect]
    path: dict[str, str] = field(default_factory=dict)
    query: str = ""
    post: dict[str, Any] | None = None
    secret: str | tuple[str, ...] = ""  # what "full"/"masked" look for in the page


def page_rule(
    ok: tuple[str, ...] = (), *, default: Expect = 403, anonymous: Expect = "login", **cells: Expect
) -> dict[str, Expect]:
    out = rule(ok, default=default, anonymous=anonymous, **cells)
    return {c: out[c] for c in PAGE_CALLERS}


PAGE_PUBLIC = page_rule(PAGE_CALLERS, anonymous="ok")
SIGNED_IN_PAGE = page_rule(tuple(c for c in PAGE_CALLERS if c != "anonymous"))
PERSON_PAGE = page_rule(PERSONS)  # pages of 我的办件 / 数字空间: staff 403
STAFF_PAGE = page_rule(STAFF)  # the workbench
EDITOR_PAGE = page_rule(("admin",))
OFFICER_PAGE = page_rule(("dataofficer", "admin"))
# the workbench's case page: persons are not staff (403); staff other than the department's
# handling roles do not find the case
WORKBENCH_CASE = page_rule(MZJ_HANDLERS, default=404, **dict.fromkeys(PERSONS, 403))
# the applicant's case pages: other persons do not find the case; staff use the workbench
APPLICANT_CASE = page_rule(("citizen",), default=403, elder=404, agent=404)
# … a staff member opening the citizen's page is sent to the workbench's, which decides
APPLICANT_CASE_PAGE = APPLICANT_CASE | dict.fromkeys(STAFF, "ok")
# 公文库 search: the 不予公开 document listed for its readers only
_SIGNED_PAGE_CALLERS = tuple(c for c in PAGE_CALLERS if c != "anonymous")
DOCUMENT_SEARCH_PAGE = page_rule(
    _SIGNED_PAGE_CALLERS,
    **(dict.fromkeys(_SIGNED_PAGE_CALLERS, "masked") | dict.fromkeys(DOCUMENT_READERS, "full")),
)
# 督查督办: a task's pages for the lead office and the task's department
SUPERVISION_PAGE = page_rule(
    (*SUPERVISION_OFFICE, *SUPERVISION_OWNERS), default=404, **dict.fromkeys(PERSONS, 403)
)

PAGES: dict[str, Page] = {
    "healthz": Page(PAGE_PUBLIC),
    "livez": Page(PAGE_PUBLIC),  # probes and metrics (issue 22): no login; /metrics by address
    "readyz": Page(PAGE_PUBLIC),
    "metrics": Page(PAGE_PUBLIC),  # the test client calls from 127.0.0.1 without a proxy
    "i18n/setlang/": Page(PAGE_PUBLIC, post={"language": "zh-hans", "next": "/"}),
    "accounts/login/": Page(PAGE_PUBLIC),
    # no password step in progress: back to the login page, for everyone
    "accounts/login/code/": Page(page_rule(anonymous="login", default="login")),
    "accounts/logout/": Page(PAGE_PUBLIC, post={}),
    "accounts/register/": Page(PAGE_PUBLIC),
    # 忘记密码 and 重发验证码 (issue 17): public; without a step under way, back to its start
    "accounts/login/code/resend/": Page(page_rule(anonymous="login", default="login"), post={}),
    "accounts/password/reset/": Page(PAGE_PUBLIC),
    "accounts/password/reset/code/": Page(PAGE_PUBLIC),
    "accounts/password/reset/resend/": Page(PAGE_PUBLIC, post={}),
    # 我的授权 (帮办代办, issue 17): persons; a mandate is its principal's and its agent's only
    "accounts/mandates/": Page(PERSON_PAGE),
    "accounts/mandates/new/": Page(PERSON_PAGE),
    # a 帮办员's paper mandate is recorded by a window clerk
    "accounts/mandates/paper/": Page(page_rule(("clerk",))),
    # the agent's code page: 陈桂英 is the principal, not the agent (404 like anyone else)
    "accounts/mandates/<int:pk>/confirm/": Page(
        page_rule(default=404, **dict.fromkeys(STAFF, 403)), path={"pk": "$mandate_id"}
    ),
    "accounts/mandates/<int:pk>/answer/": Page(
        page_rule(("elder",), default=404, **dict.fromkeys(STAFF, 403)),
        path={"pk": "$mandate_id"},
        post={"accept": "1"},
    ),
    "accounts/mandates/<int:pk>/revoke/": Page(
        page_rule(("elder",), default=404, **dict.fromkeys(STAFF, 403)),
        path={"pk": "$mandate_id"},
        post={},
    ),
    # the demo's SMS outbox: only where SHOW_OUTBOX (demo, debug, tests), 403 in production
    "accounts/outbox/": Page(PAGE_PUBLIC),
    # SMS gateways' delivery reports (issue 22): the secret in the URL or nothing, for everyone
    "sms/report/<str:provider>/<str:token>/": Page(
        page_rule(default=404, anonymous=404),
        path={"provider": "aliyun", "token": "wrong"},
        post={},
    ),
    "": Page(PAGE_PUBLIC),
    "me/": Page(SIGNED_IN_PAGE),
    "elder/": Page(PAGE_PUBLIC, post={}),
    # the workbench
    "workbench/": Page(STAFF_PAGE),
    # the queue filter's search box (POST, so a person's number never goes into an address)
    "workbench/search/": Page(STAFF_PAGE, post={"q": "110101199003071234"}),
    "workbench/cases/<str:case_no>/": Page(WORKBENCH_CASE, path={"case_no": "$case_open"}),
    # a material of the case shown inline (its previews): as the case page
    "workbench/cases/<str:case_no>/files/<str:file_id>/": Page(
        WORKBENCH_CASE, path={"case_no": "$case_open", "file_id": "$case_file"}
    ),
    # the 预审 checklist of the case's materials (issue 17): as the case page
    "workbench/cases/<str:case_no>/checks/": Page(
        WORKBENCH_CASE, path={"case_no": "$case_open"}, post={"verdict-M2": "ok"}
    ),
    "workbench/cases/<str:case_no>/licence/": Page(
        # the department's reviewer issues the pending licence; its clerk and head may not
        WORKBENCH_CASE | {"clerk": 403, "head": 403},
        path={"case_no": "$case_closed"},
    ),
    "workbench/rectifications/": Page(STAFF_PAGE),
    "workbench/rectifications/<int:task_id>/reply/": Page(
        page_rule(("reviewer", "head"), default=404, clerk=403, **dict.fromkeys(PERSONS, 403)),
        path={"task_id": "$task_id"},
        post={"reply": "已增设窗口，分流取号"},
    ),
    "workbench/rectifications/<int:task_id>/callback/": Page(
        page_rule(("reviewer", "head"), default=404, clerk=403, **dict.fromkeys(PERSONS, 403)),
        path={"task_id": "$task_id"},
        post={"note": "电话回访", "satisfied": "1"},
    ),
    "workbench/metrics/": Page(page_rule(("head", "admin"))),
    # 12345 ticket → 城市管理事件 (issue 19): the 12345 center only (话务员/班长); 李明's 路灯
    # 诉求 maps to the 部件 class 路灯, so the operator's click files an event (302)
    "workbench/city/from-ticket/<str:ticket_no>/": Page(
        page_rule(("hotline",)), path={"ticket_no": "$hotline_no"}, post={}
    ),
    # 缴费 (issue 17): as the API
    "payments/": Page(SIGNED_IN_PAGE),
    "payments/orders/<str:order_no>/": Page(
        page_rule(("citizen", "clerk", "reviewer"), default=404), path={"order_no": "$order_no"}
    ),
    "payments/orders/<str:order_no>/pay/": Page(
        page_rule(("citizen",), default=404, clerk=403, reviewer=403),
        path={"order_no": "$order_no"},
        post={},
    ),
    "payments/cashier/demo/<str:order_no>/": Page(
        page_rule(("citizen",), default=404, clerk=403, reviewer=403),
        path={"order_no": "$order_no"},
    ),
    "payments/receipts/<str:order_no>.pdf": Page(
        page_rule(("citizen", "clerk", "reviewer"), default=404), path={"order_no": "$order_no"}
    ),
    # 预约办理 (issue 17)
    "appointments/": Page(PERSON_PAGE),
    "appointments/book/<str:item_code>/": Page(PERSON_PAGE, path={"item_code": "$booking_item"}),
    "appointments/<str:no>/": Page(
        page_rule(("citizen",), elder=404, agent=404), path={"no": "$booking_no"}
    ),
    "appointments/<str:no>/cancel/": Page(
        page_rule(("citizen",), elder=404, agent=404), path={"no": "$booking_no"}, post={}
    ),
    "appointments/desk/": Page(STAFF_PAGE, query="hall=zq-zwfw&date=$booking_date"),
    "appointments/desk/<str:no>/<str:action>/": Page(
        page_rule(GAJ_HANDLERS, **dict.fromkeys(("head", "dataofficer", "hotline", "admin"), 404)),
        path={"no": "$booking_no", "action": "arrive"},
        post={},
    ),
    # the catalog (public)
    "services/": Page(PAGE_PUBLIC, query="q=婚姻"),
    "services/departments/": Page(PAGE_PUBLIC),
    "services/item/<str:code>/": Page(PAGE_PUBLIC, path={"code": "$item_code"}),
    "services/item/<str:code>/form/": Page(PAGE_PUBLIC, path={"code": "$item_code"}),
    "services/bundle/<str:code>/": Page(PAGE_PUBLIC, path={"code": "$bundle_code"}),
    # licences
    "licenses/": Page(SIGNED_IN_PAGE),
    "licenses/verify/": Page(PAGE_PUBLIC, query="t=$presentation_token"),
    "licenses/presentations/<str:nonce>/": Page(
        page_rule(("citizen",), default=404), path={"nonce": "$presentation_nonce"}
    ),
    "licenses/<str:license_id>/": Page(
        {c: LICENCE_GAJ[c] for c in PAGE_CALLERS} | {"anonymous": "login"},
        path={"license_id": "$license_gaj"},
        # FINDING, fixed: the page showed a 居民身份证's number (the ID number) to masked readers
        secret=PERSON,
    ),
    "licenses/<str:license_id>/pdf": Page(
        page_rule(("citizen", *GAJ_HANDLERS), default=404, dataofficer=403, admin=403),
        path={"license_id": "$license_gaj"},
    ),
    "licenses/<str:license_id>/present": Page(
        page_rule(
            ("citizen",),
            default=404,
            **dict.fromkeys(("clerk", "reviewer", "dataofficer", "admin"), 403),
        ),
        path={"license_id": "$license_gaj"},
        post={"fields": ["name"]},
    ),
    # cases (我的办件) and ratings
    "cases/": Page(PERSON_PAGE | dict.fromkeys(STAFF, "ok")),  # staff: to the workbench
    "cases/messages/": Page(PERSON_PAGE),
    "cases/apply/<str:item_code>/": Page(PERSON_PAGE, path={"item_code": "$item_code"}),
    "cases/apply/bundle/<str:code>/": Page(PERSON_PAGE, path={"code": "$bundle_code"}),
    "cases/<str:case_no>/": Page(APPLICANT_CASE_PAGE, path={"case_no": "$case_open"}),
    "cases/<str:case_no>/edit/": Page(APPLICANT_CASE, path={"case_no": "$case_draft"}),
    "cases/<str:case_no>/resubmit/": Page(
        APPLICANT_CASE, path={"case_no": "$case_open"}, post={"applicant_phone": "13800000001"}
    ),
    "cases/<str:case_no>/withdraw/": Page(APPLICANT_CASE, path={"case_no": "$case_open"}, post={}),
    # 删除草稿 (issue 17 defect 8): a POST without the confirmation page's field only asks
    "cases/<str:case_no>/discard/": Page(APPLICANT_CASE, path={"case_no": "$case_draft"}, post={}),
    "cases/<str:case_no>/files/<str:file_id>/": Page(
        APPLICANT_CASE_PAGE, path={"case_no": "$case_open", "file_id": "$case_file"}
    ),
    "cases/<str:case_no>/rating/": Page(
        page_rule(("citizen",), default=404), path={"case_no": "$case_closed"}
    ),
    # 办件进度查询 without logging in (issue 17): the same for everyone, naming nobody
    "cases/progress/": Page(
        dict.fromkeys(PAGE_CALLERS, "masked"),
        post={"case_no": "$case_open", "phone": "13800000001"},
        secret=PERSON,
    ),
    # a printed notice's PDF: the applicant and the department's handling staff
    "cases/<str:case_no>/notices/<str:kind>.pdf": Page(
        page_rule(("citizen", *MZJ_HANDLERS), default=404),
        path={"case_no": "$case_closed", "kind": "acceptance"},
    ),
    # rules
    # rule sets are the internals of 秒批 and 免申即享: staff only (issue 17, defect 10)
    "rules/": Page(STAFF_PAGE),
    "rules/new/": Page(EDITOR_PAGE),
    "rules/decisions/<str:decision_id>/": Page(
        page_rule(("elder", *MZJ_HANDLERS, "admin"), default=404),
        path={"decision_id": "$decision_id"},
    ),
    "rules/<slug:code>/": Page(STAFF_PAGE, path={"code": "gaoling-jintie"}),
    "rules/<slug:code>/edit/": Page(EDITOR_PAGE, path={"code": "gaoling-jintie"}),
    "rules/<slug:code>/test/": Page(EDITOR_PAGE, path={"code": "gaoling-jintie"}, post={}),
    "rules/<slug:code>/publish/": Page(
        EDITOR_PAGE, path={"code": "gaoling-jintie"}, post={"effective_from": "2026-12-01"}
    ),
    # 免申即享
    # a policy's published text is public; its figures and rule set are shown to staff only
    "policies/": Page(PAGE_PUBLIC),
    "policies/mine/": Page(SIGNED_IN_PAGE),
    "policies/mine/<int:match_id>/<str:action>/": Page(
        page_rule(("elder",), default=404),
        path={"match_id": "$match_id", "action": "decline"},
        post={},
    ),
    "policies/<slug:code>/": Page(PAGE_PUBLIC, path={"code": "gaoling-jintie"}),
    "policies/<slug:code>/run/": Page(EDITOR_PAGE, path={"code": "gaoling-jintie"}, post={}),
    # 数字空间
    "dataspace/": Page(PERSON_PAGE),
    "dataspace/enterprise/<str:uscc>/": Page(
        page_rule(("agent",), citizen=404, elder=404), path={"uscc": "$uscc"}
    ),
    "dataspace/consents/new/": Page(
        PERSON_PAGE,
        query="resource=$social&requester=demo-bank",
    ),
    "dataspace/consents/<int:pk>/revoke/": Page(
        page_rule(("citizen",), elder=404, agent=404), path={"pk": "$consent_id"}, post={}
    ),
    "dataspace/corrections/new/": Page(
        PERSON_PAGE, query="resource=$population&field=person.hukou_address"
    ),
    # the data officers' desk
    "data/": Page(OFFICER_PAGE),
    "data/resources/": Page(OFFICER_PAGE),
    "data/resources/<path:code>/": Page(OFFICER_PAGE, path={"code": "$marriage"}),
    "data/requests/": Page(OFFICER_PAGE),
    "data/requests/new/": Page(OFFICER_PAGE),
    "data/requests/<int:pk>/": Page(OFFICER_PAGE, path={"pk": "$request_id"}),
    "data/quality/": Page(OFFICER_PAGE),
    # Open311 GeoReport v2 (issue 18): public fields of 12345 tickets, for anyone
    "open311/v2/services.<str:fmt>": Page(PAGE_PUBLIC, path={"fmt": "json"}),
    "open311/v2/requests.<str:fmt>": Page(PAGE_PUBLIC, path={"fmt": "xml"}),
    "open311/v2/requests/<str:request_id>.<str:fmt>": Page(
        PAGE_PUBLIC, path={"request_id": "$hotline_no", "fmt": "json"}
    ),
    # 12345 pages (issue 18): the citizen side for everyone (我的诉求: 李明's own, others 404 as
    # if none); the console, queues and ticket pages for the center (``hotline_no`` is waiting
    # for 派单: no department's handler sees it yet); 争议/延期 for the 班长 only
    # 一网统管 pages: as the API
    "city/": Page(page_rule(STAFF)),
    "city/indicators/<slug:code>/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"code": "matrix-river"},
    ),
    "city/alerts/": Page(page_rule(STAFF)),
    "city/alerts/<int:alert_id>/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"alert_id": "$city_alert"},
    ),
    "city/alerts/<int:alert_id>/action/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"alert_id": "$city_alert"},
        post={"action": "fly"},
    ),
    # 城市管理事件 pages: reporting and the list for staff; an event's pages as the API
    "city/patrol/": Page(page_rule(STAFF)),
    "city/events/": Page(page_rule(STAFF)),
    "city/events/<str:event_no>/": Page(
        page_rule(CITY_SEES, default=404), path={"event_no": "$city_event"}
    ),
    "city/events/<str:event_no>/act/": Page(
        page_rule(CITY_SEES, default=404), path={"event_no": "$city_event"}, post={"action": "fly"}
    ),
    "city/events/<str:event_no>/photos/<uuid:file_id>/": Page(
        page_rule(CITY_SEES, default=404),
        path={"event_no": "$city_event", "file_id": "$city_event_photo"},
    ),
    "city/command/": Page(page_rule(CITY_CENTER)),
    "city/command/live/": Page(page_rule(CITY_CENTER)),
    "city/plans/": Page(page_rule(STAFF)),
    "city/plans/start/": Page(page_rule(CITY_CENTER)),
    "city/plans/runs/<int:run_id>/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"run_id": "$city_run"},
    ),
    "city/plans/runs/<int:run_id>/steps/<int:step_id>/check/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"run_id": "$city_run", "step_id": "$city_step"},
        post={"note": "长" * 501},
    ),
    "city/plans/runs/<int:run_id>/close/": Page(
        page_rule(CITY_SEES, **dict.fromkeys(("clerk", "reviewer", "dataofficer"), 404)),
        path={"run_id": "$city_run"},
        post={"note": "长" * 501},
    ),
    # 督查督办 pages: the board for staff (others' tasks left out); a task's page and forms for
    # the lead office and the task's department (a refused form is answered 409/422)
    "supervision/": Page(page_rule(STAFF)),
    "supervision/import/": Page(page_rule(SUPERVISION_OFFICE)),
    "supervision/export.xlsx": Page(page_rule(STAFF)),
    "supervision/print/": Page(page_rule(STAFF)),
    "supervision/tasks/<int:task_id>/": Page(
        SUPERVISION_PAGE, path={"task_id": "$supervision_task"}
    ),
    "supervision/tasks/<int:task_id>/report/": Page(
        SUPERVISION_PAGE, path={"task_id": "$supervision_task"}, post={"note": ""}
    ),
    "supervision/tasks/<int:task_id>/action/": Page(
        SUPERVISION_PAGE, path={"task_id": "$supervision_task"}, post={"action": "fly"}
    ),
    "supervision/tasks/<int:task_id>/urge/": Page(
        SUPERVISION_PAGE, path={"task_id": "$supervision_task"}, post={"body": ""}
    ),
    "supervision/urges/<int:urge_id>/pdf/": Page(
        SUPERVISION_PAGE, path={"urge_id": "$supervision_urge"}
    ),
    "supervision/urges/<int:urge_id>/reply/": Page(
        SUPERVISION_PAGE, path={"urge_id": "$supervision_urge"}, post={"reply": ""}
    ),
    # 公文库 pages: search for everyone signed in; the 不予公开 document of 市民政局 for its staff
    # and the lead office, 404 for the rest
    "documents/": Page(DOCUMENT_SEARCH_PAGE, query="q=正文", secret="矩阵公文"),
    # the upload page: staff (document officers) register 公文; persons 403
    "documents/upload/": Page(STAFF_PAGE),
    "documents/<int:doc_id>/": Page(
        page_rule(DOCUMENT_READERS, default=404), path={"doc_id": "$document_id"}
    ),
    "documents/compose/": Page(STAFF_PAGE),
    "documents/verify/": Page(SIGNED_IN_PAGE),
    "documents/<int:doc_id>/pdf/": Page(
        page_rule(DOCUMENT_READERS, default=404), path={"doc_id": "$document_id"}
    ),
    "hotline/": Page(PAGE_PUBLIC),
    "hotline/new/": Page(PAGE_PUBLIC),
    "hotline/new/code/": Page(PAGE_PUBLIC, post={"phone": ""}),
    "hotline/mine/": Page(SIGNED_IN_PAGE),
    "hotline/mine/<str:ticket_no>/": Page(
        page_rule(("citizen",), default=404), path={"ticket_no": "$hotline_no"}
    ),
    "hotline/mine/<str:ticket_no>/rate/": Page(
        page_rule(("citizen",), default=404), path={"ticket_no": "$hotline_no"}, post={}
    ),
    "hotline/progress/": Page(PAGE_PUBLIC, query="ticket_no=$hotline_no&phone=13800000001"),
    # the 评价 link of a 答复 SMS, no login: a reference the server did not make is 404 for
    # everyone (a real link: hotline/tests/test_rating_link.py)
    "hotline/r/<str:ref>/": Page(
        page_rule((), default=404, anonymous=404), path={"ref": "AAAAAAAAAAAAAAAAAAAA"}
    ),
    "hotline/console/": Page(page_rule(("hotline",)), query="phone=13800000001"),
    "hotline/console/kb/": Page(page_rule(("hotline",)), query="content=社保卡丢了"),
    "hotline/console/caller/": Page(page_rule(("hotline",)), query="caller_phone=13800000001"),
    "hotline/tickets/": Page(page_rule(("hotline",))),
    "hotline/tickets/<str:ticket_no>/": Page(
        page_rule(("hotline",)), path={"ticket_no": "$hotline_no"}
    ),
    "hotline/tickets/<str:ticket_no>/act/": Page(
        page_rule(("hotline",)), path={"ticket_no": "$hotline_no"}, post={"action": "sign"}
    ),
    "hotline/tickets/<str:ticket_no>/supervision/<int:n>.pdf": Page(
        page_rule((), hotline=404), path={"ticket_no": "$hotline_no", "n": "1"}
    ),
    "hotline/callbacks/": Page(page_rule(("hotline",))),
    "hotline/supervisor/": Page(page_rule(())),
    # 12345 知识库: 常见问题 for everyone; management for the authors and reviewers of a
    # department (a draft of 市民政局: its handling roles and the 12345 center)
    "knowledge/": Page(PAGE_PUBLIC),
    "knowledge/faq/<int:article_id>/": Page(PAGE_PUBLIC, path={"article_id": "$article_id"}),
    "knowledge/manage/": Page(page_rule(KNOWLEDGE_MZJ)),
    "knowledge/manage/new/": Page(page_rule(KNOWLEDGE_MZJ)),
    "knowledge/manage/<int:article_id>/": Page(
        page_rule(KNOWLEDGE_MZJ), path={"article_id": "$article_draft"}
    ),
    "knowledge/manage/<int:article_id>/edit/": Page(
        page_rule(KNOWLEDGE_MZJ), path={"article_id": "$article_draft"}
    ),
    "knowledge/manage/<int:article_id>/<str:action>/": Page(
        page_rule(KNOWLEDGE_MZJ), path={"article_id": "$article_draft", "action": "submit"}, post={}
    ),
    "knowledge/review/": Page(page_rule(KNOWLEDGE_MZJ)),
    # 12345 analysis dashboard: the center (a department's handlers see their part)
    "hotline/dashboard/": Page(page_rule(("hotline",))),
    "hotline/dashboard/reports/weekly.<str:fmt>": Page(
        page_rule(("hotline",)), path={"fmt": "pdf"}, query="week=2026-W49"
    ),
    # 填表报数 pages: staff only (persons 404); the task, its forms and the summary as the API
    "reports/": Page(page_rule(STAFF, **dict.fromkeys(PERSONS, 404))),
    "reports/register/": Page(PAGE_PUBLIC),
    "reports/tasks/<int:task_id>/": Page(
        page_rule(REPORT_SEES, default=404), path={"task_id": "$report_task"}
    ),
    "reports/tasks/<int:task_id>/fill/": Page(
        page_rule(REPORT_SEES, default=404),
        path={"task_id": "$report_task"},
        post={"intent": "draft"},
    ),
    "reports/tasks/<int:task_id>/act/": Page(
        page_rule(REPORT_SEES, default=404),
        path={"task_id": "$report_task"},
        post={"action": "approve"},
    ),
    "reports/summary/<str:code>/<str:period>/": Page(
        page_rule(REPORT_SEES, default=404), path={"code": "GLJT", "period": "2026-11"}
    ),
    # 设计报表: the issuing departments' heads and data officers; 准入 decisions: the 政数局's
    # (its head and data officer) and the admin — GLJT is in force already (409)
    "reports/design/": Page(page_rule(("head", "dataofficer"), default=404)),
    "reports/admit/<str:code>/": Page(
        page_rule(REPORT_SEES, default=404), path={"code": "GLJT"}, post={"decision": "admit"}
    ),
}

# --- known gaps -------------------------------------------------------------------------------
# (operation or page, probe label, caller, the status it answers today): wrong behaviour found
# by the matrix and not fixed yet. The test reports them and fails when one starts passing, so
# the list stays true. Each names its FINDING.
Gap = tuple[str, str, str, int | str]
KNOWN_GAPS: list[Gap] = []
