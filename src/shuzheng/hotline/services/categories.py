"""The center edits the 诉求分类 tree (issue 18 item 2: "editable by the center") without the
Django admin: add, change, deactivate and — when no ticket uses it — delete a category. Only a
``hotline_supervisor`` (班长); every change audited in its transaction; bad input is a 422
naming the field in Chinese and changes nothing.

- Codes are given by the platform: a new 一级 takes the next free ``NN0000``, a 二级 under
  ``AA0000`` the next free ``AABB00``, a 三级 under ``AABB00`` the next free ``AABBNN`` (else
  any free ``AAxxNN``); seeded leaves keep the suggestion's codes, which need not extend their
  parent's (``data/categories.json``).
- Three levels at most; a category moves only to a parent of its current parent's level.
- Deactivating a category deactivates everything under it; reactivating one needs its parent
  active. A category that a ticket uses, or that has children, cannot be deleted (409; deactivate
  it instead).
- The dispatch suggestion (``suggest/``) knows the categories it was trained on: an added leaf
  with no training data is simply never suggested (the operator picks it by hand; after the
  operators' confirmed dispatches carry it, ``hotline_retrain`` may learn it); a deactivated or
  deleted category is dropped from a suggestion and a renamed one is shown with its new name
  (``facade.suggest``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.core import cache
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.hotline.models import Category, Ticket
from shuzheng.hotline.tree import CATEGORIES_CACHE
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

MAX_NAME = 64
MAX_LEVEL = 3
EDITOR_ROLE = "hotline_supervisor"


def may_edit(principal: Principal) -> bool:
    return principal.kind == "staff" and principal.has_role(EDITOR_ROLE)


def _check_editor(principal: Principal) -> None:
    if not may_edit(principal):
        raise Forbidden(_t("仅 12345 热线中心班长可以维护诉求分类。"))


def _snapshot(c: Category) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "parent": c.parent.code if c.parent else None,
        "level": c.level,
        "departments": list(c.departments),
        "active": c.active,
    }


def _departments(
    department: str | None, departments: list[str] | None, errors: list[FieldError]
) -> list[str] | None:
    """The departments asked for (``department``: one code; ``departments``: a list), each an
    identity department; None when neither was given."""
    if department is None and departments is None:
        return None
    asked = [department] if department is not None else list(departments or [])
    asked = [str(d).strip() for d in asked if str(d).strip()]
    names = identity.department_names()
    field_name = "department" if department is not None else "departments"
    unknown = [d for d in asked if d not in names]
    if unknown:
        errors.append(
            FieldError(field_name, _t("承办部门“%(d)s”不存在。") % {"d": unknown[0][:32]})
        )
        return None
    return list(dict.fromkeys(asked))


def _name(value: str | None, errors: list[FieldError]) -> str | None:
    if value is None:
        return None
    name = value.strip()
    if not name:
        errors.append(FieldError("name", _t("请填写分类名称。")))
    elif len(name) > MAX_NAME:
        errors.append(FieldError("name", _t("分类名称不能超过 %(n)d 个字。") % {"n": MAX_NAME}))
    return name


def _sibling_named(parent: Category | None, name: str, exclude: int | None = None) -> bool:
    qs = Category.objects.filter(parent=parent, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _next_code(parent: Category | None) -> str:
    taken = set(Category.objects.values_list("code", flat=True))
    if parent is None:
        candidates = [f"{n:02d}0000" for n in range(1, 100)]
    elif parent.level == 1:
        candidates = [f"{parent.code[:2]}{n:02d}00" for n in range(1, 100)]
    else:
        candidates = [f"{parent.code[:4]}{n:02d}" for n in range(1, 100)] + [
            f"{parent.code[:2]}{m:02d}{n:02d}" for m in range(1, 100) for n in range(1, 100)
        ]
    for code in candidates:
        if code not in taken:
            return code
    raise ValidationFailed.one("parent", _t("该上级分类下已没有可用的分类编码。"))


def _get(code: str) -> Category:
    row = Category.objects.select_for_update().filter(code=(code or "").strip()).first()
    if row is None:
        raise NotFound(_t("未找到该诉求分类。"))
    return row


def category_create(
    *,
    principal: Principal,
    name: str,
    parent: str = "",
    department: str | None = None,
    departments: list[str] | None = None,
    active: bool = True,
) -> Category:
    """Add a category under ``parent`` (a code; empty: a new 一级)."""
    _check_editor(principal)
    errors: list[FieldError] = []
    clean = _name(name, errors)
    depts = _departments(department, departments, errors)
    with transaction.atomic():
        up = None
        if parent and parent.strip():
            up = Category.objects.filter(code=parent.strip()).first()
            if up is None:
                errors.append(
                    FieldError("parent", _t("上级分类“%(c)s”不存在。") % {"c": parent[:20]})
                )
            elif up.level >= MAX_LEVEL:
                errors.append(
                    FieldError("parent", _t("诉求分类最多三级，三级分类下不能再添加分类。"))
                )
            elif active and not up.active:
                errors.append(FieldError("parent", _t("上级分类已停用，请先启用上级分类。")))
        if clean and not errors and _sibling_named(up, clean):
            errors.append(
                FieldError("name", _t("同一上级下已有名为“%(n)s”的分类。") % {"n": clean})
            )
        if errors:
            raise ValidationFailed(errors)
        assert clean is not None
        row = Category.objects.create(
            code=_next_code(up),
            name=clean,
            parent=up,
            level=(up.level + 1) if up else 1,
            departments=depts if depts is not None else (list(up.departments) if up else []),
            active=bool(active),
        )
        cache.bump(CATEGORIES_CACHE)  # every process reads the tree anew (hotline.tree)
        audit.record(
            actor=principal.actor,
            action="hotline.category_create",
            object_type="hotline.category",
            object_id=row.code,
            after=_snapshot(row),
        )
    return row


def category_update(
    *,
    principal: Principal,
    code: str,
    name: str | None = None,
    parent: str | None = None,
    department: str | None = None,
    departments: list[str] | None = None,
    active: bool | None = None,
) -> Category:
    """Change what was given of a category: name, parent (of the same level as the current
    one), departments, active (off: its whole subtree too)."""
    _check_editor(principal)
    errors: list[FieldError] = []
    clean = _name(name, errors)
    depts = _departments(department, departments, errors)
    with transaction.atomic():
        row = _get(code)
        before = _snapshot(row)
        up = row.parent
        if parent is not None and parent.strip() != (row.parent.code if row.parent else ""):
            new_up = Category.objects.filter(code=parent.strip()).first() if parent else None
            if parent.strip() and new_up is None:
                errors.append(
                    FieldError("parent", _t("上级分类“%(c)s”不存在。") % {"c": parent[:20]})
                )
            elif (new_up.level if new_up else 0) != row.level - 1:
                errors.append(FieldError("parent", _t("只能移到与原上级分类同一级的分类下。")))
            else:
                up = new_up
        turning_on = active is True and not row.active
        if turning_on and up is not None and not up.active:
            errors.append(FieldError("active", _t("上级分类已停用，请先启用上级分类。")))
        final_name = clean if clean is not None else row.name
        if (
            not errors
            and (clean is not None or up != row.parent)
            and _sibling_named(up, final_name, exclude=row.pk)
        ):
            errors.append(
                FieldError("name", _t("同一上级下已有名为“%(n)s”的分类。") % {"n": final_name})
            )
        if errors:
            raise ValidationFailed(errors)
        row.name, row.parent = final_name, up
        if depts is not None:
            row.departments = depts
        off: list[str] = []
        if active is not None:
            row.active = bool(active)
            if active is False:
                off = _deactivate_below(row)
        row.save()
        cache.bump(CATEGORIES_CACHE)
        after = _snapshot(row)
        if after != before or off:
            audit.record(
                actor=principal.actor,
                action="hotline.category_update",
                object_type="hotline.category",
                object_id=row.code,
                before=before,
                after={**after, **({"deactivated_below": off} if off else {})},
            )
    return row


def _deactivate_below(row: Category) -> list[str]:
    codes: list[str] = []
    level = [row.pk]
    while level:
        children = list(Category.objects.filter(parent_id__in=level, active=True))
        codes += [c.code for c in children]
        Category.objects.filter(pk__in=[c.pk for c in children]).update(active=False)
        level = [c.pk for c in Category.objects.filter(parent_id__in=level)]
    return codes


def category_delete(*, principal: Principal, code: str) -> None:
    """Delete a category no ticket uses and with no children (409 otherwise: deactivate)."""
    _check_editor(principal)
    with transaction.atomic():
        row = _get(code)
        if Ticket.objects.filter(category=row).exists():
            raise Conflict(
                _t("已有工单使用该分类，不能删除；如不再使用，请将其停用。"),
                extra={"allowed_actions": ["deactivate"]},
            )
        if Category.objects.filter(parent=row).exists():
            raise Conflict(
                _t("该分类下还有下级分类，不能删除；请先删除下级分类，或将其停用。"),
                extra={"allowed_actions": ["deactivate"]},
            )
        before = _snapshot(row)
        row.delete()
        cache.bump(CATEGORIES_CACHE)
        audit.record(
            actor=principal.actor,
            action="hotline.category_delete",
            object_type="hotline.category",
            object_id=before["code"],
            before=before,
        )
