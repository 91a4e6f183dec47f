"""Status changes of a licence: suspend, resume, cancel (注销), revoke (吊销), expire.

Every change writes a ``LicenseEvent`` and an audit record in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, Forbidden, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import selectors
from shuzheng.licenses.models import License, LicenseEvent, LicenseStatus

ACTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "suspend": (("valid",), "suspended", ""),
    "resume": (("suspended",), "valid", ""),
    "cancel": (("valid", "suspended", "expired"), "revoked", "cancel"),  # 注销
    "revoke": (("valid", "suspended"), "revoked", "revoke"),  # 吊销
}
ACTION_NAMES = {"suspend": "中止", "resume": "恢复", "cancel": "注销", "revoke": "吊销"}


def _set_status(
    lic: License, *, to: str, action: str, reason: str, actor: str, kind: str = ""
) -> None:
    before = {"status": lic.status, "revocation_kind": lic.revocation_kind}
    lic.status = to
    if kind:
        lic.revocation_kind = kind
    lic.save(update_fields=["status", "revocation_kind", "updated_at"])
    LicenseEvent.objects.create(
        license=lic,
        action=action,
        from_status=before["status"],
        to_status=to,
        reason=reason[:500],
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=f"licenses.{action}",
        object_type="licenses.license",
        object_id=lic.license_id,
        before=before,
        after={"status": to, "revocation_kind": lic.revocation_kind, "reason": reason[:500]},
    )


def license_change_status(
    *, principal: Principal, license_id: str, action: str, reason: str
) -> License:
    lic = selectors.license_for(principal, license_id)
    if not selectors.can_manage(principal, lic):
        raise Forbidden("仅发证部门的审批人员、负责人或平台管理员可以变更证照状态。")
    if action not in ACTIONS:
        raise ValidationFailed.one("action", "操作应为 suspend、resume、cancel 或 revoke。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.one("reason", f"请说明{ACTION_NAMES[action]}的原因和依据。")
    allowed, to, kind = ACTIONS[action]
    with transaction.atomic():
        lic = License.objects.select_for_update().select_related("license_type").get(pk=lic.pk)
        current = selectors.effective_status(lic)
        if current == "expired" and lic.status != "expired":
            _set_status(
                lic, to="expired", action="expire", reason="超过有效期", actor="system:licenses"
            )
        if current not in allowed:
            raise Conflict(
                f"证照当前状态为“{selectors.status_name(current)}”，不能{ACTION_NAMES[action]}。",
                extra={"status": current},
            )
        _set_status(lic, to=to, action=action, reason=reason, actor=principal.actor, kind=kind)
    return lic


def license_cancel_for_case(*, license_id: str, case_no: str, reason: str, actor: str) -> bool:
    """注销 a licence a case issued when the case no longer stands (the applicant withdrew it
    while its result was being issued). Only a licence issued for that case; returns whether
    it was cancelled (False when it is unknown, of another case, or already revoked)."""
    with transaction.atomic():
        lic = (
            License.objects.select_for_update()
            .filter(license_id=license_id, case_no=case_no)
            .first()
        )
        allowed, to, kind = ACTIONS["cancel"]
        if lic is None or lic.status not in allowed:
            return False
        _set_status(lic, to=to, action="cancel", reason=reason, actor=actor, kind=kind)
    return True


def licenses_expire(*, today: dt.date | None = None) -> int:
    """Mark valid licences past their end date as expired (with history). Idempotent."""
    today = today or timezone.localdate()
    n = 0
    with transaction.atomic():
        for lic in License.objects.select_for_update().filter(
            status=LicenseStatus.VALID, valid_until__lt=today
        ):
            _set_status(
                lic, to="expired", action="expire", reason="超过有效期", actor="system:licenses"
            )
            n += 1
    return n
