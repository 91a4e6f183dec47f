"""Citizen pages of 统一申办受理: apply (one item or 一件事), 我的办件, the case page, messages.

Views parse the request, call one service or selector and render; every rule lives in
``services`` (the same ones the JSON API uses). Every flow is a plain HTML form (no JavaScript):
uploads are multipart posts, errors come back next to the field they concern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.cases import selectors, services, transitions
from shuzheng.cases.contracts import CorrectionTarget
from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.catalog import facade as catalog
from shuzheng.catalog.contracts import ItemView, MaterialView
from shuzheng.core import calendar
from shuzheng.core.errors import DomainError, NotFound
from shuzheng.files import facade as files
from shuzheng.files.facade import MAX_BYTES
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import MandateInfo, Principal
from shuzheng.licenses import facade as licenses
from shuzheng.notify import facade as notify

PAGE_SIZE = 20
ACCEPT_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

DELIVERY_NAMES = {
    "electronic": _("电子送达"),
    "mail": _("邮寄送达"),
    "window": _("窗口领取"),
}


# --- extension point: sections that higher modules add to the case page -------------------------

CasePanel = Callable[[HttpRequest, Principal, dict[str, Any]], str]
"""``(request, principal, case detail) -> HTML`` (empty string: nothing to add)."""

CASE_PANELS: list[CasePanel] = []


def register_case_panel(panel: CasePanel) -> None:
    """Add a section to the citizen case page without this module importing the one that draws
    it (ratings sits above cases). The URL configuration (``shuzheng/urls.py``) wires them."""
    if panel not in CASE_PANELS:
        CASE_PANELS.append(panel)


ApplyPanel = Callable[[HttpRequest, str], str]
"""``(request, item code) -> HTML`` shown above an item's application form (empty: nothing)."""

APPLY_PANELS: list[ApplyPanel] = []


def register_apply_panel(panel: ApplyPanel) -> None:
    """Add a note to an item's apply page (免申即享, above cases: "you need not apply");
    ``shuzheng/urls.py`` wires them."""
    if panel not in APPLY_PANELS:
        APPLY_PANELS.append(panel)


# --- who may use these pages ----------------------------------------------------------------------


def _applicant(request: HttpRequest) -> Principal:
    principal = identity.principal_for_request(request)
    if principal.kind not in ("person", "agent"):
        raise PermissionDenied(_t("“我的办件”面向实名用户和企业经办人；工作人员请使用工作台。"))
    return principal


def _case_or_404(principal: Principal, case_no: str) -> Case:
    try:
        return selectors.case_for(principal, case_no)
    except NotFound:
        raise Http404(_t("未找到该办件。")) from None


# --- what the applicant applies for --------------------------------------------------------------


@dataclass
class Target:
    """An item or a 一件事 as the apply page needs it."""

    kind: str  # item | bundle
    code: str
    name: str
    department_name: str
    schema: dict[str, Any]
    promised_days: int
    handling_type: str
    applicant_types: list[str]
    materials: list[tuple[MaterialView, bool]]  # (material, required)
    members: list[str] = field(default_factory=list)
    member_codes: list[str] = field(default_factory=list)
    # 智能导办: the item's questions, and the situation chosen ({}: the guide not used)
    questions: list[dict[str, Any]] = field(default_factory=list)
    situation: dict[str, Any] = field(default_factory=dict)
    instant_approval: bool = False

    @classmethod
    def item(cls, code: str, answers: dict[str, str] | None = None) -> Target:
        """The version in force today, for the situation ``answers`` choose (answers that are no
        option of their question are left out)."""
        try:
            item = catalog.item(code)
        except NotFound:
            raise Http404(_t("未找到该事项。")) from None
        valid = catalog.guide_for(item, answers).answers if answers else {}
        return cls._of_item(item, services.guided(item, valid))

    @classmethod
    def for_case(cls, case: Case) -> Target:
        """The item version a draft was saved under, for the situation it was saved with."""
        try:
            item = catalog.item_version(case.item_code, case.item_version or 1)
        except NotFound:
            raise Http404(_t("未找到该事项。")) from None
        return cls._of_item(item, case.situation)

    @classmethod
    def _of_item(cls, item: ItemView, situation: dict[str, Any] | None = None) -> Target:
        # the chosen situation's materials only (required first); without one, every material
        listed = services.materials_for(item, situation)
        return cls(
            kind="item",
            code=item.code,
            name=item.name,
            department_name=item.department_name,
            schema=item.form_schema,
            promised_days=item.promised_days,
            handling_type=item.handling_type,
            applicant_types=item.applicant_types,
            materials=[(m, True) for m in listed if m.required]
            + [(m, False) for m in listed if not m.required],
            questions=list(item.spec.get("questions", [])),
            situation=dict(situation or {}),
            instant_approval=item.instant_approval,
        )

    @classmethod
    def bundle(cls, code: str, answers: dict[str, str] | None = None) -> Target:
        """The 一件事 in force today, for the situation ``answers`` choose in its guide."""
        try:
            bundle = catalog.bundle(code)
        except NotFound:
            raise Http404(_t("未找到该一件事。")) from None
        valid = catalog.guide_for_bundle(bundle, answers).answers if answers else {}
        situation = services.guided_bundle(bundle, valid)
        listed = services.bundle_materials_for(bundle, situation)
        left_out = set(situation.get("excluded_items", ()))
        return cls(
            kind="bundle",
            code=bundle.code,
            name=bundle.name,
            department_name=bundle.lead_department_name,
            schema=bundle.form_schema,
            promised_days=bundle.promised_days,
            handling_type="promised",
            applicant_types=bundle.applicant_types,
            materials=[(m, True) for m in listed if m.required]
            + [(m, False) for m in listed if not m.required],
            members=[m.name for m in bundle.members if m.code not in left_out],
            member_codes=[m.code for m in bundle.members if m.code not in left_out],
            questions=list(bundle.questions),
            situation=situation,
        )


def _material_names(case: Case) -> dict[str, str]:
    """material code → name, from the catalog version the case was filed under."""
    try:
        if case.kind == "bundle":
            return {m.code: m.name for m in catalog.bundle(case.bundle_code).materials}
        item = catalog.item_version(case.item_code, case.item_version or 1)
    except NotFound:
        return {}
    return {m.code: m.name for m in item.materials}


# --- uploads and errors --------------------------------------------------------------------------


def material_input(code: str) -> str:
    """Name of the file input for one material (``material-M1``)."""
    return f"material-{code}"


def kept_input(code: str) -> str:
    """Name of the hidden input that keeps a file uploaded in an earlier attempt."""
    return f"kept-{code}"


def source_input(code: str) -> str:
    """Name of the radio group choosing how a material is given (免证办): one of the
    applicant's e-licence ids, or ``upload``."""
    return f"source-{code}"


UPLOAD = "upload"


@dataclass
class Uploads:
    """Materials received: stored files, e-licences chosen instead (免证办), problems."""

    materials: list[dict[str, Any]] = field(default_factory=list)  # for the services
    kept: dict[str, files.FileInfo] = field(default_factory=dict)  # code → stored file
    errors: dict[str, str] = field(default_factory=dict)  # code → message
    choice: dict[str, str] = field(default_factory=dict)  # code → licence id or "upload"


def _receive_uploads(request: HttpRequest, principal: Principal, codes: list[str]) -> Uploads:
    """Store each uploaded file (the whole file checked, ≤10MB) through the files module. A file
    uploaded in an earlier attempt comes back as a hidden id and is reused if it is the
    caller's own, so a form with errors does not make the applicant upload everything again.
    A material answered with one of the applicant's e-licences (``source-<code>``) takes no
    file."""
    out = Uploads()
    for code in codes:
        source = request.POST.get(source_input(code), "").strip()
        if source and source != UPLOAD:
            # 免证办: an e-licence instead of a file (the service checks that the applicant
            # holds it, that it is valid and of the type the material names)
            out.choice[code] = source[:200]
            out.materials.append({"material_code": code, "license_id": source[:200]})
            continue
        if source == UPLOAD:
            out.choice[code] = UPLOAD
        upload = request.FILES.get(material_input(code))
        info: files.FileInfo | None = None
        if upload is not None:
            if upload.size and upload.size > MAX_BYTES:
                out.errors[code] = _t("文件不能超过10MB。")
                continue
            try:
                info = files.file_store(
                    actor=principal.actor, name=upload.name or "", data=upload.read()
                )
            except DomainError as exc:  # refused (422) or the virus scanner unavailable (503)
                out.errors[code] = exc.message
                continue
        else:
            previous = request.POST.get(kept_input(code), "")
            if previous:
                info = files.file_for_owner(previous, principal.actor)
        if info is not None:
            out.kept[code] = info
            out.materials.append({"material_code": code, "file_id": info.file_id})
    return out


@dataclass
class Problems:
    form: dict[str, str] = field(default_factory=dict)  # field name → message
    materials: dict[str, str] = field(default_factory=dict)  # material code → message
    general: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # other named fields (note, level…)

    def __bool__(self) -> bool:
        return bool(self.form or self.materials or self.general or self.fields)

    def count(self) -> int:
        return len(self.form) + len(self.materials) + len(self.general) + len(self.fields)


def _problems(
    exc: DomainError, *, codes: list[str], submitted: list[dict[str, Any]], into: Problems
) -> Problems:
    """Put each error of a service next to what it concerns: ``form.X`` → field X,
    ``materials.M1`` (a missing material) or ``materials.0.file_id`` (the first submitted
    entry) → that material's file input; anything else at the top of the page."""
    if not exc.errors:
        into.general.append(exc.message)
    for e in exc.errors:
        if e.field.startswith("form."):
            into.form.setdefault(e.field[len("form.") :], e.message)
        elif e.field.startswith("materials."):
            rest = e.field[len("materials.") :]
            index = rest.split(".", 1)[0]
            if rest in codes:
                into.materials.setdefault(rest, e.message)
            elif index.isdigit() and int(index) < len(submitted):
                into.materials.setdefault(str(submitted[int(index)]["material_code"]), e.message)
            else:
                into.general.append(e.message)
        elif e.field in ("note", "comment", "level", "enterprise_uscc"):
            into.fields.setdefault(e.field, e.message)
        else:
            into.general.append(e.message)
    return into


def _raw_form(request: HttpRequest, schema: dict[str, Any]) -> dict[str, Any]:
    """The submitted values of the schema's fields (strings; booleans as checkbox values)."""
    out: dict[str, Any] = {}
    for name in schema.get("properties", {}):
        value = request.POST.get(name)
        if value is not None:
            out[name] = value
    return out


# --- apply ---------------------------------------------------------------------------------------


GUIDE_PREFIX = "guide-"


def guide_input(question: str) -> str:
    """Name of the hidden input that carries a 智能导办 answer through the apply form."""
    return f"{GUIDE_PREFIX}{question}"


def _guide_answers(request: HttpRequest) -> dict[str, str]:
    """The 智能导办 answers: from the guide page's link (``?Q1=self``) or the apply form's
    hidden inputs (``guide-Q1``)."""
    if request.method == "POST":
        data, prefix = request.POST, GUIDE_PREFIX
    else:
        data, prefix = request.GET, ""
    out: dict[str, str] = {}
    for key in data:
        code, value = key[len(prefix) :], str(data.get(key) or "")
        if key.startswith(prefix) and code.startswith("Q") and code[1:].isdigit() and value:
            out[code[:8]] = value[:64]
    return out


@login_required
@require_http_methods(["GET", "POST"])
def apply_item(request: HttpRequest, item_code: str) -> HttpResponse:
    principal = _applicant(request)
    return _apply(request, principal, Target.item(item_code, _guide_answers(request)))


@login_required
@require_http_methods(["GET", "POST"])
def apply_bundle(request: HttpRequest, code: str) -> HttpResponse:
    principal = _applicant(request)
    return _apply(request, principal, Target.bundle(code, _guide_answers(request)))


def _default_enterprise(principal: Principal, target: Target, asked: str) -> str:
    if asked and asked in principal.enterprises:
        return asked
    if "person" not in target.applicant_types and len(principal.enterprises) == 1:
        return principal.enterprises[0]  # the item is for enterprises only: the agent's one
    return ""


def _mandates_for(principal: Principal, target: Target) -> list[MandateInfo]:
    """帮办代办: the caller's valid 代办授权 that cover what the page applies for."""
    if "person" not in target.applicant_types:
        return []
    codes = [target.code] if target.kind == "item" else target.member_codes
    return [m for m in identity.mandates_usable(principal) if all(m.covers(c) for c in codes)]


def _represented(
    principal: Principal, target: Target, chosen: str
) -> tuple[list[MandateInfo], MandateInfo | None, Principal]:
    """(usable mandates, the one chosen with ``for``, whose data the page reads): "为他人办理"
    reads the represented person's prefill and e-licences; the case is filed in their name."""
    mandates = _mandates_for(principal, target)
    found = next((m for m in mandates if str(m.id) == chosen), None)
    return mandates, found, identity.represented(found) if found else principal


def _apply(request: HttpRequest, principal: Principal, target: Target) -> HttpResponse:
    codes = [m.code for m, _req in target.materials]
    problems = Problems()
    uploads = Uploads()
    chosen = (request.GET.get("for") or request.POST.get("for") or "").strip()[:12]
    mandates, mandate, reader = _represented(principal, target, chosen)
    agent = {"mandates": mandates, "mandate": mandate, "reader": reader}
    if request.method == "GET":
        enterprise = _default_enterprise(principal, target, request.GET.get("enterprise", ""))
        if mandate is not None:
            enterprise = ""
        values, sources = services.prefill_for(reader, target.schema, enterprise or None)
        return _render_apply(
            request,
            principal=principal,
            target=target,
            values=values,
            sources=sources,
            enterprise=enterprise,
            problems=problems,
            uploads=uploads,
            agent=agent,
        )
    enterprise = request.POST.get("enterprise_uscc", "").strip()
    submit = request.POST.get("intent", "submit") != "draft" or target.kind == "bundle"
    raw = _raw_form(request, target.schema)
    uploads = _receive_uploads(request, principal, codes)
    problems.materials.update(uploads.errors)
    status = 422
    if chosen and mandate is None:  # 为他人办理 without a valid mandate: nothing is filed
        problems.general.append(_t("您没有该申请人对本事项的有效代办授权。"))
        status = 403
    elif uploads.errors:
        # a file was refused: report the form's problems too, and create nothing
        if submit:
            _data, form_errors = catalog.validate_form(target.schema, raw)
            problems.form.update(form_errors)
    else:
        try:
            case = services.case_create(
                principal=principal,
                item_code=target.code if target.kind == "item" else None,
                bundle_code=target.code if target.kind == "bundle" else None,
                form=raw,
                materials=uploads.materials,
                submit=submit,
                enterprise_uscc=enterprise or None,
                represented_id_number=mandate.principal_id_number if mandate else None,
                answers=target.situation.get("answers") or None,
            )
        except DomainError as exc:
            _problems(exc, codes=codes, submitted=uploads.materials, into=problems)
            status = exc.status
        else:
            if submit:
                messages.success(request, submitted_message(case))
            else:
                messages.success(request, _t("草稿已保存，可随时在“我的办件”中继续填写并提交。"))
            return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    _prefill, sources = services.prefill_for(reader, target.schema, enterprise or None)
    values, _errors = catalog.validate_form(target.schema, raw)
    # keep the "filled in from …" note only where the applicant kept the prefilled value
    sources = {k: v for k, v in sources.items() if values.get(k) == _prefill.get(k)}
    return _render_apply(
        request,
        principal=principal,
        target=target,
        values={**raw, **values},
        sources=sources,
        enterprise=enterprise,
        problems=problems,
        uploads=uploads,
        status=status,
        agent=agent,
    )


def _material_rows(
    target: Target,
    uploads: Uploads,
    problems: Problems,
    offered: dict[str, list[licenses.LicenseRef]],
) -> list[dict[str, Any]]:
    rows = []
    for i, (m, required) in enumerate(target.materials):
        choices = offered.get(m.code, [])
        selected = uploads.choice.get(m.code)
        if selected is None:
            # a file kept from an earlier attempt stays chosen; otherwise a required material
            # preselects the held licence (免证办 first); an optional one is left to the applicant
            kept = m.code in uploads.kept
            selected = UPLOAD if kept or not choices or not required else choices[0].license_id
        rows.append(
            {
                "code": m.code,
                "name": m.name,
                "required": required,
                "notes": m.notes,
                "license_type": m.license_type,
                "input": material_input(m.code),
                "kept_input": kept_input(m.code),
                "source_input": source_input(m.code),
                "kept": uploads.kept.get(m.code),
                "licences": choices,
                "selected": selected,
                "anchor": f"m-{i}-c0" if choices else f"m-{i}",
                "error": problems.materials.get(m.code, ""),
            }
        )
    return rows


def _render_apply(
    request: HttpRequest,
    *,
    principal: Principal,
    target: Target,
    values: dict[str, Any],
    sources: dict[str, str],
    enterprise: str,
    problems: Problems,
    uploads: Uploads,
    status: int = 200,
    case: Case | None = None,
    agent: dict[str, Any] | None = None,
) -> HttpResponse:
    fields = catalog.form_fields(target.schema, values, problems.form, sources)
    # 免证办: the applicant's valid e-licences that can replace each material
    holder_uscc = enterprise or None
    if case is not None:
        holder_uscc = case.applicant_id if case.applicant_kind == "enterprise" else None
    if agent is None and case is not None and case.agent_mandate:
        # an agent's draft (帮办代办): the represented person's licences, under the same mandate
        found = [m for m in identity.mandates_usable(principal) if m.id == case.agent_mandate]
        reader = identity.represented(found[0]) if found else principal
        agent = {"mandates": [], "mandate": None, "reader": reader}
    agent = agent or {"mandates": [], "mandate": None, "reader": principal}
    choices = services.license_choices_many(
        agent["reader"], [m.license_type for m, _required in target.materials], holder_uscc
    )
    offered = {
        m.code: choices[m.license_type] for m, _required in target.materials if m.license_type
    }
    material_rows = _material_rows(target, uploads, problems, offered)
    enterprises = []
    for uscc in principal.enterprises if agent["mandate"] is None else ():
        try:
            enterprises.append((uscc, identity.enterprise(uscc).name))
        except NotFound:
            enterprises.append((uscc, uscc))
    summary = [(f"f-{f.name}", f.error) for f in fields if f.error]
    summary += [(row["anchor"], row["error"]) for row in material_rows if row["error"]]
    summary += [("applicant", msg) for msg in problems.fields.values()]
    return render(
        request,
        "cases/apply.html",
        {
            "target": target,
            "fields": fields,
            "materials": material_rows,
            "has_licence_choice": any(row["licences"] for row in material_rows),
            "accept_files": ACCEPT_FILES,
            "enterprises": enterprises,
            "enterprise": enterprise,
            "person_allowed": "person" in target.applicant_types,
            "enterprise_allowed": "enterprise" in target.applicant_types,
            "problems": problems,
            "summary": summary,
            "draft_case": case,
            # 帮办代办: "为他人办理" (the caller's valid mandates for this page; the one chosen)
            "mandates": agent["mandates"] if case is None else [],
            "represented": agent["mandate"],
            "can_save_draft": target.kind == "item" and case is None,
            # 智能导办: the situation chosen travels with the form (hidden inputs); without one
            # the guide's questions are offered first (a plain GET form)
            "guide_inputs": [
                (guide_input(q), a) for q, a in target.situation.get("answers", {}).items()
            ],
            "guide_answered": [
                (q["text"], o["label"])
                for q in target.questions
                for o in q["options"]
                if target.situation.get("answers", {}).get(q["code"]) == o["value"]
            ],
            "guide_query": urlencode(target.situation.get("answers", {})),
            "questions": target.questions
            if case is None and not target.situation.get("answers")
            else [],
            "answers": {},
            "panels": [html for panel in APPLY_PANELS if (html := panel(request, target.code))]
            if target.kind == "item"
            else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, case_no: str) -> HttpResponse:
    """Finish a saved draft and submit it (``case_act`` submit)."""
    principal = _applicant(request)
    case = _case_or_404(principal, case_no)
    if case.status != S.DRAFT or "submit" not in services.allowed_actions(principal, case):
        return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    target = Target.for_case(case)
    codes = [m.code for m, _req in target.materials]
    problems = Problems()
    if request.method == "GET":
        uploads = Uploads()
        for m in case.materials:
            if m.get("license_id"):  # 免证办 chosen when the draft was saved
                uploads.choice[str(m["material_code"])] = str(m["license_id"])
                continue
            info = files.file_for_owner(str(m.get("file_id", "")), case.submitted_by)
            if info is not None:
                uploads.kept[str(m["material_code"])] = info
        return _render_apply(
            request,
            principal=principal,
            target=target,
            values=dict(case.form),
            sources={},
            enterprise="",
            problems=problems,
            uploads=uploads,
            case=case,
        )
    raw = _raw_form(request, target.schema)
    uploads = _receive_uploads(request, principal, codes)
    problems.materials.update(uploads.errors)
    status = 422
    if uploads.errors:
        _data, form_errors = catalog.validate_form(target.schema, raw)
        problems.form.update(form_errors)
    else:
        try:
            submitted = services.case_act(
                principal=principal,
                case_no=case.case_no,
                action="submit",
                form=raw,
                materials=uploads.materials,
            )
        except DomainError as exc:
            _problems(exc, codes=codes, submitted=uploads.materials, into=problems)
            status = exc.status
        else:
            messages.success(request, submitted_message(submitted))
            return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    values, _errors = catalog.validate_form(target.schema, raw)
    return _render_apply(
        request,
        principal=principal,
        target=target,
        values={**raw, **values},
        sources={},
        enterprise="",
        problems=problems,
        uploads=uploads,
        status=status,
        case=case,
    )


def submitted_message(case: Case) -> str:
    """What the applicant reads on landing after submitting: a case the rules decided at once
    (秒批) points to its result, shown first on the page; others are told they will hear."""
    if case.rule_decision:
        return _t("申请已提交，办件编号 %(no)s。审批结果见下方。") % {"no": case.case_no}
    return _t("申请已提交，办件编号 %(no)s。办理进展会通过站内消息和短信通知您。") % {
        "no": case.case_no
    }


# --- 我的办件 ------------------------------------------------------------------------------------


def next_step(case: Case, today: dt.date) -> str:
    """What the applicant needs to know (or do) now, in one sentence."""
    if case.status == S.DRAFT:
        return _t("草稿：请继续填写并提交。")
    if case.status == S.SUBMITTED:
        return _t("已提交，等待部门受理。")
    if case.status == S.CORRECTION:
        return _t("需要您补正：%(items)s") % {"items": "；".join(case.correction_items)}
    if case.status == S.IN_PROGRESS:
        if case.due_date is None:
            return _t("办理中。")
        if case.due_date < today:
            return _t("办理中，已超过承诺办结日期 %(due)s。") % {"due": case.due_date}
        return _t("办理中，承诺 %(due)s 前办结。") % {"due": case.due_date}
    if case.status == S.SUSPENDED:
        return _t("特别程序中（如专家评审、听证），计时暂停。")
    if case.status in (S.APPROVED, S.DENIED):
        return _t("已作出决定，等待办结送达。")
    if case.status == S.CLOSED:
        return _t("已办结，欢迎对本次服务进行评价。")
    if case.status == S.REFUSED:
        return _t("不予受理：%(reason)s") % {"reason": case.decision_reason}
    return _t("已撤回。")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    principal = identity.principal_for_request(request)
    if principal.kind == "staff":
        return HttpResponseRedirect(reverse("workbench:home"))
    principal = _applicant(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows, total = selectors.case_list(principal, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    today = timezone.localdate()
    return render(
        request,
        "cases/list.html",
        {
            "rows": [
                {
                    "case": c,
                    "status_name": S(c.status).label,
                    "next_step": next_step(c, today),
                    "attention": c.status in (S.DRAFT, S.CORRECTION, S.CLOSED),
                }
                for c in rows
            ],
            "total": total,
            "page": page,
            "has_next": page * PAGE_SIZE < total,
            "has_prev": page > 1,
        },
    )


# --- the case page -------------------------------------------------------------------------------


def due_info(due: dt.date | None, today: dt.date, status: str) -> dict[str, Any] | None:
    """The due date and how many 工作日 are left (or have passed)."""
    if due is None:
        return None
    if status not in (S.IN_PROGRESS, S.SUSPENDED, S.CORRECTION):
        return {"date": due, "left": None, "late": 0}
    if due < today:
        return {"date": due, "left": None, "late": calendar.working_days_between(due, today)}
    return {"date": due, "left": calendar.working_days_between(today, due), "late": 0}


def _timeline(detail: dict[str, Any], submitted_by: str) -> list[dict[str, Any]]:
    out = []
    for e in detail["timeline"]:
        out.append(
            {
                "at": dt.datetime.fromisoformat(e["at"]),
                "action": e["action_name"],
                "by_applicant": e["actor"] == submitted_by,
                "to_status": S(e["to_status"]).label if e["to_status"] in S.values else "",
                "note": e["note"],
                "items": e["data"].get("items", []),
                "due_date": e["data"].get("due_date"),
                "agent": e["data"].get("agent", "") if isinstance(e["data"], dict) else "",
            }
        )
    return out


def material_entries(
    materials: list[dict[str, Any]], names: dict[str, str], case_no: str = ""
) -> list[dict[str, Any]]:
    """Submitted materials for display: the material's name, for an uploaded file where it is
    shown (``url``, with ``case_no``), and for an e-licence used instead of a file (免证办)
    when it was called (``used_at``)."""
    out = []
    for m in materials:
        used_at = None
        if m.get("used_at"):
            try:
                used_at = dt.datetime.fromisoformat(str(m["used_at"]))
            except ValueError:
                used_at = None
        url = ""
        if case_no and m.get("file_id"):
            url = reverse("cases:material", args=[case_no, str(m["file_id"])])
        out.append(
            {
                **m,
                "material_name": names.get(str(m.get("material_code")), ""),
                "used_at": used_at,
                "url": url,
            }
        )
    return out


@dataclass
class Requested:
    """What the case's 补正 asks the applicant for: materials to upload again, fields to change
    (``services.correction_targets``), with the form schema of those fields."""

    materials: list[CorrectionTarget]
    fields: list[str]
    schema: dict[str, Any]


def _requested(case: Case) -> Requested:
    try:
        item = catalog.item_version(case.item_code, case.item_version or 1)
    except NotFound:
        item = None
    wanted = services.correction_targets(case.correction_items, item) if item else []
    if not wanted:  # a request naming nothing known (made before items were checked): any
        names = _material_names(case)
        return Requested([CorrectionTarget("material", c, n) for c, n in names.items()], [], {})
    full = item.form_schema if item else {}
    fields = [t.key for t in wanted if t.kind == "field"]
    schema = {
        "type": "object",
        "properties": {k: full["properties"][k] for k in fields},
        "required": [k for k in full.get("required", []) if k in fields],
    }
    return Requested([t for t in wanted if t.kind == "material"], fields, schema)


def _render_case(
    request: HttpRequest,
    principal: Principal,
    case: Case,
    *,
    problems: Problems | None = None,
    status: int = 200,
    posted: dict[str, Any] | None = None,
) -> HttpResponse:
    problems = problems or Problems()
    detail = selectors.detail(principal, case)
    names = _material_names(case)
    today = timezone.localdate()
    allowed = detail["allowed_actions"]
    resubmit_rows: list[dict[str, Any]] = []
    resubmit_fields: list[Any] = []
    if "resubmit" in allowed:
        # only what the 补正 asks for: each listed material, each listed form field
        requested = _requested(case)
        resubmit_rows = [
            {
                "code": t.key,
                "name": t.name,
                "input": material_input(t.key),
                "error": problems.materials.get(t.key, ""),
            }
            for t in requested.materials
        ]
        if requested.fields:
            values = {**case.form, **(posted or {})}
            resubmit_fields = catalog.form_fields(requested.schema, values, problems.form)
    panels = [html for panel in CASE_PANELS if (html := panel(request, principal, detail))]
    return render(
        request,
        "cases/case.html",
        {
            "case": detail,
            "due": due_info(case.due_date, today, case.status),
            "timeline": _timeline(detail, case.submitted_by),
            "materials": material_entries(detail["materials"], names, case.case_no),
            "allowed": allowed,
            # the words of the applicant's buttons, from the transition table
            "labels": {a: transitions.CASE.label(a) for a in ("withdraw", "discard")},
            "resubmit_rows": resubmit_rows,
            "resubmit_fields": resubmit_fields,
            "accept_files": ACCEPT_FILES,
            "problems": problems,
            "next_step": next_step(case, today),
            "delivery_name": DELIVERY_NAMES.get(case.delivery, ""),
            "agent_name": case.agent_name,  # 帮办代办: "由 X 代办"
            "children": [{**c, "status_name": S(c["status"]).label} for c in detail["children"]],
            "panels": panels,
        },
        status=status,
    )


@login_required
def case_page(request: HttpRequest, case_no: str) -> HttpResponse:
    principal = identity.principal_for_request(request)
    if principal.kind == "staff":
        return HttpResponseRedirect(reverse("workbench:case", args=[case_no]))
    principal = _applicant(request)
    return _render_case(request, principal, _case_or_404(principal, case_no))


@login_required
@require_GET
def material_file(request: HttpRequest, case_no: str, file_id: str) -> HttpResponseBase:
    """One material of the applicant's case, shown inline; every view audited. Staff are sent
    to the workbench's, which checks their role on the case."""
    principal = identity.principal_for_request(request)
    if principal.kind == "staff":
        return HttpResponseRedirect(reverse("workbench:material", args=[case_no, file_id]))
    principal = _applicant(request)
    try:
        selectors.case_material(principal, case_no, file_id)
        info, handle = files.file_read(
            file_id=file_id, actor=principal.actor, purpose=f"case:{case_no}"
        )
    except NotFound:
        raise Http404(_t("未找到该材料。")) from None
    return files.inline_response(info, handle, embeddable=True)


@login_required
@require_POST
def resubmit(request: HttpRequest, case_no: str) -> HttpResponse:
    """补正: upload what was asked for, change the fields it names (and a note); the clock
    starts again. Giving less than the request listed changes nothing (422)."""
    principal = _applicant(request)
    case = _case_or_404(principal, case_no)
    requested = _requested(case)
    codes = [t.key for t in requested.materials]
    posted = {k: request.POST[k] for k in requested.fields if k in request.POST}
    uploads = _receive_uploads(request, principal, codes)
    problems = Problems(materials=dict(uploads.errors))
    if not uploads.errors:
        try:
            services.case_act(
                principal=principal,
                case_no=case.case_no,
                action="resubmit",
                note=request.POST.get("note", "").strip()[:2000],
                materials=uploads.materials,
                form=posted or None,
            )
        except DomainError as exc:
            _problems(exc, codes=codes, submitted=uploads.materials, into=problems)
            if exc.errors and exc.message not in problems.general:
                problems.general.insert(0, exc.message)  # names every missing item at once
            return _render_case(
                request, principal, case, problems=problems, status=exc.status, posted=posted
            )
        messages.success(request, _t("补正材料已提交，办理时限继续计算。"))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    return _render_case(request, principal, case, problems=problems, status=422, posted=posted)


# What the confirmation page of an applicant's action that cannot be undone says (its title and
# button are the transition table's label).
CONFIRMS = {
    "withdraw": (
        _("撤回后部门将停止办理，本申请不能恢复；如仍需办理，请重新申请。"),
        _("申请已撤回。"),
    ),
    "discard": (
        _("删除后草稿将不再显示在“我的办件”中，已填写的内容和上传的材料不能恢复。"),
        _("草稿已删除。"),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, case_no: str) -> HttpResponse:
    """撤回申请: a confirmation page; only its form's POST withdraws."""
    return _confirmed_action(request, case_no, "withdraw")


@login_required
@require_http_methods(["GET", "POST"])
def discard(request: HttpRequest, case_no: str) -> HttpResponse:
    """删除草稿: a confirmation page; only its form's POST deletes."""
    return _confirmed_action(request, case_no, "discard")


def _confirmed_action(request: HttpRequest, case_no: str, action: str) -> HttpResponse:
    """An applicant's action that cannot be undone: GET shows what it does with a 确认 button
    (no JavaScript); a POST acts only when it comes from that page (``confirm``), else it
    shows the page again; an action not allowed now sends back to the case page."""
    principal = _applicant(request)
    case = _case_or_404(principal, case_no)
    confirmed = request.method == "POST" and request.POST.get("confirm") == action
    if not confirmed and action not in services.allowed_actions(principal, case):
        return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    label = transitions.CASE.label(action)
    warning, done = CONFIRMS[action]
    note = request.POST.get("note", "").strip()[:500]
    if confirmed:  # not allowed (any more): the service says why, 409
        try:
            services.case_act(principal=principal, case_no=case.case_no, action=action, note=note)
        except DomainError as exc:
            problems = _problems(exc, codes=[], submitted=[], into=Problems())
            case.refresh_from_db()
            return _render_case(request, principal, case, problems=problems, status=exc.status)
        messages.success(request, str(done))
        if action == "discard":
            return HttpResponseRedirect(reverse("cases:list"))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.case_no]))
    return render(
        request,
        "cases/confirm.html",
        {
            "case": case,
            "action": action,
            "label": label,
            "warning": warning,
            "note": note,
            "ask_reason": action == "withdraw",
            "status_name": S(case.status).label,
        },
    )


# --- 站内消息 ------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    principal = _applicant(request)
    ids = [i for i in (principal.id_number, *principal.enterprises) if i]
    rows = notify.inbox(recipient_kind="person", recipient_ids=ids, limit=100) if ids else []
    # opened: the messages shown are read now (the list still marks those that were new)
    notify.mark_read(
        recipient_ids=ids, message_ids=[m.id for m in rows if not m.read], actor=principal.actor
    )
    return render(
        request,
        "cases/messages.html",
        {
            "rows": [{"message": m, "at": dt.datetime.fromisoformat(m.created_at)} for m in rows],
        },
    )
