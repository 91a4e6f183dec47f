"""Open311 ``api_key`` values: issued to an identity API client, stored as SHA-256, checked on
every Open311 POST (GeoReport v2 has no other authentication)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.hotline.models import Open311Key
from shuzheng.identity.contracts import Principal


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_issue(*, client_id: str, actor: str, key: str | None = None) -> str:
    """A new key for ``client_id`` (given ``key``: that one, for the demo's fixed key); shown
    once. Idempotent for a given key."""
    key = key or "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        _, created = Open311Key.objects.get_or_create(
            key_sha256=_digest(key), defaults={"client_id": client_id}
        )
        if created:
            audit.record(
                actor=actor,
                action="hotline.open311_key_issue",
                object_type="hotline.open311_key",
                object_id=client_id,
                after={"client_id": client_id},
            )
    return key


def principal_for_key(key: str) -> Principal | None:
    """The API client a key was issued to, or None for an unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    row = Open311Key.objects.filter(key_sha256=_digest(key), active=True).first()
    if row is None:
        return None
    return Principal(
        kind="client",
        username=row.client_id,
        client_id=row.client_id,
        client_kind="outside",
        scopes=("open311",),
    )
