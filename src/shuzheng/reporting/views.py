"""Pages: the cadre's phone-first filling page (what is left to type first, prefilled values
with their source in words, drafts, Chinese messages per field, no JavaScript needed), the
镇街's review page (its villages' progress, 退回 with a reason, 通过, the sums computed, who has
not reported), the issuing department's summary by level with an Excel export, the public
统一报表清单. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from shuzheng.core.errors import DomainError, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.facade import principal_for_request
from shuzheng.notify import facade as notify
from shuzheng.reporting import schema, selectors, services
from shuzheng.reporting import transitions as tr
from shuzheng.reporting.models import DictEntry, ReportDefinition, Unit

DONE_WORDS = {
    "draft": gettext_noop("草稿已保存，可稍后继续填写。"),
    "submit": gettext_noop("已提交，等待镇街审核。"),
    "return": gettext_noop("已退回，填报单位将收到退回理由。"),
    "approve": gettext_noop("已审核通过，数据已计入汇总。"),
    "summarise": gettext_noop("已汇总下级数据。"),
    "report": gettext_noop("已上报上级。"),
}


def _staff(request: HttpRequest) -> Any:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise Http404(_t("未找到。"))
    return principal


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    tasks = list(
        selectors.tasks(principal).order_by("deadline", "unit__code", "definition__code")[:300]
    )
    mine = [t for t in tasks if "filler" in selectors.roles_on(principal, t)]
    review = [
        t
        for t in tasks
        if {"reviewer", "summariser"} & selectors.roles_on(principal, t)
        and (t.state == tr.SUBMITTED or t.unit.level != Unit.Level.VILLAGE)
    ]
    open_states = (tr.ISSUED, tr.FILLING, tr.RETURNED)
    mine.sort(key=lambda t: (t.state not in open_states, t.deadline))
    rows = [
        {
            "task": t,
            "state": tr.state_label(t.state),
            "open": t.state in (tr.ISSUED, tr.FILLING, tr.RETURNED),
        }
        for t in mine
    ]
    issued = [
        {"definition": d, "period": selectors.latest_period(d)}
        for d in selectors.definitions_for(principal)
    ]
    # the units' own messages (催报, 退回): shown here, and read once shown
    boxes = selectors.unit_inboxes(principal)
    messages = notify.inbox(recipient_kind="department", recipient_ids=boxes, limit=10)
    notify.mark_read(
        recipient_ids=boxes,
        message_ids=[m.id for m in messages if not m.read],
        actor=principal.actor,
    )
    return render(
        request,
        "reporting/home.html",
        {
            "unit_messages": messages,
            "rows": rows,
            "review": [{"task": t, "state": tr.state_label(t.state)} for t in review],
            "issued": issued,
            "metrics": selectors.metrics(principal) if (issued or review) else None,
        },
    )


def _task_page(
    request: HttpRequest,
    principal: Any,
    task_id: int,
    *,
    posted: dict[str, Any] | None = None,
    error: DomainError | None = None,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    try:
        task = selectors.task(principal, task_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    errors = {e.field: e.message for e in error.errors} if error is not None else {}
    view = selectors.task_view(principal, task, posted=posted, errors=errors)
    roles = selectors.roles_on(principal, task)
    children = (
        selectors.children_progress(principal, task)
        if task.unit.level != Unit.Level.VILLAGE
        else []
    )
    ctx = {
        "view": view,
        "task": task,
        "state": tr.state_label(task.state),
        "fillable": "submit" in view.allowed,
        "reviewing": "reviewer" in roles,
        "children": children,
        "missing": [c for c in children if c["missing"]],
        "done": _t(DONE_WORDS.get(request.GET.get("done", ""), ""))
        if request.GET.get("done") in DONE_WORDS
        else "",
        "notice": notice,
        "error": error.message if error is not None else "",
        "errors": errors,
        "table_errors": {
            k: v
            for k, v in errors.items()
            if k.count(".") == 2 or k in {t["name"] for t in view.tables}
        },
        "labels": {a: tr.TASK.label(a) for a in view.allowed},
    }
    return render(request, "reporting/task.html", ctx, status=status)


@login_required
@require_GET
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, _staff(request), task_id)


def _posted(request: HttpRequest, task_id: int, principal: Any) -> dict[str, Any]:
    """The form's values: scalar fields and table cells (empty rows left out)."""
    try:
        spec = selectors.task(principal, task_id).definition.spec
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    out: dict[str, Any] = {}
    for f in schema.fields(spec):
        if f.get("formula"):
            continue
        value = request.POST.get(f["name"], "").strip()
        if value:
            out[f["name"]] = value
    for t in schema.tables(spec):
        rows = []
        for i in range(1, schema.MAX_ROWS + 2):
            cells = {
                c["name"]: request.POST.get(f"{t['name']}.{i}.{c['name']}", "").strip()
                for c in t["columns"]
            }
            if not any(f"{t['name']}.{i}.{c['name']}" in request.POST for c in t["columns"]):
                break
            if any(cells.values()):
                rows.append(cells)
        for n, cells in enumerate(rows, start=1):
            for k, v in cells.items():
                out[f"{t['name']}.{n}.{k}"] = v
    return out


@login_required
@require_POST
def fill(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = _staff(request)
    raw = _posted(request, task_id, principal)
    table = request.POST.get("import", "")
    if table:
        return _import(request, principal, task_id, raw, table)
    submit = request.POST.get("intent") == "submit"
    try:
        services.task_save(principal=principal, task_id=task_id, raw=raw, submit=submit)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ValidationFailed as exc:
        return _task_page(request, principal, task_id, posted=raw, error=exc, status=422)
    except DomainError as exc:
        return _task_page(request, principal, task_id, posted=raw, error=exc, status=409)
    done = "submit" if submit else "draft"
    return redirect(reverse("reporting:task", args=[task_id]) + f"?done={done}")


def _import(
    request: HttpRequest, principal: Any, task_id: int, raw: dict[str, Any], table: str
) -> HttpResponse:
    """Excel import of a long table: the rows replace the table's rows on the page (nothing is
    stored until the cadre saves or submits); a wrong header or a bad cell rejects the file."""
    task = selectors.task(principal, task_id)
    upload = request.FILES.get(f"file-{table}")
    if upload is None:
        error = ValidationFailed.one(table, _t("请选择要导入的 Excel 文件（.xlsx）。"))
        return _task_page(request, principal, task_id, posted=raw, error=error, status=422)
    if upload.size and upload.size > 5 * 1024 * 1024:
        error = ValidationFailed.one(table, _t("文件不能超过 5MB。"))
        return _task_page(request, principal, task_id, posted=raw, error=error, status=422)
    try:
        cells = schema.table_import(task.definition.spec, table, upload.read())
    except ValidationFailed as exc:
        return _task_page(request, principal, task_id, posted=raw, error=exc, status=422)
    kept = {k: v for k, v in raw.items() if not k.startswith(f"{table}.")}
    rows = schema.row_count(task.definition.spec, cells, table)
    return _task_page(
        request,
        principal,
        task_id,
        posted={**kept, **cells},
        notice=_t("已导入 %(n)s 行，请核对后保存或提交。") % {"n": rows},
    )


@login_required
@require_POST
def act(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = _staff(request)
    action = request.POST.get("action", "")[:20]
    try:
        task = services.task_act(
            principal=principal,
            task_id=task_id,
            action=action,
            reason=request.POST.get("reason", ""),
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        return _task_page(request, principal, task_id, error=exc, status=exc.status)
    parent_unit = task.unit.parent_id
    if parent_unit is not None and action in ("return", "approve"):
        parent = (
            selectors.tasks(principal)
            .filter(definition_id=task.definition_id, period=task.period, unit_id=parent_unit)
            .first()
        )
        if parent is not None:
            return redirect(reverse("reporting:task", args=[parent.pk]) + f"?done={action}")
    return redirect(reverse("reporting:task", args=[task_id]) + f"?done={action}")


def _summary_ctx(principal: Any, code: str, period: str) -> dict[str, Any]:
    d = selectors.definitions_for(principal).filter(code=code).first()
    if d is None:
        raise Http404(_t("未找到该报表。"))
    numeric = [f for f in schema.fields(d.spec) if f.get("type", "integer") != "string"]
    return {
        "definition": d,
        "period": period,
        "columns": numeric,
        "rows": selectors.summary(principal, d, period),
    }


@login_required
@require_GET
def summary(request: HttpRequest, code: str, period: str) -> HttpResponse:
    principal = _staff(request)
    ctx = _summary_ctx(principal, code, period)
    if request.GET.get("format") == "xlsx":
        return _xlsx(ctx)
    return render(request, "reporting/summary.html", ctx)


def _xlsx(ctx: dict[str, Any]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _t("分级汇总")
    ws.append(
        [_t("层级"), _t("单位"), _t("所属区县"), _t("已报/应报")]
        + [c["title"] for c in ctx["columns"]]
    )
    for r in ctx["rows"]:
        ws.append(
            [r["level"], r["unit"], r["county"], f"{r['reported']}/{r['units']}", *r["values"]]
        )
    raw = wb.create_sheet(_t("村社区明细"))
    fields = schema.fields(ctx["definition"].spec)
    raw.append([_t("镇街"), _t("村/社区"), _t("状态")] + [f.get("title", "") for f in fields])
    for row in selectors.raw_rows(ctx["definition"], ctx["period"]):
        raw.append(row)
    buf = BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = (
        f'attachment; filename="{ctx["definition"].code}-{ctx["period"]}.xlsx"'
    )
    return resp


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    flagged = []
    principal = principal_for_request(request)
    if selectors.is_gatekeeper(principal):
        flagged = list(ReportDefinition.objects.filter(status=ReportDefinition.Status.FLAGGED))
    return render(
        request, "reporting/register.html", {"rows": selectors.register(), "flagged": flagged}
    )


LEVELS = [("village", _("村/社区")), ("town", _("镇街")), ("county", _("区县"))]
COLUMN_TYPES = {"整数": "integer", "数值": "number", "文本": "string"}
CHECK_OPS = [("<=", _("不能多于")), (">=", _("不能少于")), ("==", _("应等于"))]


def _design_spec(post: Any, chosen: list[DictEntry]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form ``spec`` from the designer's form: the chosen dictionary entries as fields, an
    optional 合计 (a formula over some of them), an optional cross-field check, and an optional
    明细表 with repeating rows (its row count a computed field). Errors by form field."""
    errors: dict[str, str] = {}
    name_of = {e.key: f"f{i}" for i, e in enumerate(chosen, start=1)}
    meaning = {e.key: e.meaning for e in chosen}
    fields: list[dict[str, Any]] = [
        {"name": name_of[e.key], "title": e.meaning, "entry": e.key, "type": "integer", "min": 0}
        for e in chosen
    ]
    spec: dict[str, Any] = {"fields": fields, "tables": [], "checks": []}
    total_title = str(post.get("total_title", "")).strip()[:64]
    total_parts = [k for k in post.getlist("total_entries") if k]
    if total_title or total_parts:
        if not total_title:
            errors["total_title"] = _t("合计字段：请填写名称。")
        elif len(total_parts) < 2 or any(k not in name_of for k in total_parts):
            errors["total_entries"] = _t("合计字段：请从已选的数据项中选择至少两项。")
        else:
            formula = "sum:" + "+".join(name_of[k] for k in total_parts)
            fields.append(
                {"name": "total", "title": total_title, "type": "integer", "formula": formula}
            )
    left, op, right = (str(post.get(k, "")) for k in ("check_left", "check_op", "check_right"))
    if left or right:
        ops = dict(CHECK_OPS)
        if left not in name_of or right not in name_of or left == right or op not in ops:
            errors["check"] = _t("校核规则：请从已选的数据项中选择两个不同的项。")
        else:
            spec["checks"].append(
                {
                    "left": name_of[left],
                    "op": op,
                    "right": name_of[right],
                    "message": f"{meaning[left]}{ops[op]}{meaning[right]}。",
                }
            )
    table_title = str(post.get("table_title", "")).strip()[:32]
    lines = [x.strip() for x in str(post.get("table_columns", "")).splitlines() if x.strip()]
    if table_title or lines:
        columns: list[dict[str, Any]] = []
        for i, line in enumerate(lines, start=1):
            title, _sep, kind = line.replace("：", ":").partition(":")
            kind = kind.strip() or "文本"
            if kind not in COLUMN_TYPES or not title.strip():
                errors["table_columns"] = _t(
                    "明细表的列：第%(i)s行应为“列名”或“列名:整数”“列名:数值”“列名:文本”。"
                ) % {"i": i}
                break
            col: dict[str, Any] = {"name": f"c{i}", "title": title.strip()[:20]}
            col["type"] = COLUMN_TYPES[kind]
            if col["type"] == "string":
                col["max_length"] = 40
            else:
                col["min"] = 0
            columns.append(col)
        try:
            max_rows = int(str(post.get("table_max_rows", "") or 200))
        except ValueError:
            max_rows = 0
        if not table_title:
            errors["table_title"] = _t("明细表：请填写表名。")
        elif not lines:
            errors["table_columns"] = _t("明细表的列：请至少写一列。")
        elif len(lines) > 10:
            errors["table_columns"] = _t("明细表的列：最多10列。")
        if not 1 <= max_rows <= schema.MAX_ROWS:
            errors["table_max_rows"] = _t("明细表最多行数：应为1到%(n)s之间的整数。") % {
                "n": schema.MAX_ROWS
            }
        if not errors:
            spec["tables"].append(
                {"name": "details", "title": table_title, "max_rows": max_rows, "columns": columns}
            )
            fields.append(
                {
                    "name": "details_rows",
                    "title": _t("%(t)s（行数）") % {"t": table_title},
                    "type": "integer",
                    "formula": "rows:details",
                }
            )
    return spec, errors


@login_required
def design(request: HttpRequest) -> HttpResponse:
    """设计报表 (issuing departments): the dictionary entries a report asks for, a 合计, a
    cross-field check, a 明细表 with repeating rows, the levels that report and the deadline; a
    report that mostly repeats one in force is flagged for the 政数局 and cannot be issued until
    admitted."""
    principal = _staff(request)
    mine = selectors.issuer_departments(principal)
    if not mine:
        raise Http404(_t("未找到。"))
    names = identity.department_names()
    entries = list(DictEntry.objects.all())
    ctx: dict[str, Any] = {
        "departments": [(c, names.get(c, "")) for c in mine],
        "frequencies": ReportDefinition.Frequency.choices,
        "levels": LEVELS,
        "ops": CHECK_OPS,
        "entries": entries,
        "posted": {
            "entries": [],
            "levels": ["village", "town", "county"],
            "deadline_day": 10,
            "total_entries": [],
        },
    }
    if request.method != "POST":
        return render(request, "reporting/design.html", ctx)
    post = request.POST
    chosen = [e for e in entries if e.key in post.getlist("entries")]
    owner = post.get("owner", "")
    levels = [v for v, _label in LEVELS if v in post.getlist("levels")]
    ctx["posted"] = {
        "name": post.get("name", "")[:128],
        "owner": owner,
        "frequency": post.get("frequency", ""),
        "entries": [e.key for e in chosen],
        "levels": levels,
        "deadline_day": post.get("deadline_day", "")[:4],
        "total_title": post.get("total_title", "")[:64],
        "total_entries": post.getlist("total_entries"),
        "check_left": post.get("check_left", ""),
        "check_op": post.get("check_op", ""),
        "check_right": post.get("check_right", ""),
        "table_title": post.get("table_title", "")[:32],
        "table_columns": post.get("table_columns", "")[:1000],
        "table_max_rows": post.get("table_max_rows", "")[:6],
    }
    spec, errors = _design_spec(post, chosen)
    if owner not in mine:
        errors["owner"] = _t("制发部门：请选择本部门。")
    if "village" not in levels:
        errors["levels"] = _t("报送层级：村/社区必须填报（上级由汇总得出）。")
    try:
        deadline_day = int(ctx["posted"]["deadline_day"])
    except ValueError:
        deadline_day = 0
    if not 1 <= deadline_day <= 28:
        errors["deadline_day"] = _t("截止日：请填写1到28之间的整数（次月几日）。")
    if errors:
        ctx["errors"] = errors
        ctx["error"] = _t("填写有误，未提交：") + "；".join(errors.values())
        return render(request, "reporting/design.html", ctx, status=422)
    try:
        d = services.definition_create(
            principal=principal,
            code="",
            name=ctx["posted"]["name"],
            owner_department=owner,
            frequency=ctx["posted"]["frequency"],
            levels=levels,
            spec=spec,
            deadline_day=deadline_day,
        )
    except DomainError as exc:
        ctx["errors"] = {e.field: e.message for e in exc.errors}
        ctx["error"] = exc.message
        return render(request, "reporting/design.html", ctx, status=exc.status)
    ctx["created"] = d
    return render(request, "reporting/design.html", ctx)


@login_required
@require_POST
def admit(request: HttpRequest, code: str) -> HttpResponse:
    """The 政数局's decision on a flagged report (准入 or 不予准入)."""
    principal = _staff(request)
    try:
        services.definition_admit(
            principal=principal, code=code, approve=request.POST.get("decision") == "admit"
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        return render(
            request,
            "reporting/register.html",
            {"rows": selectors.register(), "flagged": [], "error": exc.message},
            status=exc.status,
        )
    return redirect(reverse("reporting:register") + "?done=admit")
