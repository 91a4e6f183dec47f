"""Anchors (issue 16 item 5): signed checkpoints of the chain head outside the database catch a
rewrite that recomputes every hash and the head, which the chain alone cannot."""

import base64
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from shuzheng.audit import anchors, facade, timestamp
from shuzheng.audit.models import AuditHead, AuditRecord
from shuzheng.audit.tests.fake_tsa import FakeTsa, serving
from shuzheng.audit.tests.support import NOW, anchor_dir, append, head, rewrite, travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("travel", "anchor_dir")]
__all__ = ["anchor_dir", "travel"]  # fixtures


# --- the hole and its fix ----------------------------------------------------------------------


def test_a_rewrite_that_recomputes_every_hash_passes_the_chain_but_not_the_anchor(
    settings, anchor_dir
):
    rows = append(5)
    ref = facade.anchor()
    assert ref is not None and ref.created and (ref.seq, ref.hash) == head()
    append(2, action="test.after")  # records after the anchor are fine
    assert facade.verify().ok
    victim = rows[1]
    rewrite(victim, actor="user:mallory")

    settings.AUDIT_ANCHOR_DIR = None  # the chain alone (the old verify): the rewrite passes
    assert facade.verify().ok

    settings.AUDIT_ANCHOR_DIR = anchor_dir
    result = facade.verify()
    assert not result.ok
    assert result.anchor_file == ref.path.name
    assert result.first_broken_seq == ref.seq
    assert f"第 {ref.seq} 条记录的摘要与锚点 {ref.path.name}" in result.reason
    with pytest.raises(CommandError, match=rf"锚点 {ref.path.name} seq={ref.seq}"):
        call_command("audit_verify")


def test_the_failure_names_the_first_anchor_after_the_rewrite():
    first = append(3, action="test.one")
    a1 = facade.anchor()
    append(3, action="test.two")
    a2 = facade.anchor()
    append(3, action="test.three")
    a3 = facade.anchor()
    assert a1 and a2 and a3 and a1.seq < a2.seq < a3.seq
    assert facade.verify().anchors == 3
    victim = AuditRecord.objects.filter(action="test.two").order_by("seq")[0]
    rewrite(victim, actor="user:mallory")
    result = facade.verify()
    assert not result.ok and result.anchor_file == a2.path.name  # a1 still matches
    assert result.first_broken_seq == a2.seq and result.anchors == 2
    assert f"第 {a1.seq + 1}–{a2.seq} 条之间" in result.reason
    assert first[0].seq <= a1.seq


def test_verify_reports_the_anchors_it_checked(capsys):
    append(2)
    ref = facade.anchor()
    assert ref is not None
    append(1, action="test.later")
    result = facade.verify()
    assert result.ok and result.anchoring and result.anchors == 1
    assert result.anchored_seq == ref.seq
    assert result.note == f"第 {ref.seq + 1}–{ref.seq + 1} 条记录在最新锚点之后，尚未锚定"
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert f"锚点：已校验 1 个，最新锚定第 {ref.seq} 条。" in out


def test_deleting_anchored_records_is_caught(anchor_dir):
    rows = append(3)
    ref = facade.anchor()
    assert ref is not None
    # drop the last two records and point the head at the one before: a consistent, shorter chain
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq >= %s", [rows[1].seq])
    AuditHead.objects.filter(id=1).update(last_seq=rows[0].seq, last_hash=rows[0].hash)
    result = facade.verify()
    assert not result.ok and result.anchor_file == ref.path.name
    assert "链中没有这条记录" in result.reason
    with pytest.raises(facade.AnchorError, match="链缺少已锚定的记录"):
        facade.anchor()


def test_a_missing_anchor_directory_is_reported_not_ignored(anchor_dir):
    append(1)
    assert not anchor_dir.exists()
    result = facade.verify()
    assert not result.ok and result.anchor_file == str(anchor_dir)
    assert "不存在" in result.reason
    with pytest.raises(CommandError, match="不存在"):
        call_command("audit_verify")


def test_an_empty_anchor_directory_is_a_note(anchor_dir):
    append(1)
    anchor_dir.mkdir()
    result = facade.verify()
    assert result.ok and result.anchors == 0 and "尚无锚点" in result.note


def test_anchoring_off_checks_the_chain_only(settings, capsys):
    settings.AUDIT_ANCHOR_DIR = None
    append(1)
    result = facade.verify()
    assert result.ok and not result.anchoring
    with pytest.raises(facade.AnchorError, match="未启用"):
        facade.anchor()
    with pytest.raises(CommandError, match="未启用"):
        call_command("audit_anchor")


# --- forged anchors ----------------------------------------------------------------------------


def _forge(path, **body_changes) -> None:
    """Replace an anchor's content keeping its signature (only a test can: the file is 0444)."""
    doc = json.loads(path.read_text())
    doc["anchor"].update(body_changes)
    os.chmod(path, 0o644)
    path.write_text(json.dumps(doc))


def test_a_forged_anchor_fails_on_its_signature():
    rows = append(4)
    ref = facade.anchor()
    assert ref is not None
    # a rewrite plus an anchor edited to the rewritten hash: the platform's signature no longer fits
    rewrite(rows[0], actor="user:mallory")
    _forge(ref.path, hash=head()[1])
    result = facade.verify()
    assert not result.ok and result.anchor_file == ref.path.name
    assert "签名无效" in result.reason and "锚点被伪造或改动" in result.reason


def test_an_unreadable_anchor_is_reported(anchor_dir):
    append(1)
    anchor_dir.mkdir()
    anchors.write_once(anchor_dir / anchors.file_name(1), b"{not json")
    result = facade.verify()
    assert not result.ok and "锚点文件无法读取" in result.reason


def test_trusted_key_ids_pin_the_signer(settings):
    append(1)
    ref = facade.anchor()
    assert ref is not None
    settings.AUDIT_ANCHOR_KEYS = ("0123456789abcdef",)
    result = facade.verify()
    assert not result.ok and "SHUZHENG_AUDIT_ANCHOR_KEYS" in result.reason
    settings.AUDIT_ANCHOR_KEYS = (ref.key_id,)
    assert facade.verify().ok


# --- write once --------------------------------------------------------------------------------


def test_anchors_are_never_overwritten(anchor_dir):
    append(2)
    first = facade.anchor()
    assert first is not None and first.created
    content = first.path.read_bytes()
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o444
    again = facade.anchor()  # the head has not moved: the same file, untouched
    assert again is not None and not again.created and again.path == first.path
    assert first.path.read_bytes() == content
    append(1, action="test.more")
    second = facade.anchor()
    assert second is not None and second.created and second.path != first.path
    assert first.path.read_bytes() == content
    with pytest.raises(FileExistsError):
        anchors.write_once(first.path, b"anything")
    assert first.path.read_bytes() == content
    assert [p.name for _, p in anchors.listing(anchor_dir)] == [first.path.name, second.path.name]


def test_a_rewritten_head_is_not_anchored_over_its_anchor(anchor_dir, monkeypatch):
    rows = append(3)
    ref = facade.anchor()
    assert ref is not None
    content = ref.path.read_bytes()
    rewrite(rows[0], actor="user:mallory")
    with pytest.raises(facade.AnchorError, match="链已被改写"):
        facade.anchor()
    assert ref.path.read_bytes() == content
    # a second process that had not yet seen the file cannot replace it either
    monkeypatch.setattr(anchors, "listing", lambda d: [])
    with pytest.raises(facade.AnchorError, match="已存在且摘要不同"):
        anchors.write(seq=ref.seq, digest="0" * 64, algorithm="sm3")
    assert ref.path.read_bytes() == content


def test_anchor_file_content(anchor_dir):
    append(1)
    ref = facade.anchor()
    assert ref is not None
    doc = json.loads(ref.path.read_text())
    assert doc["anchor"] == {
        "format": "shuzheng-audit-anchor/1",
        "seq": ref.seq,
        "hash": ref.hash,
        "algorithm": "sm3",
        "at": ref.at,
    }
    assert ref.at.startswith("2026-03-02T10:00:") and ref.at.endswith("Z")
    assert doc["signature"]["algorithm"] == "SM2-SM3"
    assert doc["signature"]["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert "timestamp" not in doc


def test_the_scheduled_anchor_does_nothing_when_anchoring_is_off(settings, anchor_dir):
    append(1)
    settings.AUDIT_ANCHOR_DIR = None
    assert facade.anchor_scheduled() is None
    settings.AUDIT_ANCHOR_DIR = anchor_dir
    ref = facade.anchor_scheduled()
    assert ref is not None and ref.created and (ref.seq, ref.hash) == head()
    settings.AUDIT_ANCHOR_SECONDS = 900.0
    assert facade.anchor_interval() == 900.0


def test_deferred_records_are_sealed_before_anchoring(settings):
    settings.AUDIT_CHAIN = "deferred"
    with transaction.atomic():
        facade.record(actor="user:t", action="test.deferred", object_type="t", object_id="1")
    ref = facade.anchor()
    rec = AuditRecord.objects.get(action="test.deferred")
    assert ref is not None and rec.seq is not None and ref.seq >= rec.seq


def test_anchor_command(capsys):
    facade.anchor()  # the platform key is made (and audited) on the first anchor
    append(1)
    seq, digest = head()
    call_command("audit_anchor")
    assert f"已锚定：第 {seq} 条记录，摘要 {digest}" in capsys.readouterr().out
    call_command("audit_anchor")
    assert f"链头未变，最新锚点仍是：第 {seq} 条记录" in capsys.readouterr().out


# --- RFC 3161 time-stamps (a local fake TSA) ----------------------------------------------------


def test_anchors_are_time_stamped_when_a_tsa_is_configured(settings):
    tsa = FakeTsa(now=NOW)
    settings.AUDIT_TSA_CERT = ""
    append(1)
    with serving(tsa) as url:
        settings.AUDIT_TSA_URL = url
        ref = facade.anchor()
    assert ref is not None and ref.timestamped and not ref.timestamp_error
    loaded = anchors.load(ref.path)
    assert timestamp.check(loaded.token, loaded.message) == NOW
    assert facade.verify().ok


def test_a_pinned_tsa_certificate_is_required(settings, tmp_path):
    tsa, other = FakeTsa(now=NOW), FakeTsa(now=NOW)
    pinned = tmp_path / "tsa.pem"
    pinned.write_bytes(tsa.cert_pem)
    settings.AUDIT_TSA_CERT = str(pinned)
    append(1)
    with serving(tsa) as url:
        settings.AUDIT_TSA_URL = url
        ref = facade.anchor()
    assert ref is not None and ref.timestamped and facade.verify().ok
    pinned.write_bytes(other.cert_pem)
    result = facade.verify()
    assert not result.ok and "受信任的时间戳服务" in result.reason


def test_a_tampered_time_stamp_fails(settings):
    tsa = FakeTsa(now=NOW)
    append(1)
    with serving(tsa) as url:
        settings.AUDIT_TSA_URL = url
        ref = facade.anchor()
    assert ref is not None
    doc = json.loads(ref.path.read_text())
    token = bytearray(base64.b64decode(doc["timestamp"]["token"]))
    token[-5] ^= 0x01  # inside the TSA's signature
    doc["timestamp"]["token"] = base64.b64encode(bytes(token)).decode()
    os.chmod(ref.path, 0o644)
    ref.path.write_text(json.dumps(doc))
    result = facade.verify()
    assert not result.ok and "时间戳" in result.reason


def test_a_refusing_tsa_still_leaves_a_signed_anchor_and_says_so(settings, capsys):
    tsa = FakeTsa(now=NOW, status="rejection")
    append(1)
    with serving(tsa) as url:
        settings.AUDIT_TSA_URL = url
        with pytest.raises(CommandError, match=r"未取得时间戳：时间戳服务拒绝了请求（rejection）"):
            call_command("audit_anchor")
    assert "已锚定" in capsys.readouterr().out
    assert facade.verify().ok and facade.verify().anchors == 1
