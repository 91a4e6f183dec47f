import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from shuzheng.audit import facade
from shuzheng.audit.models import AppendOnlyError, AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_on_a_sealed_chain(request, settings):
    """Each test starts on a sealed chain (a PostgreSQL run, deferred like production, leaves
    the demo data's records unchained) and chains inline unless it asks for ``deferred``."""
    if "django_db" in {m.name for m in request.node.iter_markers()}:
        request.getfixturevalue("db")
        facade.seal()
    settings.AUDIT_CHAIN = "inline"


def _append(n: int) -> list[AuditRecord]:
    with transaction.atomic():
        for i in range(n):
            facade.record(
                actor="user:tester",
                action="test.change",
                object_type="test.thing",
                object_id=str(i),
                before={"v": i},
                after={"v": i + 1, "名": "测试"},
            )
    return list(AuditRecord.objects.order_by("seq"))


def test_records_chain_and_verify():
    rows = _append(5)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    result = facade.verify()
    assert result.ok and result.checked == len(rows)


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        facade.record(actor="x", action="y", object_type="z", object_id="1")


def test_orm_cannot_update_or_delete():
    rec = _append(1)[-1]
    rec.actor = "someone else"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_changing_a_row_by_hand_is_detected_and_named():
    rows = _append(6)
    victim = rows[-3]
    _raw("UPDATE audit_auditrecord SET object_id = %s WHERE id = %s", ["tampered", victim.id])
    result = facade.verify()
    assert not result.ok
    assert result.first_broken_seq == victim.seq
    assert result.first_broken_id == victim.id
    with pytest.raises(CommandError, match=rf"seq={victim.seq} id={victim.id}"):
        call_command("audit_verify")


def test_changing_before_after_json_is_detected():
    rows = _append(3)
    victim = rows[-2]
    _raw("UPDATE audit_auditrecord SET after = %s WHERE id = %s", ['{"v": 999}', victim.id])
    assert facade.verify().first_broken_seq == victim.seq


def test_deleting_a_middle_row_is_detected():
    rows = _append(4)
    victim = rows[-2]
    _raw("DELETE FROM audit_auditrecord WHERE id = %s", [victim.id])
    result = facade.verify()
    assert not result.ok and result.first_broken_seq == rows[-1].seq


def test_deleting_the_last_row_is_detected():
    rows = _append(3)
    _raw("DELETE FROM audit_auditrecord WHERE id = %s", [rows[-1].id])
    result = facade.verify()
    assert not result.ok and result.first_broken_seq == rows[-1].seq


def test_recomputing_a_hash_does_not_hide_tampering():
    rows = _append(4)
    victim = rows[-2]
    _raw(
        "UPDATE audit_auditrecord SET actor = %s, hash = %s WHERE id = %s",
        ["evil", "f" * 64, victim.id],
    )
    assert facade.verify().first_broken_seq == victim.seq


def test_command_ok(capsys):
    _append(2)
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out


def test_sha256_alternative(settings):
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    rows = _append(2)
    assert rows[-1].algorithm == "sha256"
    assert facade.verify().ok


def test_sm3_matches_the_reference_implementation():
    from gmssl import func, sm3

    from shuzheng.audit.hashing import digest

    for data in (b"", b"abc", "审计记录".encode(), bytes(range(256)) * 3):
        assert digest("sm3", data) == sm3.sm3_hash(func.bytes_to_list(data))
    # GB/T 32905 example: SM3("abc")
    assert (
        digest("sm3", b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


# --- deferred chaining (AUDIT_CHAIN = "deferred", PostgreSQL's default outside tests) ----------


@pytest.fixture
def deferred(settings):
    settings.AUDIT_CHAIN = "deferred"


def test_deferred_records_are_written_unchained_and_sealed_in_order(deferred):
    from shuzheng.audit.models import AuditHead
    from shuzheng.audit.services import audit_pending

    before = AuditRecord.objects.filter(seq__isnull=False).count()
    head_before = AuditHead.objects.filter(id=1).values_list("last_seq", flat=True).first() or 0
    with transaction.atomic():
        for i in range(3):
            facade.record(actor="user:t", action="test.deferred", object_type="t", object_id=i)
    fresh = list(AuditRecord.objects.filter(action="test.deferred").order_by("id"))
    assert [r.seq for r in fresh] == [None, None, None] and all(r.hash == "" for r in fresh)
    assert audit_pending() == 3
    # the head did not move: no writer waited on it
    assert (AuditHead.objects.filter(id=1).values_list("last_seq", flat=True).first() or 0) == (
        head_before
    )
    assert facade.seal() == 3 and facade.seal() == 0 and audit_pending() == 0
    sealed = list(AuditRecord.objects.filter(action="test.deferred").order_by("id"))
    assert [r.seq for r in sealed] == [head_before + 1, head_before + 2, head_before + 3]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(sealed))
    result = facade.verify()
    assert result.ok and result.checked == before + 3 and result.pending == 0


def test_deferred_verify_seals_first_and_still_detects_tampering(deferred):
    with transaction.atomic():
        for i in range(4):
            facade.record(actor="user:t", action="test.deferred", object_type="t", object_id=i)
    assert facade.verify().ok  # sealed the four, then walked the chain
    victim = AuditRecord.objects.filter(action="test.deferred").order_by("id")[1]
    _raw("UPDATE audit_auditrecord SET actor = %s WHERE id = %s", ["user:mallory", victim.id])
    result = facade.verify()
    assert not result.ok and result.first_broken_seq == victim.seq


def test_a_record_committed_after_a_seal_takes_the_next_place(deferred):
    """Commit order, not id order: a row that becomes visible late is chained after the others."""
    with transaction.atomic():
        facade.record(actor="user:t", action="test.first", object_type="t", object_id="1")
    facade.seal()
    with transaction.atomic():
        facade.record(actor="user:t", action="test.second", object_type="t", object_id="2")
    facade.seal()
    first = AuditRecord.objects.get(action="test.first")
    second = AuditRecord.objects.get(action="test.second")
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert facade.verify().ok


def test_switching_modes_keeps_one_chain(settings):
    settings.AUDIT_CHAIN = "inline"
    _append(2)
    settings.AUDIT_CHAIN = "deferred"
    with transaction.atomic():
        facade.record(actor="user:t", action="test.deferred", object_type="t", object_id="x")
    settings.AUDIT_CHAIN = "inline"
    with transaction.atomic():  # an inline writer first chains nothing pending: verify seals
        facade.record(actor="user:t", action="test.inline", object_type="t", object_id="y")
    result = facade.verify()
    assert result.ok, result
