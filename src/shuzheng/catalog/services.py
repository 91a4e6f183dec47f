"""All writes of the catalog: import, and the version lifecycle.

draft → in review → published → retired.

Every change is audited in its own transaction. A published version is never changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.catalog import selectors
from shuzheng.catalog.forms import with_order
from shuzheng.catalog.importer import read_document, validate
from shuzheng.catalog.models import Bundle, ServiceItem, Status
from shuzheng.catalog.spec import BundleSpec, ItemSpec, RowError
from shuzheng.core import cache
from shuzheng.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from shuzheng.identity import facade as identity


class ImportRejected(DomainError):
    def __init__(self, errors: list[RowError]):
        super().__init__(
            message=(
                f"导入被拒绝：共 {len(errors)} 处错误，未导入任何内容。"
                f"第一处：{errors[0].as_text()}"
            ),
            errors=[FieldError(f"{e.sheet}[{e.row}].{e.field}", e.as_text()) for e in errors],
            code="import_rejected",
            status=422,
        )
        self.row_errors = errors


@dataclass(frozen=True)
class ImportResult:
    items: int
    bundles: int
    published: bool


def _existing_items() -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for code, spec in ServiceItem.objects.order_by("code", "version").values_list("code", "spec"):
        latest[code] = spec
    return latest


def catalog_import_file(
    *, actor: str, path: Path, check_only: bool = False, publish: bool = False
) -> ImportResult:
    try:
        doc, rows = read_document(path)
    except (ValueError, OSError, KeyError) as exc:
        raise ImportRejected(
            [RowError("file", 0, path.name, "(文件)", f"无法读取：{exc}")]
        ) from None
    return catalog_import(actor=actor, doc=doc, rows=rows, check_only=check_only, publish=publish)


def catalog_import(
    *,
    actor: str,
    doc: dict[str, Any],
    rows: dict[str, list[int]] | None = None,
    check_only: bool = False,
    publish: bool = False,
) -> ImportResult:
    """Validate the whole document; import every entry as a new draft version, or nothing."""
    report = validate(
        doc,
        departments={d.code for d in identity.departments()},
        existing_items=_existing_items(),
        rows=rows,
    )
    if not report.ok:
        raise ImportRejected(report.errors)
    if check_only:
        return ImportResult(items=len(report.items), bundles=len(report.bundles), published=False)
    with transaction.atomic():
        created_items = [_item_new_version(actor=actor, spec=s) for s in report.items]
        created_bundles = [_bundle_new_version(actor=actor, spec=b) for b in report.bundles]
        audit.record(
            actor=actor,
            action="catalog.import",
            object_type="catalog.file",
            object_id="import",
            after={
                "items": [i.code for i in created_items],
                "bundles": [b.code for b in created_bundles],
            },
        )
        if publish:
            versions: list[ServiceItem | Bundle] = [*created_items, *created_bundles]
            for obj in versions:
                _transition(actor=actor, obj=obj, action="submit")
                _transition(actor=actor, obj=obj, action="publish")
        cache.bump(selectors.ITEMS)
    return ImportResult(items=len(report.items), bundles=len(report.bundles), published=publish)


def _next_version(model: type[ServiceItem] | type[Bundle], code: str) -> int:
    current = model.objects.filter(code=code).aggregate(m=Max("version"))["m"]
    return int(current or 0) + 1


def _item_spec_data(spec: ItemSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json", by_alias=True)
    data["form"]["schema"] = with_order(data["form"]["schema"])  # jsonb loses key order
    return data


def _item_new_version(*, actor: str, spec: ItemSpec) -> ServiceItem:
    code = spec.implementation_code or ""
    data = _item_spec_data(spec)
    item = ServiceItem.objects.create(
        code=code,
        version=_next_version(ServiceItem, code),
        status=Status.DRAFT,
        name=spec.name,
        themes=spec.themes,
        applicant_types=list(spec.applicant_types),
        spec=data,
        created_by=actor,
        basic_code=spec.basic_code,
        item_type=spec.item_type,
        department_code=spec.department,
        region_code=spec.region_code,
        exercise_level=spec.exercise_level,
        handling_type=spec.handling_type,
        statutory_days=spec.statutory_days,
        promised_days=spec.promised_days,
        online_depth=spec.online_depth,
        instant_approval=spec.instant_approval,
    )
    audit.record(
        actor=actor,
        action="catalog.item_draft",
        object_type="catalog.item",
        object_id=f"{code}@{item.version}",
        after={"name": spec.name, "version": item.version, "status": item.status},
    )
    return item


def _bundle_new_version(*, actor: str, spec: BundleSpec) -> Bundle:
    data = spec.model_dump(mode="json", by_alias=True)
    bundle = Bundle.objects.create(
        code=spec.code,
        version=_next_version(Bundle, spec.code),
        status=Status.DRAFT,
        name=spec.name,
        themes=spec.themes,
        applicant_types=list(spec.applicant_types),
        spec=data,
        created_by=actor,
        lead_department_code=spec.lead_department,
    )
    audit.record(
        actor=actor,
        action="catalog.bundle_draft",
        object_type="catalog.bundle",
        object_id=f"{spec.code}@{bundle.version}",
        after={"name": spec.name, "version": bundle.version, "status": bundle.status},
    )
    return bundle


ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    # action: (allowed from-statuses, to-status)
    "submit": ((Status.DRAFT,), Status.IN_REVIEW),
    "reject": ((Status.IN_REVIEW,), Status.DRAFT),
    "publish": ((Status.IN_REVIEW,), Status.PUBLISHED),
    "retire": ((Status.PUBLISHED,), Status.RETIRED),
}
ACTION_NAMES = {"submit": "提交审核", "reject": "退回修改", "publish": "发布", "retire": "废止"}


def allowed_actions(status: str) -> list[str]:
    return [a for a, (frm, _) in ACTIONS.items() if status in frm]


def _transition(
    *,
    actor: str,
    obj: ServiceItem | Bundle,
    action: str,
    note: str = "",
    effective: dt.date | None = None,
) -> None:
    if action not in ACTIONS:
        allowed = allowed_actions(obj.status)
        words = "、".join(f"{ACTION_NAMES[a]}（{a}）" for a in allowed)
        error = ValidationFailed.one(
            "action",
            f"没有“{action[:40]}”这项操作。"
            + (f"当前可执行的操作：{words}。" if words else "当前没有可执行的操作。"),
        )
        error.extra = {"allowed_actions": allowed}
        raise error
    frm, to = ACTIONS[action]
    if obj.status not in frm:
        raise Conflict(
            f"当前状态“{Status(obj.status).label}”不能{ACTION_NAMES[action]}。",
            extra={"allowed_actions": allowed_actions(obj.status)},
        )
    today = timezone.localdate()
    before = {
        "status": obj.status,
        "effective_from": str(obj.effective_from),
        "effective_to": str(obj.effective_to),
    }
    model = type(obj)
    if action == "publish":
        start = effective or today
        # the version in force until now ends the day before the new one starts
        for old in model.objects.filter(code=obj.code, status=Status.PUBLISHED).exclude(pk=obj.pk):
            if old.effective_to is None or old.effective_to >= start:
                old_before = {"status": old.status, "effective_to": str(old.effective_to)}
                old.effective_to = start - dt.timedelta(days=1)
                if start <= today:
                    old.status = Status.RETIRED
                old._allow_lifecycle_save = True
                old.save(update_fields=["effective_to", "status"])
                audit.record(
                    actor=actor,
                    action=f"catalog.{model._meta.model_name}_superseded",
                    object_type=f"catalog.{model._meta.model_name}",
                    object_id=f"{old.code}@{old.version}",
                    before=old_before,
                    after={"status": old.status, "effective_to": str(old.effective_to)},
                )
        obj.effective_from = start
        obj.published_at = timezone.now()
        obj.published_by = actor
    if action == "retire":
        obj.effective_to = effective or today
    obj.status = to
    obj.review_note = note[:500]
    obj._allow_lifecycle_save = True
    obj.save()
    audit.record(
        actor=actor,
        action=f"catalog.{model._meta.model_name}_{action}",
        object_type=f"catalog.{model._meta.model_name}",
        object_id=f"{obj.code}@{obj.version}",
        before=before,
        after={
            "status": obj.status,
            "effective_from": str(obj.effective_from),
            "effective_to": str(obj.effective_to),
            "note": obj.review_note,
        },
    )


def catalog_transition(
    *,
    actor: str,
    kind: str,
    code: str,
    version: int,
    action: str,
    note: str = "",
    effective: dt.date | None = None,
) -> ServiceItem | Bundle:
    """Move one version through its lifecycle (submit, reject, publish, retire)."""
    model: type[ServiceItem] | type[Bundle] = ServiceItem if kind == "item" else Bundle
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(code=code, version=version).first()
        if obj is None:
            raise NotFound("未找到该事项版本。")
        if action == "publish" and kind == "bundle":
            missing = _unpublished_members(obj.spec["items"])
            if missing:
                raise Conflict("一件事包含尚未发布的事项：" + "、".join(missing))
        _transition(actor=actor, obj=obj, action=action, note=note, effective=effective)
        cache.bump(selectors.ITEMS)
    return obj


def _unpublished_members(codes: list[str]) -> list[str]:
    published = set(
        ServiceItem.objects.filter(code__in=codes, status=Status.PUBLISHED).values_list(
            "code", flat=True
        )
    )
    return [c for c in codes if c not in published]


def catalog_new_draft_from(
    *, actor: str, kind: str, code: str, spec: dict[str, Any]
) -> ServiceItem | Bundle:
    """A new draft version from edited elements (validated like an import of one entry)."""
    doc = {"items": [spec]} if kind == "item" else {"bundles": [spec]}
    report = validate(
        doc, departments={d.code for d in identity.departments()}, existing_items=_existing_items()
    )
    if not report.ok:
        raise ImportRejected(report.errors)
    with transaction.atomic():
        cache.bump(selectors.ITEMS)
        if kind == "item":
            new_item = report.items[0]
            if new_item.implementation_code != code:
                raise Conflict("实施编码不能修改；请作为新事项导入。")
            return _item_new_version(actor=actor, spec=new_item)
        new_bundle = report.bundles[0]
        if new_bundle.code != code:
            raise Conflict("一件事编码不能修改。")
        return _bundle_new_version(actor=actor, spec=new_bundle)


def catalog_update_draft(
    *, actor: str, kind: str, code: str, version: int, spec: dict[str, Any]
) -> None:
    """Replace the elements of a draft (validated as a whole); published versions never change."""
    doc = {"items": [spec]} if kind == "item" else {"bundles": [spec]}
    report = validate(
        doc, departments={d.code for d in identity.departments()}, existing_items=_existing_items()
    )
    if not report.ok:
        raise ImportRejected(report.errors)
    model: type[ServiceItem] | type[Bundle] = ServiceItem if kind == "item" else Bundle
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(code=code, version=version).first()
        if obj is None:
            raise NotFound("未找到该版本。")
        if obj.status != Status.DRAFT:
            raise Conflict("只有草稿可以修改；已发布的版本请复制为新草稿。")
        before = obj.spec
        if isinstance(obj, ServiceItem):
            item = report.items[0]
            if item.implementation_code != code:
                raise Conflict("实施编码不能修改；请作为新事项导入。")
            obj.spec = _item_spec_data(item)
            obj.name, obj.themes, obj.applicant_types = (
                item.name,
                item.themes,
                list(item.applicant_types),
            )
            obj.basic_code, obj.item_type, obj.department_code = (
                item.basic_code,
                item.item_type,
                item.department,
            )
            obj.handling_type, obj.statutory_days = item.handling_type, item.statutory_days
            obj.promised_days, obj.online_depth = item.promised_days, item.online_depth
            obj.instant_approval = item.instant_approval
        else:
            bundle = report.bundles[0]
            if bundle.code != code:
                raise Conflict("一件事编码不能修改。")
            obj.spec = bundle.model_dump(mode="json", by_alias=True)
            obj.name, obj.themes, obj.applicant_types = (
                bundle.name,
                bundle.themes,
                list(bundle.applicant_types),
            )
            obj.lead_department_code = bundle.lead_department
        obj.save()
        cache.bump(selectors.ITEMS)
        audit.record(
            actor=actor,
            action=f"catalog.{model._meta.model_name}_draft_edit",
            object_type=f"catalog.{model._meta.model_name}",
            object_id=f"{code}@{version}",
            before=before,
            after=obj.spec,
        )
