"""No page shown to a person contains an internal code (issue 17, defect 4).

A crawler signs in as each demo role in the permission matrix's world (the demo catalog,
licences, rules and policies, then cases, a rating, a policy match, share requests, a consent,
a correction … built on a fixed day), follows every same-site link from the role's home pages
breadth-first (GET only, bounded; for the admin, its changelists and change pages too) and
reads each HTML page's visible text (tags, scripts, styles and attributes stripped). The text
must hold no Python repr (``('``, ``{'``, ``<object``, ``None``/``True``/``False`` shown as
words), no action, event or status code (collected from the lifecycles, the models' choices
and the audit log of the world), no field path (``person.hukou_address``), no
``role@department`` string and no negative count of working days. A finding names the role,
the page and the words around it.

The API a person's client shows is read too: every ``GET /api/v1`` operation of the permission
table (tests/permission_table.py), with the world's objects filled in, called with each demo
role's token. Of a 200 JSON answer only the words meant for a person are read — the string
values under a *human* key, at any depth (in lists too): ``name``, ``title``, ``label``,
``message``, ``note``, ``summary``, ``explanation``, ``reason``, ``description``, ``hint``,
``text``, ``body``, ``items``, ``warnings`` and any key ending in ``_name``, ``_label``,
``_title``, ``_text``, ``_note``, ``_reason``, ``_message`` or ``_words`` — except the
``name`` of an object that also has a ``title`` or ``label`` (a data item or form field: its
name is the identifier, ``person.hukou_address``, and its title the words). Every other key holds
a machine value a client maps to words itself (``status``, ``action``, ``kind``, ``code``,
ids, numbers, dates, a form's data), which the API keeps stable on purpose; those are not read.
A finding names the role, the operation and the key path.

``KNOWN`` lists findings not fixed yet: one still found is reported, one no longer found fails
(remove it), so the list stays true.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.test_permission_matrix import WORLD_DAY, World, build_world

ROLES = {
    "citizen": "demo-citizen",
    "elder": "demo-elder",
    "agent": "demo-agent",
    "clerk": "demo-clerk",
    "reviewer": "demo-reviewer",
    "head": "demo-head",
    "dataofficer": "demo-dataofficer",
    "hotline": "demo-hotline",
    "hotline-lead": "demo-hotline-lead",
    "handler": "demo-handler-cg",
    "admin": "demo-admin",
}
STAFF_ROLES = (
    "clerk",
    "reviewer",
    "head",
    "dataofficer",
    "hotline",
    "hotline-lead",
    "handler",
    "admin",
)
HOMES = ("/", "/workbench/", "/data/", "/dataspace/", "/accounts/profile/")
MAX_PAGES = 300  # per role
PER_PATTERN = 6  # pages of one URL pattern (one case, one licence …) are alike past a few
NOT_FOLLOWED = ("/static/", "/api/", "/i18n/", "/media/")
NOT_FOLLOWED_WORDS = ("logout", "/delete/", "/download", ".pdf")

# Pages not read: the audit log in the admin shows each record's action and object type as
# recorded (``cases.submit``, ``cases.case``) — the evidence itself, which auditors search by.
EXEMPT = ("/admin/audit/",)
# The departments' own register shows each department's code in its labelled column 编码.
# The data catalogue's pages for data officers show each field's identifier in the labelled
# column 标识: share requests and the API name fields by it.
OWN_CODES = {"department code": "/admin/identity/department/", "field path": "/data/resources/"}
# A rule set's pages (staff only since issue 17) document the rule as it runs: each condition in
# words beside its expression, the amount formula and the facts it reads, in <code>, over named
# facts (enterprise.size 企业规模) — the rule itself, which reviewers check a decision against.
# The raw GoRules JDM source is shown to the policy officer (the administrator) only.
RULE_PAGES = "/rules/"

# API findings not fixed yet: (role, "api <operation> <key path>", kind, the code found).
KNOWN_API: set[tuple[str, str, str, str]] = set()

# Findings not fixed yet: (role, URL pattern, kind, the code found).
# The materials of a case filed with an e-licence name the licence by its OID, not its number
# (cases.views.material_entries and the workbench's material rows; being reworked for the
# material previews).
_ID_CARD_OID = "1.2.156.3005.2.11440000MB0000002J001.11441200MB0000015K.202100000001.001.2"
KNOWN: set[tuple[str, str, str, str]] = set()


# --- the world -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The permission matrix's world, in a transaction rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(WORLD_DAY, tick=True),
        transaction.atomic(),
    ):
        yield build_world(Client())
        transaction.set_rollback(True)


# --- what counts as an internal code ---------------------------------------------------------


IDENT = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+")


def internal_codes() -> set[str]:
    """Codes a person must never read: the lifecycles' actions and events, every model
    choice's stored value, and every audit action of the world. Only codes that look like
    code (``snake_case`` or ``dotted.names``) are kept: a lone English word such as ``close``
    is left to review, it could be the start of a sentence in an English page."""
    from shuzheng.audit.models import AuditRecord
    from shuzheng.cases.transitions import BUNDLE, CASE

    codes: set[str] = set()
    for lifecycle in (CASE, BUNDLE):
        codes |= set(lifecycle.transitions) | set(lifecycle.events)
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "choices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    codes |= set(AuditRecord.objects.values_list("action", flat=True).distinct())
    return {c for c in codes if IDENT.fullmatch(c)}


REPR = re.compile(r"\('|\{'|\[\('|<object\b|\b(?:None|True|False)\b")
FIELD_PATH = re.compile(
    r"(?<![\w.@/:-])(?:person|form|marriage|credit|social_insurance|household|enterprise|"
    r"result|data|case|license|item|address|vehicle|housing|education|pension|medical)"
    r"\.[a-z][a-z0-9_]*(?![\w/-])"
)
ROLE_AT = re.compile(r"[a-z_]+@\d{6}-[A-Z]+")
NEGATIVE_DAYS = re.compile(r"-\s*\d+\s*个?\s*(?:个)?工作日|剩余\s*-")
DEPARTMENT_CODE = re.compile(r"(?<![\w@-])\d{6}-[A-Z]{2,}(?![\w-])")  # 441200-MZJ: say 市民政局
# an e-licence's OID (电子证照标识) is shown only where it is labelled as such; elsewhere a
# person expects the licence's number (证照编号)
LICENCE_OID = re.compile(r"(?<![\w.])1\.2\.156\.3005\.2\.[\w.]+")
OID_LABEL = "电子证照标识"


@dataclass(frozen=True)
class Finding:
    role: str
    url: str
    pattern: str
    kind: str
    code: str
    snippet: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.role, self.pattern, self.kind, self.code)


def findings_in(text: str, codes: re.Pattern[str]) -> Iterator[tuple[str, str, str]]:
    """(kind, code, snippet) for every internal code in a page's visible text."""
    for kind, rx in (
        ("repr", REPR),
        ("code", codes),
        ("field path", FIELD_PATH),
        ("role@department", ROLE_AT),
        ("negative days", NEGATIVE_DAYS),
        ("department code", DEPARTMENT_CODE),
        ("licence OID", LICENCE_OID),
    ):
        for m in rx.finditer(text):
            if rx is DEPARTMENT_CODE and text[m.start() - 1 : m.end() + 1] == f"（{m.group(0)}）":
                continue  # 肇庆市公安局（441200-GAJ）: the name is shown, the code after it
            if rx is LICENCE_OID and text[: m.start()].rstrip(" ：:").endswith(OID_LABEL):
                continue
            start, end = max(0, m.start() - 30), m.end() + 30
            yield kind, m.group(0), text[start:end]


def code_pattern(codes: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.@/-])(?:{alternatives})(?![\w/-])")


# --- reading a page --------------------------------------------------------------------------


class _Page(HTMLParser):
    """A page's visible text (one space between pieces) and its links."""

    # not read: scripts and styles, and a textarea's content (the value being edited, as the
    # value attribute of an input, e.g. a form schema the admin edits as JSON)
    HIDDEN = {"script", "style", "template", "noscript", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def read_page(html: str) -> tuple[str, list[str]]:
    page = _Page()
    page.feed(html)
    return " ".join(page.text), page.links


def _pattern(path: str) -> str | None:
    try:
        return resolve(path).route or path
    except Resolver404:
        return None


def _follow(base: str, href: str, role: str) -> str | None:
    """The same-site path (with its query, except in the admin) a link leads to, or None."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc and parts.netloc != "testserver":
        return None
    path = parts.path
    if path.startswith(NOT_FOLLOWED) or any(w in path for w in NOT_FOLLOWED_WORDS):
        return None
    if path.startswith("/admin/"):
        return path  # sorting and filtering a changelist shows the same words
    return path + ("?" + parts.query if parts.query else "")


# --- the crawl -------------------------------------------------------------------------------


def crawl(role: str, session: str, codes: re.Pattern[str]) -> tuple[list[Finding], int]:
    """Every page reachable from the role's home pages, breadth-first and bounded; each GET
    in a savepoint rolled back (a page that records a reading changes nothing for the next)."""
    starts = HOMES + (("/admin/",) if role == "admin" else ())
    queue: deque[str] = deque(starts)
    seen: set[str] = set(starts)
    per_pattern: dict[str, int] = {}
    found: list[Finding] = []
    visited = read = 0  # requests made, HTML pages read
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        pattern = _pattern(urlsplit(url).path)
        if pattern is None:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        if per_pattern[pattern] > PER_PATTERN:
            continue
        client = Client(raise_request_exception=False)
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        with transaction.atomic():
            r = client.get(url)
            transaction.set_rollback(True)
        visited += 1
        if r.status_code in (301, 302, 303):
            target = _follow(url, r["Location"], role)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
            continue
        read += 1
        text, links = read_page(r.content.decode("utf-8", errors="replace"))
        if not url.startswith(EXEMPT):
            for kind, code, snippet in findings_in(text, codes):
                if url.startswith(OWN_CODES.get(kind, "\0")):
                    continue
                if kind == "field path" and url.startswith(RULE_PAGES) and role in STAFF_ROLES:
                    continue
                found.append(Finding(role, url, pattern, kind, code, snippet))
        for href in links:
            target = _follow(url, href, role)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return found, read


def _session(username: str) -> str:
    from shuzheng.identity.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def report(findings: list[Finding]) -> str:
    lines = [f"{'role':<12} {'kind':<16} {'code':<28} page — words around it"]
    for f in findings:
        snippet = re.sub(r"\s+", " ", f.snippet)
        where = f"{f.url} ({f.pattern})" if f.pattern.startswith("api ") else f.url
        lines.append(f"{f.role:<12} {f.kind:<16} {f.code:<28} {where} — {snippet}")
    return "\n".join(lines)


def judge(findings: list[Finding], known: set[tuple[str, str, str, str]]) -> None:
    """Fail on a finding not in ``known`` and on a known finding no longer found."""
    new = [f for f in findings if f.key not in known]
    gone = sorted(known - {f.key for f in findings})
    message = f"{len(new)} internal code(s) shown to people:\n" + report(new)
    if gone:
        message += "\nKNOWN findings no longer found (remove them): " + repr(gone)
    assert not new and not gone, message


# --- the API answers a person's client shows ---------------------------------------------------

HUMAN_KEYS = frozenset(
    {
        "name",
        "title",
        "label",
        "message",
        "note",
        "summary",
        "explanation",
        "reason",
        "description",
        "hint",
        "text",
        "body",
        "items",
        "warnings",
    }
)
HUMAN_SUFFIXES = ("_name", "_label", "_title", "_text", "_note", "_reason", "_message", "_words")


def _human(key: str) -> bool:
    return key in HUMAN_KEYS or key.endswith(HUMAN_SUFFIXES)


def human_strings(value: object, path: str = "", key: str = "") -> Iterator[tuple[str, str]]:
    """(key path, words) of every string under a human key of a JSON answer."""
    if isinstance(value, dict):
        # an object with both a name and a title (or label) is a field or item: its name is
        # the identifier a client keys by, the title the words it shows
        named = "title" in value or "label" in value
        for k, v in value.items():
            if named and k == "name":
                continue
            yield from human_strings(v, f"{path}.{k}" if path else str(k), str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from human_strings(v, f"{path}[{i}]", key)
    elif isinstance(value, str) and _human(key):
        yield path, value


def api_gets(world: World) -> Iterator[tuple[str, str]]:
    """(operation, URL) of every GET of the permission table, the world's objects filled in."""
    from tests import permission_table as table

    for operation, probes in sorted(table.API.items()):
        method, template = operation.split(" ", 1)
        if method != "GET":
            continue
        for probe in probes:
            url = world.fill(template.format(**probe.path))
            yield operation, url + ("?" + world.fill(probe.query) if probe.query else "")


def crawl_api(
    role: str, token: str, world: World, codes: re.Pattern[str]
) -> tuple[list[Finding], int]:
    """The human words of each GET answer the role's client receives (200 JSON only)."""
    client = Client(raise_request_exception=False)
    found: list[Finding] = []
    read = 0
    for operation, url in api_gets(world):
        with transaction.atomic():
            r = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
            transaction.set_rollback(True)
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("application/json"):
            continue
        read += 1
        for key_path, words in human_strings(r.json()):
            for kind, code, snippet in findings_in(words, codes):
                found.append(Finding(role, url, f"api {operation} {key_path}", kind, code, snippet))
    return found, read


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_page_shows_an_internal_code(world: World) -> None:
    codes = code_pattern(internal_codes())
    findings: list[Finding] = []
    visited: dict[str, int] = {}
    sessions = {role: _session(username) for role, username in ROLES.items()}
    for role, session in sessions.items():
        found, visited[role] = crawl(role, session, codes)
        findings += found
        assert visited[role] >= 10, (role, visited[role])  # signed in, reaching pages
    # and a month later, when every deadline of the world has passed (超期 counts)
    with time_machine.travel(WORLD_DAY + dt.timedelta(days=30), tick=True):
        for role, username in ROLES.items():  # signed in again: sessions end when idle
            found, later = crawl(role, _session(username), codes)
            findings += found
            assert later >= 10, (role, later)
            visited[role] += later
    print("pages read per role:", visited)
    # the crawl really reached the pages with the world's cases, licences and admin lists
    assert all(n >= 20 for n in visited.values()), visited
    unique = list({(f.key, f.url): f for f in findings}.values())
    judge(unique, KNOWN)


@pytest.mark.django_db
def test_no_api_answer_shows_an_internal_code(world: World) -> None:
    codes = code_pattern(internal_codes())
    findings: list[Finding] = []
    read: dict[str, int] = {}
    for role, username in ROLES.items():
        found, read[role] = crawl_api(role, world.api.token(username), world, codes)
        findings += found
    print("API answers read per role:", read)
    # the persons read their cases, licences, messages …; staff their queues and desks
    assert all(n >= 10 for n in read.values()), read
    # key paths carry list indexes: one finding per operation, key and code
    unique = list(
        {
            (f.role, re.sub(r"\[\d+\]", "[]", f.pattern), f.kind, f.code): f for f in findings
        }.values()
    )
    judge(unique, KNOWN_API)


def test_human_strings_reads_words_not_machine_values() -> None:
    answer = {
        "status": "in_progress",
        "status_name": "办理中",
        "timeline": [{"action": "issue_license", "action_name": "签发证照", "note": "('a', 1)"}],
        "decision": {"explanation": ["结论：批准"], "rule_set": "gaoling-jintie"},
        "form": {"hukou_address": "person.hukou_address"},
        "fields": [{"name": "person.hukou_address", "title": "户籍地址"}],
        "errors": [{"field": "items.0", "message": "请填写"}],
    }
    assert dict(human_strings(answer)) == {
        "status_name": "办理中",
        "timeline[0].action_name": "签发证照",
        "timeline[0].note": "('a', 1)",
        "decision.explanation[0]": "结论：批准",
        "fields[0].title": "户籍地址",
        "errors[0].message": "请填写",
    }


def test_the_patterns_catch_what_the_reviewer_saw() -> None:
    """Each kind the reviewer reported is caught; Chinese words and dates are not."""
    codes = code_pattern({"issue_license", "rules_approve", "proactive_grant", "cases.submit"})

    def kinds(text: str) -> set[str]:
        return {kind for kind, _code, _snip in findings_in(text, codes)}

    assert kinds("截止日期 ('due_date', '2026-12-16')") == {"repr"}
    assert kinds("{'name': '李明'}") == {"repr"}
    assert kinds("经办人 None") == {"repr"}
    assert kinds("办理记录 issue_license") == {"code"}
    assert kinds("rules_approve 2026-11-23") == {"code"}
    assert kinds("cases.submit") == {"code"}
    assert kinds("纠错字段 person.hukou_address") == {"field path"}
    assert kinds("data_officer@441200-GAJ") == {"role@department"}
    assert kinds("剩余 -2 个工作日") == {"negative days"}
    assert kinds("责任部门 441200-MZJ") == {"department code"}
    oid = "1.2.156.3005.2.11100000000013338W.11441200007225010U.0001.001.Q"
    assert kinds(f"已签发电子证照 {oid}") == {"licence OID"}
    assert kinds(f"电子证照标识 {oid}") == set()
    assert kinds("已超期 2 个工作日，承诺 5 个工作日，2026-12-16，www.zhaoqing.gov.cn") == set()


def test_judge_keeps_the_known_list_true() -> None:
    f = Finding("citizen", "/cases/1/", "cases/<str:case_no>/", "code", "issue_license", "")
    judge([f], {f.key})  # known and still found: reported only
    with pytest.raises(AssertionError, match="1 internal code"):
        judge([f], set())
    with pytest.raises(AssertionError, match="no longer found"):
        judge([], {f.key})
