"""Appending to and verifying the hash chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shuzheng.audit import anchors, hashing
from shuzheng.audit.contracts import AnchorRef, VerifyResult
from shuzheng.audit.models import AuditHead, AuditRecord
from shuzheng.core import rawsql
from shuzheng.core.context import get_request_id


def _hash_fields(rec: AuditRecord) -> dict[str, Any]:
    return {
        "seq": rec.seq,
        "at": rec.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": rec.actor,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "before": rec.before,
        "after": rec.after,
        "request_id": rec.request_id,
        "algorithm": rec.algorithm,
    }


_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
    "algorithm",
    "prev_hash",
    "hash",
)


_q = rawsql.quote


def _lock_head() -> tuple[int, str]:
    """Lock the chain head (PostgreSQL: the row until commit; SQLite: the transaction already
    holds the database's write lock, BEGIN IMMEDIATE) and return (last seq, last hash)."""
    table = _q(AuditHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cur:
        cur.execute(f"SELECT last_seq, last_hash FROM {table} WHERE id = 1{lock}")  # noqa: S608
        row = cur.fetchone()
        if row is None:
            cur.execute(
                f"INSERT INTO {table} (id, last_seq, last_hash) VALUES (1, 0, %s) "  # noqa: S608
                "ON CONFLICT (id) DO NOTHING",
                [hashing.GENESIS],
            )
            cur.execute(f"SELECT last_seq, last_hash FROM {table} WHERE id = 1{lock}")  # noqa: S608
            row = cur.fetchone()
    return int(row[0]), str(row[1])


def deferred() -> bool:
    """Whether records are chained after their transaction (``AUDIT_CHAIN = "deferred"``)."""
    return bool(settings.AUDIT_CHAIN == "deferred")


def audit_append(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditRecord | None:
    """Append one record. Must run inside the caller's transaction (the change it records).
    Returns the record in inline mode; None in deferred mode (no model instance is made).

    Plain parameterised SQL: this is the serial section of every audited write, so it is kept
    free of ORM query compilation. Values are prepared by the model's own fields, so rows are
    stored exactly as the ORM stores them and ``audit_verify`` (which reads through the ORM)
    recomputes the same hash.

    ``AUDIT_CHAIN = "inline"`` (SQLite's default): lock the head, insert the chained record,
    move the head — three statements; the head stays locked until the caller commits.
    ``"deferred"`` (PostgreSQL's default): insert the record unchained — one statement, no
    lock — and ``audit_seal`` chains it moments later, in commit order.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction of the change it records")
    values = {
        "seq": None,
        "at": timezone.now(),
        "actor": actor[:128],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:128],
        "before": hashing.normalise(before),
        "after": hashing.normalise(after),
        "request_id": get_request_id() or "",
        "algorithm": settings.AUDIT_HASH_ALGORITHM,
        "prev_hash": "",
        "hash": "",
    }
    if deferred():  # unchained: one insert, no model instance (this runs on every action)
        rawsql.insert(AuditRecord, values)
        return None
    rec = AuditRecord(**values)
    last_seq, last_hash = _lock_head()
    rec.seq, rec.prev_hash = last_seq + 1, last_hash
    rec.hash = hashing.record_hash(rec.algorithm, rec.prev_hash, _hash_fields(rec))
    rec.pk = rawsql.insert(AuditRecord, {c: getattr(rec, c) for c in _COLUMNS})
    with connection.cursor() as cur:
        _move_head(cur, rec.seq or 0, rec.hash)
    rec._state.adding = False
    return rec


def _move_head(cur: Any, seq: int, digest: str) -> None:
    cur.execute(
        f"UPDATE {_q(AuditHead._meta.db_table)} "  # noqa: S608
        "SET last_seq = %s, last_hash = %s WHERE id = 1",
        [seq, digest],
    )


def _place(cur: Any, ids: list[int], seqs: list[int], prevs: list[str], hashes: list[str]) -> None:
    """Give sealed records their place in the chain: on PostgreSQL one statement for the
    whole batch (arrays unnested), elsewhere one per record."""
    table = _q(AuditRecord._meta.db_table)
    if connection.vendor == "postgresql":
        cur.execute(
            f"UPDATE {table} AS r SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
            "AS v(id, seq, prev_hash, hash) WHERE r.id = v.id AND r.seq IS NULL",
            [ids, seqs, prevs, hashes],
        )
        return
    cur.executemany(
        f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s "  # noqa: S608
        "WHERE id = %s AND seq IS NULL",
        list(zip(seqs, prevs, hashes, ids, strict=True)),
    )


def audit_seal(*, batch: int = 5000) -> int:
    """Chain the committed records that have no place in the chain yet (deferred mode), oldest
    first; returns how many. Safe to run from several processes: the head lock orders them.

    Records are chained in the order they become visible, which is commit order up to the
    sealer's pace; a record whose transaction committed late simply takes a later place.
    Until a record is sealed its content is not yet protected by the chain (``audit_verify``
    reports how many are pending); ``shuzheng serve`` seals every half second.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            last_seq, last_hash = _lock_head()
            rows = list(AuditRecord.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not rows:
                return sealed
            ids: list[int] = []
            seqs: list[int] = []
            prevs: list[str] = []
            hashes: list[str] = []
            for rec in rows:
                last_seq += 1
                rec.seq, rec.prev_hash = last_seq, last_hash
                rec.hash = hashing.record_hash(rec.algorithm, rec.prev_hash, _hash_fields(rec))
                last_hash = rec.hash
                ids.append(rec.pk)
                seqs.append(last_seq)
                prevs.append(rec.prev_hash)
                hashes.append(rec.hash)
            with connection.cursor() as cur:
                _place(cur, ids, seqs, prevs, hashes)
                _move_head(cur, last_seq, last_hash)
        sealed += len(rows)
        if len(rows) < batch:
            return sealed


def audit_pending() -> int:
    """How many records wait for ``audit_seal``."""
    return AuditRecord.objects.filter(seq__isnull=True).count()


def audit_verify(*, batch: int = 2000) -> VerifyResult:
    """Walk the whole chain; name the first record whose content or link does not match.

    The head is read first and only records up to it are checked, so appends that happen while
    the walk runs (PostgreSQL, READ COMMITTED) are not mistaken for a missing tail. Then, when
    anchoring is on, every anchor is checked (``anchors.check``): a rewrite that recomputed
    every hash and the head still changes the hash at an anchored seq.
    """
    # the anchor files are listed before the head is read: the head only moves forward, so
    # every anchor listed fixes a record the walk below covers
    anchor_dir = anchors.directory()
    anchor_files = None
    if anchor_dir is not None and anchor_dir.is_dir():
        anchor_files = anchors.listing(anchor_dir)
    audit_seal()
    pending = audit_pending()
    head = AuditHead.objects.filter(id=1).first()
    last_seq = head.last_seq if head is not None else 0
    prev = hashing.GENESIS
    expected_seq = 1
    checked = 0
    while True:
        rows = list(
            AuditRecord.objects.filter(seq__gte=expected_seq, seq__lte=last_seq).order_by("seq")[
                :batch
            ]
        )
        if not rows:
            break
        for rec in rows:
            checked += 1
            reason = ""
            if rec.seq != expected_seq:
                reason = f"序号不连续：应为 {expected_seq}，实为 {rec.seq}"
            elif rec.prev_hash != prev:
                reason = "前一记录摘要与链不符（记录被删除、插入或前一记录被改）"
            else:
                want = hashing.record_hash(rec.algorithm, rec.prev_hash, _hash_fields(rec))
                if want != rec.hash:
                    reason = "记录内容与摘要不符（记录被篡改）"
            if reason:
                return VerifyResult(
                    ok=False,
                    checked=checked,
                    first_broken_seq=rec.seq,
                    first_broken_id=rec.id,
                    reason=reason,
                    pending=pending,
                )
            prev = rec.hash
            expected_seq += 1
    if head is not None and (expected_seq - 1 != last_seq or head.last_hash != prev):
        return VerifyResult(
            ok=False,
            checked=checked,
            first_broken_seq=expected_seq,
            reason="链尾记录缺失（最后的记录被删除）",
            pending=pending,
        )
    if anchor_dir is None:
        return VerifyResult(ok=True, checked=checked, pending=pending)
    found = anchors.check(anchor_files, d=anchor_dir, head_seq=last_seq, lookup=_hashes_at)
    return VerifyResult(
        ok=not found.problem,
        checked=checked,
        first_broken_seq=found.seq if found.problem else None,
        first_broken_id=found.record_id,
        reason=found.problem,
        pending=pending,
        anchoring=True,
        anchors=found.checked,
        anchored_seq=found.newest_seq,
        anchor_file=found.file,
        note=found.note,
    )


def _hashes_at(seqs: Iterable[int]) -> dict[int, tuple[int, str]]:
    rows = AuditRecord.objects.filter(seq__in=list(seqs)).values_list("seq", "id", "hash")
    return {seq: (pk, digest) for seq, pk, digest in rows if seq is not None}


def anchor_directory() -> Path | None:
    return anchors.directory()


def audit_head() -> tuple[int, str]:
    """(seq, hash) of the chain head after sealing what is pending; (0, genesis) when empty."""
    audit_seal()
    head = AuditHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    return (int(head[0]), str(head[1])) if head else (0, hashing.GENESIS)


def audit_anchor() -> AnchorRef | None:
    """Write an anchor of the chain head now (sealing pending records first); None when the
    chain is empty. The newest anchor is returned unchanged when the head has not moved.
    Raises ``anchors.AnchorError`` when anchoring is off or cannot proceed."""
    if anchors.directory() is None:
        raise anchors.AnchorError("审计锚定未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off）")
    anchors.signer().prepare()
    audit_seal()
    head = AuditHead.objects.filter(id=1).values_list("last_seq", "last_hash").first()
    if head is None or head[0] == 0:
        return None
    seq, digest = head
    algorithm = (
        AuditRecord.objects.filter(seq=seq).values_list("algorithm", flat=True).first()
        or settings.AUDIT_HASH_ALGORITHM
    )
    return anchors.write(seq=seq, digest=digest, algorithm=algorithm)


def audit_backlog() -> int:
    """How many committed records wait for ``audit_seal``."""
    return AuditRecord.objects.filter(seq__isnull=True).count()
