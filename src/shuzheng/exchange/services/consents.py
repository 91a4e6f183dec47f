"""Consents (数字空间授权): the data subject lets a requester read chosen fields, or revokes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, ValidationFailed
from shuzheng.exchange import selectors
from shuzheng.exchange.models import Consent, ConsentScope, Consumer, Resource, SubjectKind
from shuzheng.exchange.services.common import (
    check_days,
    check_text,
    field_subset,
    refusals_audited,
    resource_for_input,
    short,
)
from shuzheng.identity.contracts import Principal

MAX_CONSENT_DAYS = 1095


def consent_grant(
    *,
    principal: Principal,
    requester: str,
    resource_code: str,
    purpose: str,
    days: int,
    fields: list[str] | None = None,
    enterprise_uscc: str | None = None,
) -> Consent:
    """The data subject lets a named requester read chosen fields for a purpose and period."""
    with refusals_audited(
        principal,
        action="exchange.consent_grant_refused",
        object_type="exchange.resource",
        object_id=short(resource_code, 40),
        context={"requester": short(requester), "enterprise": short(enterprise_uscc, 18)},
    ):
        kind, sid = selectors.own_subject(principal, enterprise_uscc)
    consumer = Consumer.objects.filter(client_id=str(requester or ""), is_active=True).first()
    if consumer is None:
        raise ValidationFailed.one("requester", f"被授权方 {requester} 不是已接入的机构。")
    info = resource_for_input(resource_code)
    if info.subject_kind != kind:
        raise ValidationFailed.one(
            "resource", f"{info.name}的数据主体是{SubjectKind(info.subject_kind).label}。"
        )
    if info.consent_scope == ConsentScope.NONE:
        raise ValidationFailed.one("resource", f"{info.name}仅用于政务共享，不能授权给其他机构。")
    names = info.field_names if fields is None else field_subset(info, fields)
    purpose = check_text(purpose, "purpose", "用途", min_len=2, max_len=200)
    days = check_days(days, "days", MAX_CONSENT_DAYS)
    now = timezone.now()
    with transaction.atomic():
        consent = Consent.objects.create(
            subject_kind=kind,
            subject_id=sid,
            granted_by=principal.username,
            requester=consumer.client_id,
            requester_name=consumer.name,
            resource=Resource.objects.get(code=info.code),
            fields=names,
            purpose=purpose,
            valid_from=now,
            valid_until=now + dt.timedelta(days=days),
        )
        audit.record(
            actor=principal.actor,
            action="exchange.consent_granted",
            object_type="exchange.consent",
            object_id=str(consent.pk),
            after={
                "subject_kind": kind,
                "subject": sid,
                "requester": consumer.client_id,
                "resource": info.code,
                "fields": names,
                "purpose": purpose,
                "valid_until": consent.valid_until.isoformat(),
            },
        )
    return consent


def consent_revoke(*, principal: Principal, consent_id: int) -> Consent:
    """Revoke at once: the requester's very next call is refused."""
    with refusals_audited(
        principal,
        action="exchange.consent_revoke_refused",
        object_type="exchange.consent",
        object_id=consent_id,
    ):
        consent = selectors.consent_for(principal, consent_id)
    if consent.revoked_at is not None:
        raise Conflict("该授权已撤销。")
    with transaction.atomic():
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        audit.record(
            actor=principal.actor,
            action="exchange.consent_revoked",
            object_type="exchange.consent",
            object_id=str(consent.pk),
            before={"revoked_at": None},
            after={"revoked_at": consent.revoked_at.isoformat(), "requester": consent.requester},
        )
    return consent
