"""Shared by the anchor tests of audit and seals: a sealed chain chained inline, anchored into
the test's own directory, and what a database writer can do to it."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from shuzheng.audit import facade, hashing
from shuzheng.audit.models import AuditHead, AuditRecord
from shuzheng.audit.services import _hash_fields

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def anchor_dir(request, settings, tmp_path):
    """A sealed chain, chained inline, anchored into this test's own directory."""
    request.getfixturevalue("db")
    facade.seal()
    settings.AUDIT_CHAIN = "inline"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    settings.AUDIT_ANCHOR_KEYS = ()
    settings.AUDIT_TSA_URL = ""
    settings.AUDIT_TSA_CERT = ""
    return tmp_path / "anchors"


def append(n: int, action: str = "test.change") -> list[AuditRecord]:
    with transaction.atomic():
        for i in range(n):
            facade.record(
                actor="user:tester",
                action=action,
                object_type="test.thing",
                object_id=str(i),
                before={"v": i},
                after={"v": i + 1, "名": "测试"},
            )
    return list(AuditRecord.objects.filter(action=action).order_by("seq"))


def rewrite(victim: AuditRecord, actor: str) -> None:
    """What anyone who can write the database can do: edit one row, then recompute its hash,
    every later link and hash, and the head."""
    prev = AuditRecord.objects.get(seq=victim.seq - 1).hash if victim.seq > 1 else hashing.GENESIS
    for rec in AuditRecord.objects.filter(seq__gte=victim.seq).order_by("seq"):
        if rec.pk == victim.pk:
            rec.actor = actor
        rec.prev_hash = prev
        rec.hash = hashing.record_hash(rec.algorithm, prev, _hash_fields(rec))
        AuditRecord.objects.filter(pk=rec.pk).update(
            actor=rec.actor, prev_hash=rec.prev_hash, hash=rec.hash
        )
        prev = rec.hash
    AuditHead.objects.filter(id=1).update(last_hash=prev)


def head() -> tuple[int, str]:
    return AuditHead.objects.values_list("last_seq", "last_hash").get(id=1)
