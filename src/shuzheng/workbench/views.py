"""The staff workbench: queues, the case desk (one small form per allowed action), 差评整改 and
the supervisors' metrics. Staff only; everything goes through the facades of cases, ratings,
catalog and identity, whose services check each right again."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.cases import facade as cases
from shuzheng.catalog import facade as catalog
from shuzheng.core import calendar
from shuzheng.core.errors import DomainError, NotFound, ValidationFailed
from shuzheng.files import facade as files
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import (
    ROLE_NAMES,
    departments,
    mask_id_number,
    mask_phone,
    principal_for_request,
)
from shuzheng.ratings import facade as ratings

PAGE_SIZE = 20
CHECKABLE = ("submitted", "in_progress", "suspended", "correction")  # 预审 while undecided
DELIVERY = [("electronic", _("电子送达")), ("mail", _("邮寄送达")), ("window", _("窗口领取"))]
SUPERVISOR_ROLES = ("department_head", "platform_admin")


# --- the forms of the case desk ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # the service's parameter (note, items, days, delivery, assignee)
    kind: str  # text | textarea | number | radio | targets (what a 补正 may ask for)
    label: Promise
    required: bool = False
    hint: Promise | str = ""
    options: tuple[tuple[str, Promise], ...] = ()


@dataclass(frozen=True)
class ActionForm:
    """The inputs of an action at the case desk; its name is the transition table's."""

    action: str
    fields: tuple[Field, ...] = ()
    primary: bool = False
    hint: Promise | str = ""

    @property
    def label(self) -> Promise | str:
        return cases.action_label(self.action, staff=True)


NOTE_OPTIONAL = Field("note", "textarea", _("意见（可不填）"))
ACTIONS: dict[str, ActionForm] = {
    "accept": ActionForm(
        "accept", (NOTE_OPTIONAL,), primary=True, hint=_("受理后开始按工作日计算承诺办结时限。")
    ),
    "refuse": ActionForm("refuse", (Field("note", "textarea", _("不予受理理由"), True),)),
    "request_correction": ActionForm(
        "request_correction",
        (
            Field(
                "items",
                "targets",  # a checkbox per material and form field, each with its reason
                _("需要补正的材料或内容"),
                True,
                _(
                    "勾选申请人需要重新上传的材料和需要修改的申请表内容，可逐项写明原因。"
                    "须一次性列明全部补正内容，之后不能再次要求补正。"
                ),
            ),
            Field("note", "textarea", _("补充说明（可不填）")),
        ),
    ),
    "assign": ActionForm(
        "assign",
        (
            Field(
                "assignee",
                "select",  # the department's colleagues with a handling role (cases.assignees)
                _("承办人"),
                True,
                _("从本部门的窗口受理人员、审批人员和负责人中选择。"),
            ),
        ),
    ),
    "suspend": ActionForm(
        "suspend",
        (Field("note", "textarea", _("特别程序种类和理由（如专家评审、听证）"), True),),
    ),
    "resume": ActionForm("resume", (NOTE_OPTIONAL,)),
    "extend": ActionForm(
        "extend",
        (
            Field("days", "number", _("延长工作日数"), True, _("1 到 30 个工作日，只能延期一次。")),
            Field("note", "textarea", _("延期理由"), True),
        ),
    ),
    "approve": ActionForm("approve", (NOTE_OPTIONAL,), primary=True),
    "deny": ActionForm("deny", (Field("note", "textarea", _("不予许可理由"), True),)),
    "close": ActionForm(
        "close",
        (Field("delivery", "radio", _("送达方式"), True, options=tuple(DELIVERY)),),
        primary=True,
    ),
    "resubmit": ActionForm(
        "resubmit",
        (Field("note", "textarea", _("收取补正材料情况"), True),),
        hint=_("申请人到窗口提交了补正材料时使用；网上补正由申请人在“我的办件”中提交。"),
    ),
    "submit": ActionForm("submit", (NOTE_OPTIONAL,)),
    # 邮寄送达: the posted result's carrier and tracking number (the applicant sees them)
    "record_mailing": ActionForm(
        "record_mailing",
        (
            Field("carrier", "text", _("快递公司"), True, _("例如：中国邮政 EMS")),
            Field("tracking_no", "text", _("快递单号"), True),
        ),
    ),
}


# --- who may use the workbench ------------------------------------------------------------------


def _staff(request: HttpRequest) -> Principal:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise PermissionDenied(_t("仅工作人员可以使用工作台。"))
    return principal


def _is_supervisor(principal: Principal) -> bool:
    depts = principal.supervised_departments()
    return depts is None or bool(depts)


def _department_names() -> dict[str, str]:
    return {d.code: d.name for d in departments()}


def _shell(principal: Principal, active: str) -> dict[str, Any]:
    return {"principal": principal, "active": active, "is_supervisor": _is_supervisor(principal)}


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _late(due: dt.date | None, status: str, today: dt.date) -> bool:
    return due is not None and status == "in_progress" and due < today


# --- home: queues -------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    names = _department_names()
    roles = [(str(ROLE_NAMES.get(r, r)), names.get(d, d)) for r, d in principal.staff_roles]
    counts = cases.queue_counts(principal)
    queue = request.GET.get("queue", "")
    queue = queue if queue in cases.QUEUES else "pending"
    department = request.GET.get("department", "")
    department = department if department in principal.departments else ""
    q = request.GET.get("q", "").strip()[:40]
    if q and cases.personal_query(q) is not None:
        # a person's number typed into a link or an old bookmark: kept out of the address bar
        return _redirect_to_search(request, q, queue, department)
    q = q or _searched_for(request)
    page = _page(request)
    # a 身份证号 or mobile number finds the person's cases in every queue of the departments
    # the clerk handles (audited as a search of personal data); anything else filters a queue
    personal = cases.personal_query(q) if q else None
    if personal is not None:
        kind, value = personal
        rows, total = cases.case_search_person(
            principal,
            kind=kind,
            value=value,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        searched = (
            _t("身份证号 %(v)s") % {"v": mask_id_number(value)}
            if kind == "id_number"
            else _t("手机号 %(v)s") % {"v": mask_phone(value)}
        )
    else:
        searched = ""
        rows, total = cases.case_list(
            principal,
            queue=queue,
            department=department or None,
            q=q,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    today = timezone.localdate()
    return render(
        request,
        "workbench/home.html",
        {
            **_shell(principal, "queues"),
            "roles": roles,
            "queues": [(key, cases.queue_name(key), counts.get(key)) for key in cases.QUEUES],
            "queue": queue,
            "queue_name": cases.queue_name(queue),
            "departments": [(d, names.get(d, d)) for d in principal.departments],
            "department": department,
            "q": "" if personal else q,  # a person's number is not echoed back in full
            "find": request.GET.get("find", "") if personal else "",
            "q_link": "" if personal else q,
            "searched": searched,
            "rows": [
                {
                    "case": c,
                    "department_name": names.get(c.department_code, c.department_code),
                    "late": _late(c.due_date, c.status, today),
                }
                for c in rows
            ],
            "total": total,
            "page": page,
            "has_prev": page > 1,
            "has_next": page * PAGE_SIZE < total,
        },
    )


_SEARCHES = "workbench_searches"  # session key: {key: query} of the clerk's recent searches


@login_required
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    """The queue filter's search box posts here, so a 身份证号 or phone number typed into it never
    appears in an address: not in the browser's history, the proxy's access log or a Referer.
    A person's number is kept in the clerk's session under a random key, and the list is shown
    at ``?find=<key>``; any other text (办件编号, 事项) goes on as ``?q=``."""
    _staff(request)
    q = request.POST.get("q", "").strip()[:40]
    queue = request.POST.get("queue", "")
    department = request.POST.get("department", "")
    return _redirect_to_search(request, q, queue, department)


def _redirect_to_search(request: HttpRequest, q: str, queue: str, department: str) -> HttpResponse:
    params = {"queue": queue if queue in cases.QUEUES else "pending", "department": department}
    if q and cases.personal_query(q) is not None:
        key = secrets.token_urlsafe(9)
        recent = dict(list(request.session.get(_SEARCHES, {}).items())[-9:])  # the last ten
        recent[key] = q
        request.session[_SEARCHES] = recent
        params["find"] = key
    elif q:
        params["q"] = q
    return HttpResponseRedirect(f"{reverse('workbench:home')}?{urlencode(params)}", status=303)


def _searched_for(request: HttpRequest) -> str:
    """The query behind ``?find=``; empty when the key is not one of this session's searches."""
    key = request.GET.get("find", "")
    return str(request.session.get(_SEARCHES, {}).get(key, "")) if key else ""


# --- the case desk ------------------------------------------------------------------------------


def _form_rows(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, value) of the application form, titled by the item version it was filed under."""
    props: dict[str, Any] = {}
    code, version = detail.get("item_code"), detail.get("item_version")
    if code:
        try:
            props = catalog.item_version(code, version or 1).form_schema.get("properties", {})
        except NotFound:
            props = {}
    rows = []
    for name, value in detail["form"].items():
        title = str(props.get(name, {}).get("title", name))
        if isinstance(value, bool):
            value = _t("是") if value else _t("否")
        rows.append((title, str(value)))
    return rows


def _material_names(detail: dict[str, Any]) -> dict[str, str]:
    code, version = detail.get("item_code"), detail.get("item_version")
    if not code:
        return {}
    try:
        return {m.code: m.name for m in catalog.item_version(code, version or 1).materials}
    except NotFound:
        return {}


def _when(value: Any) -> dt.datetime | None:
    """An ISO timestamp kept in a case's JSON (e.g. when an e-licence was called), or None."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


PREVIEWS = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}


def material_rows(detail: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The case's materials for the desk: each uploaded file with its preview (an image shown,
    a PDF in a frame), both served by ``material_file``; an e-licence used instead (免证办)
    with when it was called."""
    stored = files.describe([str(m["file_id"]) for m in detail["materials"] if m.get("file_id")])
    rows = []
    for m in detail["materials"]:
        info = stored.get(str(m.get("file_id") or ""))
        rows.append(
            {
                **m,
                "material_name": names.get(str(m.get("material_code")), ""),
                "used_at": _when(m.get("used_at")),
                "file": info,
                "preview": PREVIEWS.get(info.content_type, "") if info else "",
                "url": reverse("workbench:material", args=[detail["case_no"], info.file_id])
                if info
                else "",
            }
        )
    return rows


@dataclass
class ActionError:
    action: str = ""
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)  # the 补正 targets ticked


def _target_rows(
    targets: list[cases.CorrectionTarget],
    action: str,
    error: ActionError,
    checks: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The checkboxes of a 补正 request: each material and form field, with its reason. Until
    the clerk has sent the form, the materials the 预审 found 不合格 are ticked, with its note
    as their reason (the request is built from the checklist)."""
    mine = error.action == action
    bad = {k: c.get("note", "") for k, c in checks.items() if c.get("verdict") == "bad"}
    return [
        {
            "kind": t.kind,
            "key": t.key,
            "name": t.name,
            "id": f"a-{action}-t{i}",
            "checked": t.key in error.checked if mine else (t.kind == "material" and t.key in bad),
            "reason": error.values.get(f"reason-{t.key}", "")
            if mine
            else (bad.get(t.key, "") if t.kind == "material" else ""),
        }
        for i, t in enumerate(targets)
    ]


def _assignee_options(principal: Principal, case_no: str) -> tuple[tuple[str, str], ...]:
    """(account, "name（roles）") of each colleague a case may be assigned to."""
    options = []
    for s in cases.assignees(principal, case_no):
        roles = "、".join(str(ROLE_NAMES.get(r, r)) for r in s.roles)
        options.append((s.username, f"{s.name}（{roles}）"))
    return tuple(options)


CHECK_VERDICTS = (("ok", _("合格")), ("bad", _("不合格")))


def _check_rows(
    materials: list[dict[str, Any]],
    checks: dict[str, dict[str, Any]],
    error: ActionError,
) -> list[dict[str, Any]]:
    """The 预审 checklist: one row per material code of the case (its files listed in the
    materials above), with the saved verdict and note, or the values just sent when they
    failed."""
    mine = error.action == "checks"
    rows: list[dict[str, Any]] = []
    for m in materials:
        key = str(m.get("material_code") or "")
        if not key or any(r["key"] == key for r in rows):
            continue
        saved = checks.get(key, {})
        rows.append(
            {
                "key": key,
                "i": len(rows),
                "name": m.get("material_name") or key,
                "verdict": error.values.get(f"verdict-{key}", "")
                if mine
                else saved.get("verdict", ""),
                "note": error.values.get(f"note-{key}", "") if mine else saved.get("note", ""),
                "error": error.fields.get(f"checks.{key}", "") if mine else "",
                "by": saved.get("by", ""),
                "at": _when(saved.get("at")),
            }
        )
    return rows


def _render_case(
    request: HttpRequest,
    principal: Principal,
    detail: dict[str, Any],
    *,
    error: ActionError | None = None,
    status: int = 200,
) -> HttpResponse:
    error = error or ActionError()
    names = _department_names()
    today = timezone.localdate()
    due = detail["due_date"]
    due_date = dt.date.fromisoformat(due) if due else None
    materials = _material_names(detail)
    checks = cases.material_checks(principal, detail["case_no"])
    material_list = material_rows(detail, materials)
    colleagues = _assignee_options(principal, detail["case_no"])
    forms = []
    for action in detail["allowed_actions"]:
        spec = ACTIONS.get(action)
        if spec is None:
            continue
        forms.append(
            {
                "action": action,
                "spec": spec,
                "fields": [
                    {
                        "spec": f,
                        "id": f"a-{action}-{f.name}",
                        "value": error.values.get(f.name, "") if error.action == action else "",
                        "error": error.fields.get(f.name, "") if error.action == action else "",
                        "options": _target_rows(
                            cases.correction_options(detail), action, error, checks
                        )
                        if f.kind == "targets"
                        else colleagues
                        if f.kind == "select"
                        else [],
                    }
                    for f in spec.fields
                ],
                "failed": error.action == action,
            }
        )
    return render(
        request,
        "workbench/case.html",
        {
            **_shell(principal, "queues"),
            "case": detail,
            "department_name": names.get(detail["department"], detail["department"]),
            "due_date": due_date,
            "late": _late(due_date, detail["status"], today),
            "form_rows": _form_rows(detail),
            "materials": material_list,
            # 预审: while the case is open (not yet decided), by its handling staff
            "checks": _check_rows(material_list, checks, error),
            "can_check": detail["status"] in CHECKABLE,
            "check_verdicts": CHECK_VERDICTS,
            "assignee_name": dict(colleagues).get(detail["assignee"], detail["assignee"]),
            "can_issue_licence": "issue_license" in detail["allowed_actions"],
            # 办结 held back by a module above (payments: the fee is unpaid): say why
            "close_held": cases.close_held(principal, detail["case_no"])
            if detail["status"] == "approved" and "close" not in detail["allowed_actions"]
            else "",
            "notices": cases.notice_links(detail),  # 受理通知书 … (sealed PDFs)
            "timeline": [
                {
                    **e,
                    "at": dt.datetime.fromisoformat(e["at"]),
                    "label": e["action_name"],
                    "who": e["actor"].removeprefix("user:"),
                    # only the 补正 list is shown: the rest of an event's data is internal
                    "items": e["data"].get("items", []),
                }
                for e in detail["timeline"]
            ],
            "forms": forms,
            "error": error,
        },
        status=status,
    )


def _action_kwargs(action: str, post: Any) -> dict[str, Any]:
    """The service's parameters for one action, from its form."""
    kwargs: dict[str, Any] = {"note": post.get("note", "").strip()[:2000]}
    if action == "request_correction":
        # each ticked material or field (by code or name), with its reason: "M2：缺少签字页"
        kwargs["items"] = [
            f"{key}：{reason}" if (reason := post.get(f"reason-{key}", "").strip()[:200]) else key
            for key in post.getlist("target")
        ]
    elif action == "assign":
        kwargs["assignee"] = post.get("assignee", "").strip()
    elif action == "extend":
        days = post.get("days", "").strip()
        kwargs["days"] = int(days) if days.isdigit() else None
    elif action == "close":
        kwargs["delivery"] = post.get("delivery") or None
    elif action == "record_mailing":
        kwargs["carrier"] = post.get("carrier", "").strip()[:40]
        kwargs["tracking_no"] = post.get("tracking_no", "").strip()[:40]
    return kwargs


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, case_no: str) -> HttpResponse:
    principal = _staff(request)
    try:
        detail = cases.case_detail(principal, case_no)
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    if request.method == "GET":
        return _render_case(request, principal, detail)
    action = request.POST.get("action", "")
    try:
        cases.case_act(
            principal=principal,
            case_no=case_no,
            action=action,
            **_action_kwargs(action, request.POST),
        )
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    except DomainError as exc:
        error = ActionError(
            action=action,
            message=exc.message,
            values={
                k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
            },
        )
        error.checked = request.POST.getlist("target")
        if isinstance(exc, ValidationFailed):
            for e in exc.errors:  # "items.2" is about the items field
                error.fields.setdefault(e.field.split(".", 1)[0], e.message)
        return _render_case(request, principal, detail, error=error, status=exc.status)
    spec = ACTIONS.get(action)
    messages.success(
        request,
        _t("已完成：%(action)s") % {"action": spec.label if spec else action},
    )
    return HttpResponseRedirect(reverse("workbench:case", args=[case_no]))


@login_required
@require_POST
def material_checks(request: HttpRequest, case_no: str) -> HttpResponse:
    """Save the 预审 checklist: per material 合格/不合格 and a note (``verdict-<code>``,
    ``note-<code>``); audited with the case's timeline (``cases.material_checks_save``)."""
    principal = _staff(request)
    try:
        detail = cases.case_detail(principal, case_no)
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    keys = {k.removeprefix("verdict-") for k in request.POST if k.startswith("verdict-")} | {
        str(m.get("material_code")) for m in detail["materials"] if m.get("material_code")
    }
    checks = {
        key: (
            request.POST.get(f"verdict-{key}", ""),
            request.POST.get(f"note-{key}", "")[:200],
        )
        for key in keys
    }
    try:
        cases.material_checks_save(principal=principal, case_no=case_no, checks=checks)
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    except DomainError as exc:
        error = ActionError(
            action="checks",
            message=exc.message,
            values={
                k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
            },
        )
        for e in exc.errors:
            error.fields.setdefault(e.field, e.message)
        return _render_case(request, principal, detail, error=error, status=exc.status)
    bad = sum(1 for verdict, _note in checks.values() if verdict == "bad")
    messages.success(
        request,
        _t("预审已保存：%(n)s 份材料不合格，已在“一次性告知补正”中勾选。") % {"n": bad}
        if bad
        else _t("预审已保存：材料均合格。"),
    )
    return HttpResponseRedirect(reverse("workbench:case", args=[case_no]) + "#h-materials")


@login_required
@require_GET
def material_file(request: HttpRequest, case_no: str, file_id: str) -> HttpResponseBase:
    """One material of a case, shown inline (the desk's image and PDF previews): for the
    handling roles of the case's department only (``cases.facade.material_file``: 404 for
    anyone else), every view audited."""
    principal = _staff(request)
    try:
        info, handle = cases.material_file(principal, case_no, file_id)
    except NotFound:
        raise Http404(_t("未找到该材料。")) from None
    return files.inline_response(info, handle, embeddable=True)


# --- issuing a result licence left pending ------------------------------------------------------

INPUT_TYPES = {"date": "date"}


def _license_fields(
    pending: cases.PendingLicense, values: dict[str, str], errors: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "field": f,
            "id": f"ld-{f.name}",
            "input_type": INPUT_TYPES.get(f.type, "text"),
            "value": values.get(f.name, ""),
            "error": errors.get(f.name, ""),
        }
        for f in pending.missing
    ]


@login_required
@require_http_methods(["GET", "POST"])
def license_issue(request: HttpRequest, case_no: str) -> HttpResponse:
    """A result licence the case could not fill (``license_pending``): a reviewer of the case's
    department sees the data items the case gives, fills in the missing ones and issues it
    (``case_act`` ``issue_license``: checked against the licence type's schema, signed,
    audited with the case in one transaction; the applicant finds it in the wallet)."""
    principal = _staff(request)
    try:
        detail = cases.case_detail(principal, case_no)
        pending = cases.pending_license(principal, case_no)
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None
    if pending is None:
        messages.info(request, _("该办件没有待签发的证照。"))
        return HttpResponseRedirect(reverse("workbench:case", args=[case_no]))
    if "issue_license" not in detail["allowed_actions"]:
        raise PermissionDenied(_("只有本部门的审批人员可以补全信息并签发证照。"))
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        values = {f.name: request.POST.get(f.name, "").strip()[:500] for f in pending.missing}
        try:
            done = cases.case_act(
                principal=principal,
                case_no=case_no,
                action="issue_license",
                license_data=values,
            )
        except NotFound:
            raise Http404(_t("未找到该办件。")) from None
        except DomainError as exc:
            status = exc.status
            for e in exc.errors:
                name = e.field.removeprefix("license_data.")
                if e.field.startswith("license_data.") and name in values:
                    errors.setdefault(name, e.message)
                else:
                    general.append(e.message)
            if not exc.errors:
                general.append(exc.message)
        else:
            messages.success(
                request,
                _("电子证照已签发：%(name)s %(no)s")
                % {"name": pending.license_type, "no": done["result"].get("license_no", "")},
            )
            return HttpResponseRedirect(reverse("workbench:case", args=[case_no]))
    fields = _license_fields(pending, values, errors)
    summary = [(row["id"], row["error"]) for row in fields if row["error"]]
    return render(
        request,
        "workbench/licence.html",
        {
            **_shell(principal, "queues"),
            "case": detail,
            "pending": pending,
            "known": [f for f in pending.fields if not f.missing],
            "fields": fields,
            "general": general,
            "summary": summary,
        },
        status=status,
    )


# --- 差评整改 -----------------------------------------------------------------------------------


def _render_rectifications(
    request: HttpRequest,
    principal: Principal,
    *,
    error: ActionError | None = None,
    error_task: int | None = None,
    status: int = 200,
) -> HttpResponse:
    names = _department_names()
    tasks = ratings.rectifications(principal)
    today = timezone.localdate()
    return render(
        request,
        "workbench/rectifications.html",
        {
            **_shell(principal, "rectifications"),
            "tasks": [
                {
                    "task": t,
                    "department_name": names.get(t.department_code, t.department_code),
                    "late": t.status == "open" and t.due_date < today,
                    "error": error if error_task == t.id else None,
                }
                for t in tasks
            ],
            "error": error,
        },
        status=status,
    )


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    return _render_rectifications(request, principal)


def _rectification_act(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    principal = _staff(request)
    try:
        if action == "reply":
            ratings.rectification_reply(
                principal=principal, task_id=task_id, reply=request.POST.get("reply", "")
            )
        else:
            ratings.rectification_callback(
                principal=principal,
                task_id=task_id,
                note=request.POST.get("note", ""),
                satisfied=request.POST.get("satisfied") == "yes",
            )
    except NotFound:
        raise Http404(_t("未找到该整改任务。")) from None
    except DomainError as exc:
        error = ActionError(
            action=action,
            message=exc.message,
            values={
                k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
            },
        )
        if isinstance(exc, ValidationFailed):
            error.fields = {e.field: e.message for e in exc.errors}
        return _render_rectifications(
            request, principal, error=error, error_task=task_id, status=exc.status
        )
    messages.success(
        request, _t("整改情况已答复。") if action == "reply" else _t("回访已记录，整改办结。")
    )
    return HttpResponseRedirect(reverse("workbench:rectifications"))


@login_required
@require_POST
def rectification_reply(request: HttpRequest, task_id: int) -> HttpResponse:
    return _rectification_act(request, task_id, "reply")


@login_required
@require_POST
def rectification_callback(request: HttpRequest, task_id: int) -> HttpResponse:
    return _rectification_act(request, task_id, "callback")


# --- metrics ------------------------------------------------------------------------------------


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    """网办率, 即办率, 按时办结率, 超期件数, 平均工作日, 好评率 per department and item, and the
    overdue cases — for department heads (their departments) and platform administrators."""
    principal = _staff(request)
    scope = principal.supervised_departments()
    if scope is not None and not scope:
        raise PermissionDenied(_t("运行指标仅向部门负责人和平台管理员开放。"))
    names = _department_names()
    good = {str(r["department_code"]): r for r in ratings.stats()}
    groups: dict[str, dict[str, Any]] = {}
    for r in cases.metrics_rows():
        dept = str(r["department_code"])
        if scope is not None and dept not in scope:
            continue
        g = groups.setdefault(
            dept,
            {
                "code": dept,
                "name": names.get(dept, dept),
                "good_rate": _pct(good.get(dept, {}).get("good_rate")),
                "ratings": good.get(dept, {}).get("total", 0),
                "rows": [],
            },
        )
        g["rows"].append(
            {
                "item_name": r["item_name"],
                "item_code": r["item_code"],
                "total": r["total"],
                "online_rate": _pct(r["online_rate"]),
                "instant_rate": _pct(r["instant_rate"]),
                "on_time_rate": _pct(r["on_time_rate"]),
                "overdue": r["overdue"],
                "avg_working_days": "—" if r["avg_working_days"] is None else r["avg_working_days"],
            }
        )
    overdue = [c for c in cases.overdue(principal) if scope is None or c.department_code in scope]
    today = timezone.localdate()
    return render(
        request,
        "workbench/metrics.html",
        {
            **_shell(principal, "metrics"),
            "groups": list(groups.values()),
            "overdue": [
                {
                    "case": c,
                    "department_name": names.get(c.department_code, c.department_code),
                    "days_late": calendar.working_days_between(c.due_date, today)
                    if c.due_date
                    else 0,
                }
                for c in overdue
            ],
        },
    )
