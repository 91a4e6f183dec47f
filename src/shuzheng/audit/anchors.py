"""Anchors: signed checkpoints of the chain head, kept outside the database.

The hash chain shows that no record was changed *unless* whoever changed it also recomputed
every later hash and the head — which anyone who can write the database can do. An anchor
fixes the head at one moment (sequence number, hash, time) in a file outside the database,
signed with the platform's SM2 key: a rewrite of any record up to an anchored sequence number
changes that record's hash (each hash covers all before it), and ``audit_verify`` names the
anchor that no longer matches.

Files: one per anchor, ``anchor-<seq, 12 digits>.json`` in ``AUDIT_ANCHOR_DIR``, created with
``O_EXCL`` (an existing file is never replaced), read-only mode, ``fsync``-ed with its directory.
Copy the directory to write-once storage (object lock, WORM): a local attacker who can delete
files here could otherwise remove the anchors along with the rewrite.

Signing: ``audit`` is below ``seals`` (which owns the platform's key), so ``seals`` hands an
``AnchorSigner`` to ``use_signer`` when Django starts (``seals.apps``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from shuzheng.audit import hashing, timestamp
from shuzheng.audit.contracts import AnchorRef, AnchorSignature, AnchorSigner

FORMAT = "shuzheng-audit-anchor/1"
_NAME = re.compile(r"^anchor-(\d{12})\.json$")
_BODY_KEYS = {"format", "seq", "hash", "algorithm", "at"}

_signer: AnchorSigner | None = None


class AnchorError(RuntimeError):
    """Anchoring cannot proceed (no signer, the chain is behind its newest anchor, …)."""


class AnchorFormatError(ValueError):
    pass


def use_signer(signer: AnchorSigner | None) -> None:
    global _signer
    _signer = signer


def signer() -> AnchorSigner:
    if _signer is None:
        raise AnchorError("没有审计锚点签名者（seals 模块未加载）")
    return _signer


def directory() -> Path | None:
    """Where anchors are kept; None when anchoring is off (``SHUZHENG_AUDIT_ANCHOR_DIR=off``)."""
    d = getattr(settings, "AUDIT_ANCHOR_DIR", None)
    return Path(d) if d else None


def file_name(seq: int) -> str:
    return f"anchor-{seq:012d}.json"


def listing(d: Path) -> list[tuple[int, Path]]:
    """The anchor files in ``d``, oldest first (other files are ignored)."""
    out = []
    for entry in os.scandir(d):
        m = _NAME.match(entry.name)
        if m and entry.is_file():
            out.append((int(m.group(1)), Path(entry.path)))
    return sorted(out)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def write_once(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; FileExistsError if it exists (it is never replaced)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)  # the new name is durable too
    finally:
        os.close(dfd)


@dataclass(frozen=True)
class Loaded:
    body: dict[str, Any]
    message: bytes  # the canonical bytes that were signed and time-stamped
    signature: AnchorSignature
    token: bytes  # RFC 3161 token, b"" when none


def load(path: Path) -> Loaded:
    try:
        doc = json.loads(path.read_bytes())
        body = doc["anchor"]
        sig = doc["signature"]
        if not isinstance(body, dict) or set(body) != _BODY_KEYS or body["format"] != FORMAT:
            raise AnchorFormatError("锚点内容不是本平台的格式")
        if not isinstance(body["seq"], int) or not isinstance(body["hash"], str):
            raise AnchorFormatError("锚点的序号或摘要格式错误")
        signature = AnchorSignature(
            algorithm=str(sig["algorithm"]),
            key_id=str(sig["key_id"]),
            public_key_pem=str(sig["public_key_pem"]),
            value=base64.b64decode(sig["value"], validate=True),
        )
        ts = doc.get("timestamp")
        token = base64.b64decode(ts["token"], validate=True) if ts else b""
    except AnchorFormatError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnchorFormatError(f"锚点文件无法读取：{exc}") from None
    m = _NAME.match(path.name)
    if m is None or int(m.group(1)) != body["seq"]:
        raise AnchorFormatError("锚点文件名与其中的序号不符")
    return Loaded(body, hashing.canonical_bytes(body), signature, token)


def _ref(path: Path, loaded: Loaded, *, created: bool, ts_error: str = "") -> AnchorRef:
    return AnchorRef(
        seq=loaded.body["seq"],
        hash=loaded.body["hash"],
        at=loaded.body["at"],
        path=path,
        key_id=loaded.signature.key_id,
        created=created,
        timestamped=bool(loaded.token),
        timestamp_error=ts_error,
    )


def write(*, seq: int, digest: str, algorithm: str) -> AnchorRef:
    """Anchor the head (``seq``, ``digest``) now, unless the newest anchor already fixes it."""
    d = directory()
    if d is None:
        raise AnchorError("审计锚定未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off）")
    d.mkdir(parents=True, exist_ok=True)
    existing = listing(d)
    if existing and existing[-1][0] >= seq:
        newest_seq, newest_path = existing[-1]
        if newest_seq > seq:
            raise AnchorError(
                f"最新锚点 {newest_path.name} 锚定了第 {newest_seq} 条记录，但链头只到第 {seq} "
                "条：链缺少已锚定的记录（被删除，或数据库来自更早的备份）。请先运行 audit_verify。"
            )
        loaded = load(newest_path)
        if loaded.body["hash"] != digest:
            raise AnchorError(f"锚点 {newest_path.name} 的摘要与当前链头不符：链已被改写")
        return _ref(newest_path, loaded, created=False)
    body = {
        "format": FORMAT,
        "seq": seq,
        "hash": digest,
        "algorithm": algorithm,
        "at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    message = hashing.canonical_bytes(body)
    sig = signer().sign(message)
    doc: dict[str, Any] = {
        "anchor": body,
        "signature": {
            "algorithm": sig.algorithm,
            "key_id": sig.key_id,
            "public_key_pem": sig.public_key_pem,
            "value": _b64(sig.value),
        },
    }
    ts_error = ""
    if settings.AUDIT_TSA_URL:
        try:
            token = timestamp.request(
                settings.AUDIT_TSA_URL,
                message,
                trusted_pem=timestamp.trusted_pem(settings.AUDIT_TSA_CERT),
            )
            doc["timestamp"] = {"tsa": settings.AUDIT_TSA_URL, "token": _b64(token)}
        except (timestamp.TimestampError, OSError) as exc:
            ts_error = str(exc)  # the signed anchor is still written; the caller reports this
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"
    path = d / file_name(seq)
    try:
        write_once(path, data)
    except FileExistsError:  # another process anchored the same head meanwhile
        loaded = load(path)
        if loaded.body["hash"] != digest:
            raise AnchorError(f"锚点 {path.name} 已存在且摘要不同：链已被改写") from None
        return _ref(path, loaded, created=False)
    return _ref(path, load(path), created=True, ts_error=ts_error)


def restore(d: Path, name: str, data: bytes) -> bool:
    """Put an anchor file from a backup into ``d``: written once if missing (True), left alone
    if the same bytes are there (False); a different file under that name is an AnchorError."""
    if not _NAME.match(name):
        raise AnchorError(f"{name} 不是锚点文件名")
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    try:
        write_once(path, data)
        return True
    except FileExistsError:
        if path.read_bytes() != data:
            raise AnchorError(f"锚点 {name} 已存在且内容不同：锚点从不覆盖") from None
        return False


@dataclass(frozen=True)
class Check:
    checked: int = 0
    newest_seq: int | None = None
    file: str = ""
    seq: int | None = None
    record_id: int | None = None
    problem: str = ""
    note: str = ""


def _signature_problem(loaded: Loaded) -> str:
    sig = loaded.signature
    keys = tuple(getattr(settings, "AUDIT_ANCHOR_KEYS", ()))
    if keys and sig.key_id not in keys:
        return f"签名密钥 {sig.key_id} 不在受信任的锚定密钥中（SHUZHENG_AUDIT_ANCHOR_KEYS）"
    reason = signer().check(loaded.message, sig)
    if reason:
        return reason
    if loaded.token:
        try:
            timestamp.check(
                loaded.token,
                loaded.message,
                trusted_pem=timestamp.trusted_pem(settings.AUDIT_TSA_CERT),
            )
        except timestamp.TimestampError as exc:
            return str(exc)
    return ""


def check(
    files: list[tuple[int, Path]] | None,
    *,
    d: Path,
    head_seq: int,
    lookup: Callable[[Iterable[int]], dict[int, tuple[int, str]]],
    batch: int = 500,
) -> Check:
    """Check every anchor in ``files`` (``None``: the directory is missing) against the chain:
    a valid signature (and time-stamp, when present), and the record at the anchored sequence
    number still has the anchored hash. ``lookup(seqs)`` gives {seq: (record id, hash)}."""
    if files is None:
        if head_seq == 0:
            return Check(note=f"锚定目录 {d} 尚不存在（链为空）")
        return Check(
            file=str(d),
            problem=f"锚定目录 {d} 不存在：无法确认链未被改写（已配置锚定，目录应在此处）",
        )
    if not files:
        note = "尚无锚点：运行 shuzheng audit_anchor（serve 定期锚定）" if head_seq else ""
        return Check(note=note)
    checked = 0
    last_good = 0
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        found = lookup([seq for seq, _ in chunk if seq <= head_seq])
        for seq, path in chunk:
            try:
                loaded = load(path)
            except AnchorFormatError as exc:
                return Check(checked, None, path.name, seq, None, f"锚点 {path.name}：{exc}")
            problem = _signature_problem(loaded)
            if problem:
                return Check(
                    checked, None, path.name, seq, None, f"锚点 {path.name} 的签名无效：{problem}"
                )
            checked += 1
            if seq > head_seq or seq not in found:
                return Check(
                    checked,
                    None,
                    path.name,
                    seq,
                    None,
                    f"锚点 {path.name} 锚定了第 {seq} 条记录，但链中没有这条记录（链头第 "
                    f"{head_seq} 条）：已锚定的记录被删除，或数据库来自更早的备份",
                )
            record_id, digest = found[seq]
            if digest != loaded.body["hash"]:
                return Check(
                    checked,
                    None,
                    path.name,
                    seq,
                    record_id,
                    f"第 {seq} 条记录的摘要与锚点 {path.name}（{loaded.body['at']}）不符："
                    f"第 {last_good + 1}–{seq} 条之间的记录在锚定后被改写（链的摘要被重新计算）",
                )
            last_good = seq
    note = ""
    if last_good < head_seq:
        note = f"第 {last_good + 1}–{head_seq} 条记录在最新锚点之后，尚未锚定"
    return Check(checked, last_good, note=note)
