"""Materials of an application: uploaded files, or e-licences the applicant holds instead of
them (免证办), checked and recorded as used."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils import timezone

from shuzheng.cases.models import Case
from shuzheng.catalog import facade as catalog
from shuzheng.catalog.contracts import BundleView, ItemView, MaterialView
from shuzheng.core.errors import FieldError, ValidationFailed
from shuzheng.files import facade as files
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import facade as licenses

LICENSE_STATUS_NAMES = {"suspended": "中止", "revoked": "已注销/吊销", "expired": "已过期"}


def check_materials(
    *,
    owner: str,
    submitted: list[dict[str, Any]],
    required: list[Any],
    strict: bool,
    holder: tuple[str, str] | None = None,
    known: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """Each material is a file the submitter uploaded, or an e-licence the applicant holds
    (免证办: no upload) of the licence type the material names. ``known`` are all the materials
    of the item or 一件事 (``MaterialView``; default: the required ones); errors about a licence
    name the material they concern."""
    errors: list[FieldError] = []
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    by_code = {m.code: m for m in [*(known or []), *required]}
    for i, m in enumerate(submitted):
        code = str(m.get("material_code") or "")
        if not code:
            errors.append(FieldError(f"materials.{i}.material_code", "缺少材料编码。"))
            continue
        if m.get("license_id"):
            field = f"materials.{i}.license_id"
            mat = by_code.get(code)
            label = mat.name if mat is not None else code
            if mat is None or not mat.license_type:
                errors.append(FieldError(field, f"“{label}”不能用电子证照代替，请上传文件。"))
                continue
            ref = licenses.license_of_holder(str(m["license_id"]), *holder) if holder else None
            if ref is None:
                errors.append(FieldError(field, f"“{label}”：所选电子证照不存在或不属于申请人。"))
                continue
            if ref.status != "valid":
                state = LICENSE_STATUS_NAMES.get(ref.status, ref.status)
                errors.append(
                    FieldError(field, f"“{label}”：所选电子证照状态为“{state}”，不能使用。")
                )
                continue
            if ref.type_name != mat.license_type:
                errors.append(
                    FieldError(
                        field,
                        f"“{label}”需要“{mat.license_type}”，所选证照是“{ref.type_name}”。",
                    )
                )
                continue
            seen.add(code)
            stored.append(
                {
                    "material_code": code,
                    "license_id": ref.license_id,
                    "name": ref.type_name,
                    "license_no": ref.license_no,
                    "used_at": timezone.now().isoformat(),
                }
            )
            continue
        info = files.file_for_owner(str(m.get("file_id") or ""), owner)
        if info is None:
            errors.append(FieldError(f"materials.{i}.file_id", "文件不存在或不是您上传的。"))
            continue
        seen.add(code)
        stored.append(
            {
                "material_code": code,
                "file_id": info.file_id,
                "name": info.name,
                "sha256": info.sha256,
            }
        )
    if strict:
        for mat in required:
            if mat.code not in seen:
                errors.append(FieldError(f"materials.{mat.code}", f"缺少必需材料：{mat.name}"))
    if errors:
        raise ValidationFailed(errors)
    return stored


def license_choices(
    principal: Principal, license_type: str | None, enterprise_uscc: str | None
) -> list[licenses.LicenseRef]:
    """免证办: the caller's valid licences that can replace a material (its licence type), held
    by the applicant the caller applies as (the enterprise when ``enterprise_uscc``)."""
    if not license_type:
        return []
    return license_choices_many(principal, [license_type], enterprise_uscc)[license_type]


def license_choices_many(
    principal: Principal, license_types: list[str | None], enterprise_uscc: str | None
) -> dict[str, list[licenses.LicenseRef]]:
    """``license_choices`` for several licence types at once (one query): type → licences."""
    wanted = [t for t in dict.fromkeys(license_types) if t]
    none: dict[str, list[licenses.LicenseRef]] = {t: [] for t in wanted}
    if not wanted or principal.kind not in ("person", "agent"):
        return none
    if enterprise_uscc:
        if enterprise_uscc not in principal.enterprises:
            return none
        holder = ("enterprise", enterprise_uscc)
    else:
        if not principal.id_number:
            return none
        holder = ("person", principal.id_number)
    return licenses.satisfying_many(*holder, wanted)


def record_license_uses(
    case: Case, actor: str, entries: list[dict[str, Any]] | None = None
) -> None:
    """Write each licence used instead of a material to its 用证记录 (when the case is submitted:
    a draft does not use the licence yet)."""
    for m in case.materials if entries is None else entries:
        if m.get("license_id"):
            licenses.record_use(m["license_id"], case.case_no, f"免证办：{case.item_name}", actor)


def _filled(answers: dict[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (answers or {}).items() if str(v or "").strip()}


def _answered(questions: list[dict[str, Any]], guide: Any, unknown: str) -> list[str]:
    """The answers in words ("谁来办理？老人本人", in the questions' order); an answer that is not
    one of its question's options is a 422 naming ``answers.<question>`` (``unknown``: the
    message for a question that does not exist)."""
    if guide.invalid:
        texts = {q["code"]: q["text"] for q in questions}
        raise ValidationFailed(
            [
                FieldError(
                    f"answers.{code}",
                    f"导办问题“{texts[code]}”的回答不是可选的答案之一。"
                    if code in texts
                    else unknown,
                )
                for code in guide.invalid
            ]
        )
    return [
        f"{q['text']}{o['label']}"
        for q in questions
        for o in q["options"]
        if guide.answers.get(q["code"]) == o["value"]
    ]


def guided(item: ItemView, answers: dict[str, str] | None) -> dict[str, Any]:
    """The situation (情形) the applicant chose in the guide (智能导办), as the case records it:
    the answers, the situation codes and names; {} without answers. An answer that is not one
    of its question's options is a 422 naming ``answers.<question>``."""
    answers = _filled(answers)
    if not answers:
        return {}
    guide = catalog.guide_for(item, answers)
    words = _answered(item.spec.get("questions", []), guide, "本事项没有这个导办问题。")
    return {
        "answers": guide.answers,
        "answered": words,
        "situations": guide.situations,
        "names": guide.situation_names,
    }


def guided_bundle(bundle: BundleView, answers: dict[str, str] | None) -> dict[str, Any]:
    """As ``guided``, for a 一件事: the answers, the situation references (``item:situation``)
    and the member items the answers leave out (``excluded_items``: no sub-case is filed for
    them); {} without answers; an answer that is no option is a 422 naming ``answers.<q>``."""
    answers = _filled(answers)
    if not answers:
        return {}
    guide = catalog.guide_for_bundle(bundle, answers)
    words = _answered(bundle.questions, guide, "本一件事没有这个导办问题。")
    return {
        "answers": guide.answers,
        "answered": words,
        "situations": guide.situations,
        "names": [],
        "excluded_items": guide.excluded_items,
    }


def bundle_materials_for(
    bundle: BundleView, situation: dict[str, Any] | None
) -> list[MaterialView]:
    """The materials an application of a 一件事 asks for: for the situation chosen in its guide
    exactly those that remain, else every material of the 一件事."""
    answers = (situation or {}).get("answers") or {}
    if answers:
        return list(catalog.guide_for_bundle(bundle, answers).materials)
    return list(bundle.materials)


def materials_for(item: ItemView, situation: dict[str, Any] | None) -> list[MaterialView]:
    """The materials an application of ``item`` asks for, each marked required or not: for a
    situation chosen in the guide exactly its materials, else every material (those every
    applicant needs required, the situational ones optional)."""
    answers = (situation or {}).get("answers") or {}
    if answers:
        return list(catalog.guide_for(item, answers).materials)
    base = {m.code for m in catalog.required_materials(item)}
    return [replace(m, required=m.code in base) for m in item.materials]


def required_for(item: ItemView, situation: dict[str, Any] | None) -> list[MaterialView]:
    return [m for m in materials_for(item, situation) if m.required]
