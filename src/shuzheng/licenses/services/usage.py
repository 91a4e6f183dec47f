"""用证记录: a case's use of a licence instead of a paper material (免证办), and audited reads
of a licence by someone other than its holder."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import selectors
from shuzheng.licenses.models import License, LicenseStatus, LicenseUse


def license_record_use(*, license_id: str, case_no: str, purpose: str, actor: str) -> LicenseUse:
    """Record that a case used this licence instead of a paper material (用证记录)."""
    lic = selectors.by_license_id(license_id)
    if lic is None:
        raise NotFound("未找到该电子证照。")
    status = selectors.effective_status(lic)
    if status != LicenseStatus.VALID:
        raise Conflict(f"证照状态为“{selectors.status_name(status)}”，不能用于办事。")
    if not purpose.strip():
        raise ValidationFailed.one("purpose", "请说明用证事由。")
    with transaction.atomic():
        use = LicenseUse.objects.create(
            license=lic,
            kind=LicenseUse.Kind.USE,
            actor=actor,
            purpose=purpose[:200],
            case_no=case_no[:32],
            result="used",
            at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="licenses.use",
            object_type="licenses.license",
            object_id=lic.license_id,
            after={"case_no": case_no, "purpose": purpose[:200]},
        )
    return use


def license_read_audit(*, principal: Principal, lic: License, what: str) -> None:
    """Reads of a licence by someone other than its holder are audited."""
    if selectors.is_holder(principal, lic):
        return
    with transaction.atomic():
        audit.record(
            actor=principal.actor,
            action=f"licenses.read_{what}",
            object_type="licenses.license",
            object_id=lic.license_id,
        )
