"""免申即享 API: public policy pages' data, batch runs (policy officer), the department's lists,
and each person's own '可享政策' with confirm/decline."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shuzheng.identity.facade import BearerAuth, OptionalBearerAuth, principal_for_request
from shuzheng.identity.facade import require_role as _require_role
from shuzheng.proactive import selectors, services
from shuzheng.proactive.models import Match, MatchStatus, Policy

router = Router(tags=["proactive 免申即享"])


class PolicyOut(Schema):
    code: str
    name: str
    summary: str
    subject_kind: str
    department_code: str
    rule_set: str
    item_code: str
    benefit: str
    amount_unit: str
    mode: str
    window_days: int
    period: str
    matched: int
    pending: int
    granted: int
    declined: int
    expired: int
    held: int  # re-checked when granted: already received by another path
    ineligible: int  # re-checked when granted: no longer qualifies
    amount_matched: str
    amount_granted: str
    runs: int


def _policy(p: Policy) -> PolicyOut:
    s = selectors.stats(p)
    return PolicyOut(
        code=p.code,
        name=p.name,
        summary=p.summary,
        subject_kind=p.subject_kind,
        department_code=p.department_code,
        rule_set=p.rule_set_code,
        item_code=p.item_code,
        benefit=p.benefit,
        amount_unit=p.amount_unit,
        mode=p.mode,
        window_days=p.window_days,
        period=p.period,
        matched=s["matched"],
        pending=s["pending"],
        granted=s["granted"],
        declined=s["declined"],
        expired=s["expired"],
        held=s["held"],
        ineligible=s["ineligible"],
        amount_matched=str(s["amount_matched"]),
        amount_granted=str(s["amount_granted"]),
        runs=s["runs"],
    )


@router.get(
    "/policies",
    response=list[PolicyOut],
    auth=OptionalBearerAuth(),
    summary="免申即享政策及兑现统计（公开）",
)
def policy_list(request: HttpRequest) -> list[PolicyOut]:
    return [_policy(p) for p in selectors.policies()]


class GrantsDueOut(Schema):
    granted: int
    expired: int


@router.post(
    "/policies/grants",
    response=GrantsDueOut,
    auth=BearerAuth(),
    summary="发放所有窗口期已过或已确认的匹配（政策管理员；可重复执行）",
)
def grants_due(request: HttpRequest) -> GrantsDueOut:
    principal = principal_for_request(request)
    _require_role(principal, services.EDITOR_ROLE)
    granted, expired = services.grants_due(actor=principal.actor)
    return GrantsDueOut(granted=granted, expired=expired)


@router.get(
    "/policies/{code}", response=PolicyOut, auth=OptionalBearerAuth(), summary="政策及统计（公开）"
)
def policy_detail(request: HttpRequest, code: str) -> PolicyOut:
    return _policy(selectors.policy_get(code))


class RunIn(Schema):
    as_of: dt.date | None = None
    subjects: list[str] | None = None  # a pilot run over some subjects only


class RunOut(Schema):
    policy: str
    as_of: str
    rule_version: int
    evaluated: int
    outcomes: dict[str, int]
    eligible: int
    new_matches: int
    already_matched: int
    granted: int
    expired: int
    seconds: float
    batch_id: int


@router.post(
    "/policies/{code}/runs",
    response=RunOut,
    auth=BearerAuth(),
    summary="运行批量比对：告知新符合条件的对象，发放窗口期已过的（政策管理员）",
)
def policy_run(request: HttpRequest, code: str, body: RunIn) -> RunOut:
    principal = principal_for_request(request)
    summary = services.policy_run(
        code=code,
        actor=principal.actor,
        principal=principal,
        as_of=body.as_of,
        subjects=body.subjects,
    )
    data = dict(vars(summary))
    data.pop("notified", None)
    return RunOut(**data)


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) <= 4 else name[:4] + "*" * 4


def mask_id(subject_id: str) -> str:
    return subject_id[:6] + "*" * 8 + subject_id[-4:] if len(subject_id) == 18 else subject_id


class MatchOut(Schema):
    id: int
    policy: str
    policy_name: str
    subject_kind: str
    subject_id: str
    subject_name: str
    status: str
    status_name: str
    amount: str | None
    amount_unit: str
    window_ends_on: str
    mode: str
    case_no: str
    decision_id: str
    explanation: list[str]
    note: str  # why a re-checked match was not granted (status held or ineligible)


def _match(m: Match, *, masked: bool) -> MatchOut:
    return MatchOut(
        id=m.pk,
        policy=m.policy.code,
        policy_name=m.policy.name,
        subject_kind=m.subject_kind,
        subject_id=mask_id(m.subject_id) if masked and m.subject_kind == "person" else m.subject_id,
        subject_name=mask_name(m.subject_name)
        if masked and m.subject_kind == "person"
        else m.subject_name,
        status=m.status,
        status_name=str(MatchStatus(m.status).label),
        amount=str(m.amount) if m.amount is not None else None,
        amount_unit=m.policy.amount_unit,
        window_ends_on=m.window_ends_on.isoformat(),
        mode=m.policy.mode,
        case_no=m.case_no,
        decision_id=m.decision_id,
        explanation=list(m.explanation) if not masked else [],
        note=m.note if not masked else "",
    )


class MatchPage(Schema):
    total: int
    items: list[MatchOut]


@router.get(
    "/policies/{code}/matches",
    response=MatchPage,
    auth=BearerAuth(),
    summary="政策匹配名单（兑现部门工作人员、政策管理员；个人信息脱敏）",
)
def policy_matches(
    request: HttpRequest,
    code: str,
    status: str = "",
    limit: int = 50,
    offset: int = Query(0, ge=0, le=1_000_000),  # larger overflows the database's integer
) -> MatchPage:
    principal = principal_for_request(request)
    qs = selectors.matches_for_staff(principal, selectors.policy_get(code), status)
    limit = max(1, min(limit, 200))
    rows = list(qs.select_related("policy")[offset : offset + limit])
    return MatchPage(total=qs.count(), items=[_match(m, masked=True) for m in rows])


@router.get(
    "/me/policies",
    response=list[MatchOut],
    auth=BearerAuth(),
    summary="可享政策：本人（及代办企业）被匹配的政策",
)
def my_policies(request: HttpRequest) -> list[MatchOut]:
    return [_match(m, masked=False) for m in selectors.my_matches(principal_for_request(request))]


def _respond(request: HttpRequest, match_id: int, accept: bool) -> MatchOut:
    m = services.match_respond(
        principal=principal_for_request(request), match_id=match_id, accept=accept
    )
    return _match(m, masked=False)


@router.post(
    "/me/policies/{match_id}/confirm",
    response=MatchOut,
    auth=BearerAuth(),
    summary="确认享受（发放前复核：已通过其他途径享受的不再重复发放）",
)
def confirm(request: HttpRequest, match_id: int) -> MatchOut:
    return _respond(request, match_id, True)


@router.post(
    "/me/policies/{match_id}/decline", response=MatchOut, auth=BearerAuth(), summary="不享受"
)
def decline(request: HttpRequest, match_id: int) -> MatchOut:
    return _respond(request, match_id, False)
