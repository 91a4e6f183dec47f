"""决策规则 API: read rule sets (public), edit/test/publish (policy officer), read decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shuzheng.identity.facade import BearerAuth, OptionalBearerAuth, principal_for_request
from shuzheng.rules import facade, readable, selectors, services
from shuzheng.rules.models import RuleVersion

router = Router(tags=["rules 决策规则"])


class VersionOut(Schema):
    version: int
    status: str
    effective_from: str | None
    effective_to: str | None
    checksum: str
    note: str
    published_by: str
    tests: int


class RuleSetOut(Schema):
    code: str
    name: str
    subject_kind: str
    item_code: str
    department_code: str
    benefit: str
    amount_unit: str
    description: str
    legal_basis: str
    version_in_force: int | None
    versions: list[VersionOut]


class ConditionOut(Schema):
    key: str
    condition: str
    expression: str
    facts: list[str]


class RowOut(Schema):
    when: dict[str, str]
    outcome: str
    reason: str


class VersionDetailOut(VersionOut):
    rule_set: str
    document: dict[str, Any]
    test_cases: list[dict[str, Any]]
    conditions: list[ConditionOut]
    table: list[RowOut]
    amount_formula: str | None


def _version(v: RuleVersion) -> VersionOut:
    return VersionOut(
        version=v.version,
        status=v.status,
        effective_from=v.effective_from.isoformat() if v.effective_from else None,
        effective_to=v.effective_to.isoformat() if v.effective_to else None,
        checksum=v.checksum,
        note=v.note,
        published_by=v.published_by,
        tests=len(v.tests or []),
    )


def _rule_set(request: HttpRequest, code: str) -> RuleSetOut:
    principal = principal_for_request(request)
    rs = selectors.rule_set_get(code)
    in_force = selectors.version_in_force(rs, timezone.localdate())
    return RuleSetOut(
        code=rs.code,
        name=rs.name,
        subject_kind=rs.subject_kind,
        item_code=rs.item_code,
        department_code=rs.department_code,
        benefit=rs.benefit,
        amount_unit=rs.amount_unit,
        description=rs.description,
        legal_basis=rs.legal_basis,
        version_in_force=in_force.version if in_force else None,
        versions=[_version(v) for v in selectors.versions(principal, rs)],
    )


@router.get(
    "/rules", response=list[RuleSetOut], auth=OptionalBearerAuth(), summary="规则集列表（公开）"
)
def rule_set_list(request: HttpRequest) -> list[RuleSetOut]:
    return [_rule_set(request, rs.code) for rs in selectors.rule_sets()]


@router.get(
    "/rules/{code}", response=RuleSetOut, auth=OptionalBearerAuth(), summary="规则集（公开）"
)
def rule_set_detail(request: HttpRequest, code: str) -> RuleSetOut:
    return _rule_set(request, code)


@router.get(
    "/rules/{code}/versions/{version}",
    response=VersionDetailOut,
    auth=OptionalBearerAuth(),
    summary="规则版本：JDM 决策图、测试用例和可读的条件与决策表（草稿仅管理员可见）",
)
def version_detail(request: HttpRequest, code: str, version: int) -> VersionDetailOut:
    principal = principal_for_request(request)
    v = selectors.version_get(principal, code, version)
    view = readable.readable(v.document, v.rule_set)
    return VersionDetailOut(
        **_version(v).dict(),
        rule_set=code,
        document=v.document,
        test_cases=list(v.tests or []),
        conditions=[ConditionOut(**c) for c in view["conditions"]],
        table=[RowOut(**r) for r in view["rows"]],
        amount_formula=view["amount"],
    )


class RuleSetIn(Schema):
    code: str
    name: str
    subject_kind: str
    item_code: str = ""
    department_code: str = ""
    benefit: str = ""
    amount_unit: str = ""
    description: str = ""
    legal_basis: str = ""
    document: dict[str, Any] | None = None
    tests: list[dict[str, Any]] | None = None


@router.post(
    "/rules", response={201: RuleSetOut}, auth=BearerAuth(), summary="新建规则集（政策管理员）"
)
def rule_set_create(request: HttpRequest, body: RuleSetIn) -> Status[RuleSetOut]:
    services.rule_set_create(principal=principal_for_request(request), **body.dict())
    return Status(201, _rule_set(request, body.code))


class DraftIn(Schema):
    document: dict[str, Any]
    tests: list[dict[str, Any]] = []
    note: str = ""


@router.put(
    "/rules/{code}/draft",
    response=VersionOut,
    auth=BearerAuth(),
    summary="保存草稿（校验语法和事实名称，错误给出位置）",
)
def draft_save(request: HttpRequest, code: str, body: DraftIn) -> VersionOut:
    v = services.draft_save(
        principal=principal_for_request(request),
        code=code,
        document=body.document,
        tests=body.tests,
        note=body.note,
    )
    return _version(v)


class TestResultOut(Schema):
    name: str
    passed: bool
    outcome: str
    amount: str | None
    failed_conditions: list[str]
    problems: list[str]


class TestRunOut(Schema):
    passed: int
    failed: int
    results: list[TestResultOut]


@router.post(
    "/rules/{code}/test",
    response=TestRunOut,
    auth=BearerAuth(),
    summary="运行测试用例（草稿或最新发布版本；三条计算路径都要一致）",
)
def run_tests(request: HttpRequest, code: str, version: int | None = None) -> TestRunOut:
    results = services.draft_run_tests(
        principal=principal_for_request(request), code=code, version=version
    )
    out = [
        TestResultOut(
            name=r.name,
            passed=r.passed,
            outcome=r.outcome,
            amount=str(r.amount) if r.amount is not None else None,
            failed_conditions=r.failed_conditions,
            problems=r.problems,
        )
        for r in results
    ]
    return TestRunOut(
        passed=sum(r.passed for r in out), failed=sum(not r.passed for r in out), results=out
    )


class PublishIn(Schema):
    effective_from: dt.date


@router.post(
    "/rules/{code}/publish",
    response=VersionOut,
    auth=BearerAuth(),
    summary="发布草稿（测试用例须全部通过；生效日期不早于今天）",
)
def publish(request: HttpRequest, code: str, body: PublishIn) -> VersionOut:
    v = services.publish(
        principal=principal_for_request(request), code=code, effective_from=body.effective_from
    )
    return _version(v)


class DecisionOut(Schema):
    id: str
    outcome: str
    rule_set: str
    rule_set_name: str
    version: int
    reason: str
    amount: str | None
    amount_unit: str
    explanation: list[str]
    conditions: list[dict[str, Any]]
    decided_at: str
    facts: dict[str, Any]


@router.get(
    "/rules/decisions/{decision_id}",
    response=DecisionOut,
    auth=BearerAuth(),
    summary="规则决定（本人、所属部门工作人员或政策管理员）",
)
def decision_detail(request: HttpRequest, decision_id: str) -> DecisionOut:
    d = facade.decision_for(principal_for_request(request), decision_id)
    return DecisionOut(**d.as_api(), facts=d.facts)
