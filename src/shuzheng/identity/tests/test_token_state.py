"""The bearer-token check is one hand-written statement (it runs on every API call): it must
give what the ORM gives for every kind of token, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shuzheng.identity import services
from shuzheng.identity.models import ApiClient, ApiToken, User
from shuzheng.identity.selectors import _token_state

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _orm_state(key_hash: str) -> tuple[object, ...] | None:
    return (
        ApiToken.objects.filter(
            key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values_list("user_id", "client_id", "user__is_active", "client__is_active")
        .first()
    )


def test_the_token_check_equals_the_orm_for_every_kind_of_token():
    with time_machine.travel(DAY, tick=False):
        citizen = User.objects.get(username="demo-citizen")
        clerk = User.objects.get(username="demo-clerk")
        client = ApiClient.objects.order_by("id").first()
        assert client is not None
        tokens = {
            "user": services._token_create(user=citizen).access_token,
            "revoked": services._token_create(user=citizen).access_token,
            "inactive user": services._token_create(user=clerk).access_token,
            "client": services._token_create(client=client).access_token,
            "unknown": "sz_no-such-token",
        }
        services.token_revoke(raw=tokens["revoked"])
        User.objects.filter(pk=clerk.pk).update(is_active=False)
        expired = services._token_create(user=citizen).access_token
    hashes = {name: services.token_hash(raw) for name, raw in tokens.items()}
    hashes["expired"] = services.token_hash(expired)
    with time_machine.travel(DAY + dt.timedelta(minutes=10), tick=False):
        ApiToken.objects.filter(key_hash=hashes["expired"]).update(
            expires_at=DAY + dt.timedelta(minutes=5)
        )
        states = {name: _token_state(h) for name, h in hashes.items()}
        assert states == {name: _orm_state(h) for name, h in hashes.items()}
    assert states["user"] == (citizen.pk, None, True, None)
    assert states["client"] == (None, client.pk, None, client.is_active)
    assert states["inactive user"] == (clerk.pk, None, False, None)
    assert states["revoked"] is None and states["expired"] is None and states["unknown"] is None
