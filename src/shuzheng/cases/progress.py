"""办件进度查询 without logging in (issue 17): a case number and the applicant's phone on record
give the case's status and timeline in words — nothing personal (no names, ID numbers,
addresses, form data, materials, opinions or staff accounts).

- The phone on record is the applicant's phone in identity (a person applicant) or a phone
  given on the application form (``applicant_phone`` …, a 一件事's parent's form for a
  sub-case); either matches.
- An unknown number, a draft and a wrong phone answer the same 404 with one Chinese message,
  after the same reads, so the lookup does not tell whether a case number exists.
- Every lookup from one client address counts against ``PROGRESS_MAX_PER_HOUR``
  (``identity.facade.lookup_allow``: identity's throttle rows, shared by every web worker)
  before anything is read; past it, 429 with ``Retry-After``. A malformed number or phone is a
  422 naming the field and is not counted (it reads nothing).
- A lookup that finds the case is audited (``cases.progress_read``) with the phone masked.

The API (``GET /api/v1/cases/progress``) and the page (``/cases/progress/``) both call
``progress_read``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import records
from shuzheng.cases.transitions import CASE
from shuzheng.core.errors import FieldError, NotFound, ValidationFailed
from shuzheng.identity import facade as identity

THROTTLE_SCOPE = "case_progress"
THROTTLE_WINDOW = 3600  # seconds: PROGRESS_MAX_PER_HOUR lookups per client address
# form fields that hold the applicant's phone (the catalog's forms use applicant_phone)
PHONE_FIELDS = ("applicant_phone", "contact_phone", "phone")
# timeline events that say nothing about progress
HIDDEN_EVENTS = frozenset({"draft"})

CASE_NO_RE = re.compile(r"^[A-Z0-9]{6,32}$")
PHONE_RE = re.compile(r"^1\d{10}$")


def not_found_message() -> str:
    """The one answer for an unknown case, a draft and a wrong phone."""
    return _t("未找到该办件：请核对办件编号和申请时预留的手机号码。")


def throttled_message() -> str:
    return _t("查询次数过多，请 {wait}后再试。")


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    text: str  # the timeline words of the transition table
    status_name: str  # the status after the step


@dataclass(frozen=True)
class Part:
    """A sub-case of a 一件事: which department handles what, and how far it is."""

    item_name: str
    department_name: str
    status: str
    status_name: str
    due_date: dt.date | None


@dataclass(frozen=True)
class Progress:
    case_no: str
    item_name: str
    department_name: str
    status: str
    status_name: str
    summary: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    due_date: dt.date | None
    closed_on: dt.date | None
    steps: tuple[Step, ...]
    parts: tuple[Part, ...]
    # 邮寄送达: carrier, tracking_no, sent_on of the posted result ({}: not posted)
    mail: dict[str, str] = field(default_factory=dict)


# --- input ---------------------------------------------------------------------------------------


def clean_case_no(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def clean_phone(value: str) -> str:
    """Digits only; a +86 / 0086 / 86 country code dropped."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            return digits[len(prefix) :]
    return digits


def checked(case_no: str, phone: str) -> tuple[str, str]:
    """(case number, phone) cleaned, or ``ValidationFailed`` naming each bad field."""
    number, digits = clean_case_no(case_no), clean_phone(phone)
    errors = []
    if not number:
        errors.append(FieldError("case_no", _t("请填写办件编号。")))
    elif not CASE_NO_RE.match(number):
        errors.append(
            FieldError(
                "case_no",
                _t("办件编号由字母和数字组成，例如 BJ44120020261123000001，请核对后重新输入。"),
            )
        )
    if not digits:
        errors.append(FieldError("phone", _t("请填写申请时预留的手机号码。")))
    elif not PHONE_RE.match(digits):
        errors.append(FieldError("phone", _t("手机号码应为11位数字，以1开头。")))
    if errors:
        raise ValidationFailed(errors)
    return number, digits


# --- the lookup ----------------------------------------------------------------------------------


def _phones_on_record(case: Case | None) -> list[str]:
    """The applicant's phone in identity and the phones given on the form(s). One identity read
    whether or not there is a case (the answer's timing does not tell them apart)."""
    person = case is not None and case.applicant_kind == "person"
    phones = [identity.person_phone(case.applicant_id if person and case else "")]
    if case is not None:
        forms = [case.form, case.parent.form if case.parent is not None else {}]
        phones += [
            str(form.get(name) or "")
            for form in forms
            if isinstance(form, dict)
            for name in PHONE_FIELDS
        ]
    return [clean_phone(p) for p in phones if p]


def _matches(case: Case | None, phone: str) -> bool:
    found = False
    for known in _phones_on_record(case):
        # compared in constant time; every phone is compared
        found |= hmac.compare_digest(known.encode(), phone.encode())
    return found and case is not None


def progress_read(*, request: HttpRequest, case_no: str, phone: str, via: str) -> Progress:
    """The progress of the case ``case_no`` when ``phone`` is its applicant's phone on record;
    ``NotFound`` otherwise (one message), ``ValidationFailed`` for a malformed number or phone,
    ``RateLimited`` (``retry_after``) past the client address's hourly lookups."""
    number, digits = checked(case_no, phone)
    identity.lookup_allow(
        request,
        scope=THROTTLE_SCOPE,
        limit=settings.PROGRESS_MAX_PER_HOUR,
        window_seconds=THROTTLE_WINDOW,
        message=throttled_message(),
    )
    principal = identity.principal_for_request(request)
    with transaction.atomic():
        case = (
            Case.objects.select_related("parent")
            .filter(case_no=number)
            .exclude(status=S.DRAFT)
            .first()
        )
        if not _matches(case, digits) or case is None:
            raise NotFound(not_found_message())
        audit.record(
            actor=principal.actor,
            action="cases.progress_read",
            object_type="cases.case",
            object_id=case.case_no,
            after={"phone": identity.mask_phone(digits), "via": via},
        )
        return _progress(case)


# --- the answer, in words ------------------------------------------------------------------------


def _department_name(code: str) -> str:
    return identity.department_names().get(code) or _t("受理部门")


def _status_name(status: str) -> str:
    return str(S(status).label) if status in S.values else ""


def summary(case: Case, today: dt.date) -> str:
    """Where the case stands, in one sentence with nothing personal in it."""
    status = case.status
    if status == S.SUBMITTED:
        return _t("已提交，等待部门受理。")
    if status == S.CORRECTION:
        return _t("需要补正材料：请登录“我的办件”查看一次性告知的补正内容，补正后重新提交。")
    if status == S.IN_PROGRESS:
        if case.due_date is None:
            return _t("已受理，正在办理。")
        if case.due_date < today:
            return _t("已受理，正在办理，已超过承诺办结日期 %(due)s。") % {"due": case.due_date}
        return _t("已受理，正在办理，承诺 %(due)s 前办结。") % {"due": case.due_date}
    if status == S.SUSPENDED:
        return _t("特别程序中（如专家评审、听证），办理时限暂停计算。")
    if status in (S.APPROVED, S.DENIED):
        return _t("已作出决定，等待办结送达。")
    if status == S.CLOSED:
        return _t("已办结。办理结果请登录“我的办件”查看。")
    if status == S.REFUSED:
        return _t("不予受理。理由请登录“我的办件”查看，或下载不予受理通知书。")
    return _t("申请已撤回。")


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _progress(case: Case) -> Progress:
    steps = tuple(
        Step(at=at, text=str(CASE.timeline_label(action)), status_name=_status_name(to_status))
        for at, _actor, action, _from, to_status, _note, _data in records.timeline(case)
        if action not in HIDDEN_EVENTS
    )
    parts: tuple[Part, ...] = ()
    if case.kind == "bundle":
        parts = tuple(
            Part(
                item_name=c.item_name,
                department_name=_department_name(c.department_code),
                status=c.status,
                status_name=_status_name(c.status),
                due_date=c.due_date,
            )
            for c in case.children.order_by("id")
        )
    return Progress(
        case_no=case.case_no,
        item_name=case.item_name,
        department_name=_department_name(case.department_code),
        status=case.status,
        status_name=_status_name(case.status),
        summary=summary(case, timezone.localdate()),
        submitted_on=_local_date(case.submitted_at),
        accepted_on=case.accepted_on,
        due_date=case.due_date,
        closed_on=case.closed_on,
        steps=steps,
        parts=parts,
        mail={k: str(case.mail_tracking.get(k, "")) for k in ("carrier", "tracking_no", "sent_on")}
        if case.mail_tracking
        else {},
    )
