"""Reads of the seals module. Public keys and certificates are public; nothing here is
scoped (no personal data)."""

from __future__ import annotations

import time

from django.utils import timezone

from shuzheng.core.errors import NotFound
from shuzheng.seals import certs, crypto
from shuzheng.seals.contracts import SealInfo
from shuzheng.seals.models import Seal


def info(seal: Seal) -> SealInfo:
    return SealInfo(
        seal_id=seal.seal_id,
        department_code=seal.department_code,
        department_name=seal.department_name,
        department_uscc=seal.department_uscc,
        name=seal.name,
        purpose=seal.purpose,
        algorithm=seal.algorithm,
        key_id=seal.key_id,
        public_key_pem=crypto.pem_of(bytes(seal.public_key_der)),
        status=seal.status,
        valid_from=seal.valid_from,
        valid_until=seal.valid_until,
        retired_at=seal.retired_at,
        certificate_pem=certs.pem(bytes(seal.certificate_der)) if seal.certificate_der else "",
    )


def active_seal(department_code: str, algorithm: str) -> Seal | None:
    now = timezone.now()
    return Seal.objects.filter(
        department_code=department_code,
        algorithm=algorithm,
        status=Seal.Status.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
    ).first()


# Verification looks a key up by id on every call. Keys never change; only their status
# does (retire, revoke), so rows are kept per process for CACHE_SECONDS: a revocation made in
# another process takes effect there within that time (at once in this one, see clear_cache).
CACHE_SECONDS = 30.0
_by_key_id: dict[str, tuple[float, Seal | None]] = {}


def clear_cache() -> None:
    _by_key_id.clear()


def seal_by_key_id(key_id: str) -> Seal | None:
    now = time.monotonic()
    hit = _by_key_id.get(key_id)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    seal = Seal.objects.filter(key_id=key_id).first()
    if len(_by_key_id) > 1000:
        _by_key_id.clear()
    _by_key_id[key_id] = (now, seal)
    return seal


def seals_of_department(department_code: str) -> list[Seal]:
    rows = list(Seal.objects.filter(department_code=department_code))
    if not rows:
        raise NotFound("该部门尚未制作电子印章。")
    return rows


def public_seal(department_code: str, algorithm: str, key_id: str = "") -> Seal:
    """The seal whose public key is published: the given key id, else the active one."""
    qs = Seal.objects.filter(department_code=department_code)
    if key_id:
        seal = qs.filter(key_id=key_id).first()
    else:
        seal = (
            qs.filter(algorithm=algorithm, status=Seal.Status.ACTIVE).first()
            or qs.filter(algorithm=algorithm).order_by("-valid_from").first()
        )
    if seal is None:
        raise NotFound("未找到该部门的电子印章公钥。")
    return seal
