"""Taking a 诉求 in (受理, 登记工单) from every channel: the center's console (phone), a citizen's
form, an Open311 app or the REST API. ``ticket_create`` checks everything first and names each
bad field in Chinese (nothing is written then); then it numbers the ticket, writes it, its first
timeline event and the audit record in one transaction and texts the caller after commit."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.cases import facade as cases
from shuzheng.core.errors import FieldError, Forbidden, Unauthenticated, ValidationFailed
from shuzheng.files import facade as files
from shuzheng.hotline import daycounts, places
from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.models import (
    Channel,
    Ticket,
    TicketStatus,
    TicketType,
    Urgency,
)
from shuzheng.hotline.services import records
from shuzheng.hotline.services.actions import is_center
from shuzheng.hotline.tree import tree
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

MAX_CONTENT = 2000
MAX_TITLE = 100
MAX_ADDRESS = 200
MAX_ATTACHMENTS = 9
PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
CASE_NO_RE = re.compile(r"^BJ\d{20}$")
ATTACHMENT_TYPES = ("image/", "application/pdf")


def type_code(value: str) -> str:
    """诉求类型 as a code: the code itself or its Chinese word (咨询 → consult); "" if neither."""
    v = (value or "").strip()
    if v in TicketType.values:
        return v
    return {str(label): code for code, label in TicketType.choices}.get(v, "")


def _decimal(value: Any, field_name: str, errors: list[FieldError]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field_name, _t("坐标应为数字。")))
        return None


def _clean_phone(value: str) -> str:
    digits = re.sub(r"[\s()（）]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def ticket_create(
    *,
    principal: Principal,
    data: TicketInput,
    channel: str,
    phone_verified: bool = False,
    at: dt.datetime | None = None,
) -> Ticket:
    """Register a 诉求. Who: the center (any channel; the caller's phone required for a call),
    a logged-in person (their own; phone and identity from their account), an API client
    (``api``/``open311``), or anyone whose phone the page verified by SMS (``phone_verified``)."""
    at = at or timezone.now()
    center = is_center(principal)
    if principal.kind == "staff" and not center:
        raise Forbidden(_t("仅 12345 热线中心的工作人员可以登记工单。"))
    if not principal.is_authenticated and not phone_verified:
        raise Unauthenticated()
    errors: list[FieldError] = []
    content = (data.content or "").strip()
    if not content:
        errors.append(FieldError("content", _t("请填写诉求内容。")))
    elif len(content) > MAX_CONTENT:
        errors.append(
            FieldError("content", _t("诉求内容不能超过 %(n)d 个字。") % {"n": MAX_CONTENT})
        )
    title = (data.title or "").strip() or content[:30]
    if len(title) > MAX_TITLE:
        errors.append(FieldError("title", _t("诉求标题不能超过 %(n)d 个字。") % {"n": MAX_TITLE}))
    kind = type_code(data.type) if data.type else TicketType.CONSULT
    if not kind:
        errors.append(
            FieldError("type", _t("诉求类型应为咨询、求助、投诉、举报、建议或表扬之一。"))
        )
    category = None
    if data.category:  # the cached tree (hotline.tree): no query
        category = tree().by_code.get(str(data.category).strip())
        if category is None or not category.active:
            errors.append(
                FieldError(
                    "category", _t("诉求分类“%(c)s”不存在。") % {"c": str(data.category)[:20]}
                )
            )
    if data.urgency not in Urgency.values:
        errors.append(FieldError("urgency", _t("紧急程度应为一般、紧急或特急。")))
    address = (data.address or "").strip()
    if len(address) > MAX_ADDRESS:
        errors.append(
            FieldError("address", _t("事发地址不能超过 %(n)d 个字。") % {"n": MAX_ADDRESS})
        )
    lat, lng = _decimal(data.lat, "lat", errors), _decimal(data.lng, "lng", errors)
    # who is calling
    phone = _clean_phone(data.caller_phone)
    reporter = (data.reporter_id_number or "").strip()
    name = (data.caller_name or "").strip()[:64]
    if principal.kind in ("person", "agent"):
        reporter = principal.id_number
        phone = phone or identity.person_phone(reporter)
        name = name or principal.name
    elif reporter and identity.person_by_id_number(reporter) is None:
        errors.append(FieldError("reporter_id_number", _t("未找到该诉求人的实名信息。")))
    if phone and not PHONE_RE.match(phone):
        errors.append(FieldError("caller_phone", _t("联系电话应为11位手机号或带区号的固话。")))
    if not phone and (channel == Channel.PHONE or phone_verified):
        errors.append(FieldError("caller_phone", _t("请填写来电号码。")))
    linked = (data.linked_case_no or "").strip().upper()
    if linked and not CASE_NO_RE.match(linked):
        errors.append(
            FieldError(
                "linked_case_no",
                _t("关联办件编号格式不正确（如 BJ44120020261123000001）。"),
            )
        )
    elif linked and not principal.is_authenticated:
        errors.append(FieldError("linked_case_no", _t("登录后才能关联办件，请登录后填写或留空。")))
    elif linked and cases.hotline_case_link(principal, linked) is None:
        errors.append(
            FieldError(
                "linked_case_no",
                _t("未找到编号为 %(no)s 的办件，请核对所涉办件编号。") % {"no": linked},
            )
        )
    attachments = _attachments(principal, data.attachments, errors)
    attachments += _media_links(data.media_urls, len(attachments), errors)
    attributes = _attributes(data.attributes, errors)
    place = None
    try:
        place = places.place_parse(
            address=address,
            content=content,
            region_code=data.region_code,
            lat=lat if not any(e.field == "lat" for e in errors) else None,
            lng=lng if not any(e.field == "lng" for e in errors) else None,
        )
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    assert place is not None
    with transaction.atomic():
        ticket = Ticket.objects.create(
            ticket_no=records.next_ticket_no(at),
            channel=channel,
            ticket_type=kind,
            category_id=category.pk if category else None,
            title=title,
            content=content,
            respondent=(data.respondent or "").strip()[:128],
            address=address,
            region_code=place.region_code,
            town_code=place.town_code,
            lat=lat,
            lng=lng,
            attachments=attachments,
            urgency=data.urgency,
            confidential=bool(data.confidential) or kind == TicketType.REPORT,  # 举报: always
            caller_phone=phone,
            caller_name=name,
            reporter_id_number=reporter,
            linked_case_no=linked,
            repeat_call=records.is_repeat_call(phone, category.pk if category else None, at),
            status=TicketStatus.REGISTERED,
            created_at=at,
            created_by=principal.actor if principal.is_authenticated else f"phone:{phone}",
        )
        records.add_event(
            ticket,
            actor=ticket.created_by,
            action="create",
            before="",
            at=at,
            data={"channel": channel, **({"attributes": attributes} if attributes else {})},
        )
        if timezone.localdate(at) < timezone.localdate():  # filed for a past day (demo seeds)
            daycounts.forget(timezone.localdate(at))
        records.tell_citizen(
            ticket, _t("已受理。可凭工单号和手机号在“12345 诉求进度查询”查看办理进度。")
        )
        audit.record(
            actor=ticket.created_by,
            action="hotline.ticket_create",
            object_type="hotline.ticket",
            object_id=ticket.ticket_no,
            after={
                **records.snapshot(ticket),
                "channel": channel,
                "type": kind,
                "category": category.code if category else "",
                "region_code": place.region_code,
                "town_code": place.town_code,
                "confidential": ticket.confidential,
                "caller_phone": identity.mask_phone(phone) if phone else "",
                "attachments": len(attachments),
            },
        )
    return ticket


def _attachments(
    principal: Principal, ids: tuple[str, ...] | list[str], errors: list[FieldError]
) -> list[dict[str, Any]]:
    """Each file the caller uploaded through ``files`` and an image or a PDF."""
    out: list[dict[str, Any]] = []
    if len(ids) > MAX_ATTACHMENTS:
        errors.append(FieldError("attachments", _t("附件最多 %(n)d 个。") % {"n": MAX_ATTACHMENTS}))
        return out
    for i, file_id in enumerate(ids):
        info = files.file_for_owner(str(file_id), principal.actor)
        if info is None:
            errors.append(FieldError(f"attachments[{i}]", _t("附件不存在或不是您上传的文件。")))
            continue
        if not info.content_type.startswith(ATTACHMENT_TYPES):
            errors.append(
                FieldError(
                    f"attachments[{i}]",
                    _t("附件“%(name)s”不是图片或 PDF 文件，请上传照片或 PDF。")
                    % {"name": info.name[:60]},
                )
            )
            continue
        out.append({"file_id": info.file_id, "name": info.name, "content_type": info.content_type})
    return out


MAX_MEDIA_URL = 500
MAX_ATTRIBUTES = 20
MAX_ATTRIBUTE_VALUE = 200
_url_ok = URLValidator(schemes=["http", "https"])


def _media_links(
    urls: tuple[str, ...] | list[str], already: int, errors: list[FieldError]
) -> list[dict[str, Any]]:
    """Each media link an http(s) URL (Open311 ``media_url``), counted with the files."""
    out: list[dict[str, Any]] = []
    urls = [u.strip() for u in urls if u and u.strip()]
    if already + len(urls) > MAX_ATTACHMENTS:
        errors.append(FieldError("media_url", _t("附件最多 %(n)d 个。") % {"n": MAX_ATTACHMENTS}))
        return out
    for url in urls:
        try:
            if len(url) > MAX_MEDIA_URL:
                raise DjangoValidationError("too long")
            _url_ok(url)
        except DjangoValidationError:
            errors.append(
                FieldError(
                    "media_url",
                    _t("图片链接应为以 http:// 或 https:// 开头、不超过 %(n)d 个字符的网址。")
                    % {"n": MAX_MEDIA_URL},
                )
            )
            continue
        out.append({"url": url, "name": _t("图片链接"), "kind": "link"})
    return out


def _attributes(values: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """A channel's extra values (Open311 ``attribute[code]``): at most 20 codes, each a text
    or a list of texts of at most 200 characters."""
    if not values:
        return {}
    if len(values) > MAX_ATTRIBUTES:
        errors.append(
            FieldError("attribute", _t("附加信息最多 %(n)d 项。") % {"n": MAX_ATTRIBUTES})
        )
        return {}
    out: dict[str, Any] = {}
    for code, value in values.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        texts = [str(v).strip() for v in items]
        if len(str(code)) > 64 or any(len(t) > MAX_ATTRIBUTE_VALUE for t in texts):
            errors.append(
                FieldError(
                    f"attribute[{str(code)[:64]}]",
                    _t("附加信息的每一项不能超过 %(n)d 个字。") % {"n": MAX_ATTRIBUTE_VALUE},
                )
            )
            continue
        out[str(code)] = texts if len(texts) > 1 else texts[0]
    return out
