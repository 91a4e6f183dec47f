"""一次性告知 补正: what the clerk may ask for and what the applicant's answer must give.

A correction request lists items (``Case.correction_items``, strings people read). Each must
name a material of the item the case was filed under, or a field of its form, by its name (or
code / field name, which is replaced by the name), optionally followed by why:
``公司章程：缺少全体股东签字页``. The applicant's 补正 must then upload every listed material
again and change every listed field; nothing else is asked for. Items are resolved again from
the stored strings and the filed item version, so nothing beyond the strings is kept.
"""

from __future__ import annotations

from typing import Any

from shuzheng.cases.contracts import CorrectionTarget
from shuzheng.core.errors import FieldError

# fields the applicant cannot change: they are bound to the verified identity
IDENTITY_SOURCES = frozenset(
    {"person.name", "person.id_number", "enterprise.uscc", "enterprise.name"}
)
SEPARATORS = "：:，,；;（( "


def targets(item: Any) -> list[CorrectionTarget]:
    """What a correction of a case filed under ``item`` (an ``ItemView``) may ask for: every
    material of the item, then every form field the applicant can change."""
    out = [CorrectionTarget("material", m.code, m.name) for m in item.materials]
    for name, prop in item.form_schema.get("properties", {}).items():
        if prop.get("x-prefill") in IDENTITY_SOURCES:
            continue
        out.append(CorrectionTarget("field", name, str(prop.get("title") or name)))
    return out


def resolve(text: str, options: list[CorrectionTarget]) -> tuple[CorrectionTarget, str] | None:
    """The target an item names, and the item as people read it (a code or field name at its
    start replaced by the name), or None. An item names a target when it is, or starts with,
    the target's name, or its code or field name followed by a separator; the longest wins
    (``营业执照副本`` over ``营业执照``)."""
    text = text.strip()
    best: tuple[CorrectionTarget, str] | None = None
    for option in options:
        for label in (option.name, option.key):
            if not label or not text.startswith(label):
                continue
            rest = text[len(label) :]
            if label != option.name and rest and rest[0] not in SEPARATORS:
                continue  # "M10" does not name M1
            if best is None or len(label) > len(best[1]):
                best = (option, label)
    if best is None:
        return None
    option, label = best
    return option, option.name + text[len(label) :] if label != option.name else text


def check_items(
    items: list[str], options: list[CorrectionTarget]
) -> tuple[list[str], list[FieldError]]:
    """The items as people read them, or an error naming each item that names nothing."""
    shown: list[str] = []
    errors: list[FieldError] = []
    example = next((o.name for o in options if o.kind == "material"), "")
    for i, text in enumerate(items):
        found = resolve(text, options)
        if found is None:
            hint = f"，如“{example}：缺少签字页”" if example else ""
            errors.append(
                FieldError(
                    f"items.{i}",
                    f"“{text[:40]}”不是本事项的材料或申请表内容：每项请以材料或表单项的名称开头{hint}。",
                )
            )
        else:
            shown.append(found[1])
    return shown, errors


def listed(items: list[str], options: list[CorrectionTarget]) -> list[CorrectionTarget]:
    """The targets a correction request's items name (each once, in order)."""
    out: list[CorrectionTarget] = []
    for text in items:
        found = resolve(text, options)
        if found is not None and found[0] not in out:
            out.append(found[0])
    return out


def correction_options(item: Any) -> list[CorrectionTarget]:
    """What a correction of a case filed under ``item`` may ask for (the workbench's form)."""
    return targets(item)


def correction_targets(items: list[str], item: Any) -> list[CorrectionTarget]:
    """What the correction request ``items`` of a case filed under ``item`` asks for."""
    return listed(items, targets(item))


def missing(
    wanted: list[CorrectionTarget], uploaded: set[str], changed: set[str]
) -> list[FieldError]:
    """What a 补正 leaves out: each listed material not uploaded again (``materials.<code>``),
    each listed field not changed (``form.<name>``)."""
    errors: list[FieldError] = []
    for t in wanted:
        if t.kind == "material" and t.key not in uploaded:
            errors.append(FieldError(f"materials.{t.key}", f"请重新上传要求补正的材料“{t.name}”。"))
        elif t.kind == "field" and t.key not in changed:
            errors.append(FieldError(f"form.{t.key}", f"请按补正要求修改“{t.name}”。"))
    return errors
