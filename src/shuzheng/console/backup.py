"""Backup and restore (docs/howto/backup.md): the database, the uploaded files and the audit
anchors, in one directory with a manifest of SHA-256 sums.

Order of a backup: seal and anchor the audit chain, copy the anchors, dump the database, copy
the files. Anchors are copied before the dump, so every anchor in a backup fixes a record the
dump holds (the head only moves forward); files are copied after it, so every file a row of the
dump names is there (a file uploaded meanwhile is an orphan, harmless). PostgreSQL is dumped with
``pg_dump --format=custom`` (one consistent snapshot) and restored with ``pg_restore`` into a new,
empty database; SQLite is copied with its online backup API.

A restore checks the sums, refuses a database that is not empty and never overwrites a
different file or anchor, then verifies the audit chain and every anchor in the restored
database (``audit.facade.verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from shuzheng.audit import facade as audit

FORMAT = "shuzheng-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar"
ANCHORS = "anchors.tar"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    verify: audit.VerifyResult
    files: int  # files put into MEDIA_ROOT (already identical ones not counted)
    anchors: int  # anchor files put into the anchor directory


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pg_args(tool: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that reach the configured PostgreSQL database."""
    db = connection.settings_dict
    binary = shutil.which(tool, path=os.environ.get("SHUZHENG_PG_BIN") or None)
    if binary is None:
        raise BackupError(f"找不到 {tool}（请安装 PostgreSQL 客户端，或设置 SHUZHENG_PG_BIN）")
    args = [binary, "--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败（{done.returncode}）：{done.stderr.strip()}")


def _dump_database(out: Path) -> str:
    if connection.vendor == "postgresql":
        args, env = _pg_args("pg_dump")
        _run(
            [
                *args,
                "--format=custom",
                "--file",
                str(out / PG_DUMP),
                connection.settings_dict["NAME"],
            ],
            env,
        )
        return PG_DUMP
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out / SQLITE_COPY)
        try:
            connection.connection.backup(target)  # a consistent online copy
        finally:
            target.close()
        return SQLITE_COPY
    raise BackupError(f"不支持备份 {connection.vendor} 数据库")


def _tar(root: Path | None, out: Path, name: str) -> int:
    """Regular files under ``root`` (relative names) into ``out/name``; returns how many."""
    n = 0
    with tarfile.open(out / name, "w") as tar:
        if root is not None and root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                n += 1
    return n


def backup_create(*, dest: Path) -> BackupResult:
    """Write a backup into a new directory under ``dest``; returns it and its manifest."""
    stamp = timezone.now().astimezone(dt.UTC)
    out = dest / f"shuzheng-backup-{stamp:%Y%m%dT%H%M%S%fZ}"
    out.mkdir(parents=True)
    anchor_dir = audit.anchor_directory()
    anchored: dict[str, Any] | None = None
    anchor_error = ""
    if anchor_dir is not None:
        try:
            ref = audit.anchor()
            if ref is not None:
                anchored = {"seq": ref.seq, "hash": ref.hash, "file": ref.path.name}
        except audit.AnchorError as exc:  # back up anyway; the manifest and the command say so
            anchor_error = str(exc)
    n_anchors = _tar(anchor_dir, out, ANCHORS)  # before the dump: see the module docstring
    seq, digest = audit.head()
    database = _dump_database(out)
    # files on an object store are not copied: the bucket's versioning and replication are
    # their backup (docs/deploy/backup.md); the manifest names the bucket
    local = _files_store() is None
    n_files = _tar(Path(settings.MEDIA_ROOT) if local else None, out, MEDIA)
    files = {name: _sha256(out / name) for name in (database, MEDIA, ANCHORS)}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "database": {"vendor": connection.vendor, "file": database},
        "audit_head": {"seq": seq, "hash": digest},  # read before the dump: the dump has it
        "anchor": anchored,
        "anchor_error": anchor_error,
        "counts": {"media_files": n_files, "anchors": n_anchors},
        "files_store": _files_store(),  # None: the files are in media.tar
        "sha256": files,
    }
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name in (*files, MANIFEST):
        _fsync(out / name)
    _fsync(out)
    return BackupResult(out, manifest)


def _files_store() -> dict[str, Any] | None:
    """The object store holding the files (None when they are on the local disk)."""
    config: dict[str, Any] = settings.STORAGES["default"]
    if config["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        return None
    options: dict[str, Any] = config.get("OPTIONS") or {}
    return {
        "backend": config["BACKEND"],
        "endpoint_url": options.get("endpoint_url"),
        "bucket": options.get("bucket_name"),
        "prefix": options.get("location", ""),
    }


# --- restore -----------------------------------------------------------------------------------


def _manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} 不是完整的备份（manifest.json 无法读取：{exc}）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} 的备份格式未知：{manifest.get('format')!r}")
    for name, want in manifest["sha256"].items():
        if PurePosixPath(name).name != name or not (source / name).is_file():
            raise BackupError(f"备份缺少文件 {name}")
        if _sha256(source / name) != want:
            raise BackupError(f"备份文件 {name} 的 SHA-256 与清单不符（文件损坏或被改动）")
    return manifest


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Regular files of a backup tar, with safe relative names (nothing else is accepted)."""
    with tarfile.open(path, "r") as tar:
        for m in tar:
            name = PurePosixPath(m.name)
            if not m.isfile() or name.is_absolute() or ".." in name.parts:
                raise BackupError(f"{path.name} 含不安全的条目 {m.name!r}")
            f = tar.extractfile(m)
            if f is None:
                raise BackupError(f"{path.name} 的条目 {m.name!r} 无法读取")
            yield m.name, f.read()


def _put_file(root: Path, name: str, data: bytes) -> bool:
    """Write ``root/name`` unless it exists: the same bytes → skipped, other bytes → error."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        if path.read_bytes() != data:
            raise BackupError(f"文件 {path} 已存在且内容不同：恢复不覆盖文件") from None
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return True


def _restore_database(source: Path, manifest: dict[str, Any]) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，当前配置的是 {connection.vendor}")
    if connection.introspection.table_names():
        raise BackupError(
            f"目标数据库 {connection.settings_dict['NAME']} 不是空的：请恢复到新建的空数据库"
        )
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        args, env = _pg_args("pg_restore")
        _run(
            [
                *args,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(dump),
            ],
            env,
        )
    else:
        connection.close()
        src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        dst = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    connection.close()  # the next query sees the restored database


def backup_restore(*, source: Path) -> RestoreResult:
    """Restore a backup into the configured (new, empty) database, MEDIA_ROOT and anchor
    directory, then verify the audit chain and its anchors there."""
    manifest = _manifest(source)
    if manifest["counts"]["anchors"] and audit.anchor_directory() is None:
        raise BackupError("备份含审计锚点，但锚定未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off）")
    _restore_database(source, manifest)
    files = sum(
        _put_file(Path(settings.MEDIA_ROOT), name, data) for name, data in _members(source / MEDIA)
    )
    anchors = 0
    for name, data in _members(source / ANCHORS):
        try:
            anchors += audit.restore_anchor(name, data)
        except audit.AnchorError as exc:
            raise BackupError(str(exc)) from None
    return RestoreResult(manifest, audit.verify(), files, anchors)


def check_restored(result: RestoreResult) -> str:
    """Why the restored database does not hold what the backup promised ("" when it does):
    the audit chain and anchors verify, and the head and the anchor the backup recorded are in
    the chain (an anchor is checked against the record at its seq by ``verify``)."""
    v = result.verify
    if not v.ok:
        return f"审计链校验失败：seq={v.first_broken_seq} {v.reason}"
    head = result.manifest["audit_head"]
    if v.checked < head["seq"]:
        return f"恢复后的审计链只有 {v.checked} 条记录，备份时链头为第 {head['seq']} 条"
    anchored = result.manifest.get("anchor")
    if anchored and (v.anchored_seq or 0) < anchored["seq"]:
        return f"备份时的锚点（第 {anchored['seq']} 条，{anchored['file']}）未被校验"
    return ""
