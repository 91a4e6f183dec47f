"""Pages of the rules module: public rule sets, the policy officer's editor, decisions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shuzheng.core.errors import DomainError, Forbidden, NotFound, Unauthenticated
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.rules import facade, facts, readable, selectors, services
from shuzheng.rules.models import RuleVersion, SubjectKind


def _login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse('identity:login')}?next={request.path}")


def _editor(request: HttpRequest) -> Principal:
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not selectors.is_editor(principal):
        raise PermissionDenied("仅政策管理员可以编辑规则。")
    return principal


def _reader(request: HttpRequest) -> HttpResponse | None:
    """Rule sets are internals of 秒批 and 免申即享 (their facts, thresholds, tests): staff
    read them (issue 17, defect 10). Anonymous visitors are sent to log in, citizens get 403
    — a citizen reads the outcome of a decision about them at ``decisions/<id>/`` and a
    policy's published text at ``/policies/``. None: the caller may read."""
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        return _login(request)
    if principal.kind != "staff":
        raise PermissionDenied("决策规则仅向工作人员开放；政策内容请查看“免申即享”。")
    return None


def rule_set_list(request: HttpRequest) -> HttpResponse:
    if (denied := _reader(request)) is not None:
        return denied
    today = timezone.localdate()
    rows = [(rs, selectors.version_in_force(rs, today)) for rs in selectors.rule_sets()]
    return render(
        request,
        "rules/list.html",
        {
            "rows": rows,
            "kind_names": facts.KIND_NAMES,
            "is_editor": selectors.is_editor(principal_for_request(request)),
        },
    )


def _detail_context(request: HttpRequest, code: str, version: int | None) -> dict[str, Any]:
    principal = principal_for_request(request)
    try:
        rs = selectors.rule_set_get(code)
        versions = selectors.versions(principal, rs)
        v: RuleVersion | None
        if version is not None:
            v = selectors.version_get(principal, code, version)
        else:
            v = selectors.version_in_force(rs, timezone.localdate()) or (
                versions[0] if versions else None
            )
    except NotFound:
        raise Http404("未找到该规则集") from None
    if v is None:
        raise Http404("该规则集没有可显示的版本")
    return {
        "rs": rs,
        "v": v,
        "view": readable.readable(v.document, rs),
        "versions": versions,
        "kind_name": facts.KIND_NAMES.get(rs.subject_kind, ""),
        "is_editor": selectors.is_editor(principal),
        "draft": selectors.draft(rs) if selectors.is_editor(principal) else None,
        "today": timezone.localdate().isoformat(),
        "document_json": json.dumps(v.document, ensure_ascii=False, indent=2),
    }


def rule_set_detail(request: HttpRequest, code: str) -> HttpResponse:
    if (denied := _reader(request)) is not None:
        return denied
    raw = request.GET.get("version", "")
    version = int(raw) if raw.isdigit() else None
    return render(request, "rules/detail.html", _detail_context(request, code, version))


@require_POST
def rule_set_test(request: HttpRequest, code: str) -> HttpResponse:
    try:
        principal = _editor(request)
    except Unauthenticated:
        return _login(request)
    try:
        results = services.draft_run_tests(principal=principal, code=code)
    except NotFound:
        raise Http404("未找到该规则集") from None
    ctx = _detail_context(request, code, None)
    ctx["results"] = results
    ctx["results_passed"] = sum(r.passed for r in results)
    return render(request, "rules/detail.html", ctx)


@require_POST
def rule_set_publish(request: HttpRequest, code: str) -> HttpResponse:
    try:
        principal = _editor(request)
    except Unauthenticated:
        return _login(request)
    raw = request.POST.get("effective_from", "")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, "请填写生效日期（YYYY-MM-DD）。")
        return HttpResponseRedirect(reverse("rules:detail", args=[code]))
    try:
        v = services.publish(principal=principal, code=code, effective_from=day)
    except NotFound:
        raise Http404("未找到该规则集") from None
    except DomainError as exc:
        messages.error(request, exc.message)
        for e in exc.errors:
            messages.error(request, e.message)
        return HttpResponseRedirect(reverse("rules:detail", args=[code]))
    messages.success(request, f"已发布 v{v.version}，{v.effective_from} 起生效。")
    return HttpResponseRedirect(reverse("rules:detail", args=[code]))


def _locate(text: str, problem: str) -> int | None:
    """The line of the textarea where an expression quoted in ``problem`` appears."""
    marker = "（表达式："
    if marker not in problem:
        return None
    expr = problem.rsplit(marker, 1)[1].rstrip("）")
    needle = json.dumps(expr, ensure_ascii=False)
    idx = text.find(needle)
    return text.count("\n", 0, idx) + 1 if idx >= 0 else None


def _parse_json(text: str, label: str, errors: list[str]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(f"{label}：第 {exc.lineno} 行第 {exc.colno} 列：JSON 格式错误（{exc.msg}）")
        return None


@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        principal = _editor(request)
    except Unauthenticated:
        return _login(request)
    try:
        rs = selectors.rule_set_get(code)
    except NotFound:
        raise Http404("未找到该规则集") from None
    base = selectors.draft(rs) or selectors.latest_published(rs)
    errors: list[tuple[str, int | None]] = []
    status = 200
    if request.method == "POST":
        doc_text = request.POST.get("document", "")
        tests_text = request.POST.get("tests", "")
        note = request.POST.get("note", "")[:500]
        parse_errors: list[str] = []
        document = _parse_json(doc_text, "决策图", parse_errors)
        tests = _parse_json(tests_text, "测试用例", parse_errors)
        if parse_errors:
            errors = [(e, None) for e in parse_errors]
        else:
            try:
                v = services.draft_save(
                    principal=principal, code=code, document=document, tests=tests, note=note
                )
            except DomainError as exc:
                errors = [
                    (e.message, _locate(doc_text, e.message) if e.field == "document" else None)
                    for e in exc.errors
                ] or [(exc.message, None)]
            else:
                messages.success(request, f"草稿 v{v.version} 已保存，校验通过。")
                return HttpResponseRedirect(
                    reverse("rules:detail", args=[code]) + "?version=" + str(v.version)
                )
        status = 422
    else:
        doc_text = json.dumps(base.document if base else {}, ensure_ascii=False, indent=2)
        tests_text = json.dumps(base.tests if base else [], ensure_ascii=False, indent=2)
        note = ""
    return render(
        request,
        "rules/edit.html",
        {
            "rs": rs,
            "base": base,
            "doc_text": doc_text,
            "tests_text": tests_text,
            "note": note,
            "errors": errors,
            "facts": [f for f in facts.FACTS if rs.subject_kind in f.kinds],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rule_set_new(request: HttpRequest) -> HttpResponse:
    try:
        principal = _editor(request)
    except Unauthenticated:
        return _login(request)
    values = {
        k: request.POST.get(k, "").strip()
        for k in (
            "code",
            "name",
            "subject_kind",
            "item_code",
            "department_code",
            "benefit",
            "amount_unit",
            "description",
        )
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            services.rule_set_create(principal=principal, **values)
        except DomainError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"code": exc.message}
            status = 422
        else:
            messages.success(request, "规则集已创建，请编辑草稿并发布。")
            return HttpResponseRedirect(reverse("rules:edit", args=[values["code"]]))
    return render(
        request,
        "rules/new.html",
        {"values": values, "errors": errors, "kinds": SubjectKind.choices},
        status=status,
    )


def decision_detail(request: HttpRequest, decision_id: str) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        d = facade.decision_for(principal, decision_id)
    except Unauthenticated:
        return _login(request)
    except (NotFound, Forbidden):
        raise Http404("未找到该决定") from None
    shown = [(facts.label(n), facts.display(n, v)) for n, v in d.facts.items()]
    return render(request, "rules/decision.html", {"d": d, "facts_shown": shown})
