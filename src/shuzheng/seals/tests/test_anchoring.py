"""The platform's SM2 key signs the audit anchors (seals/anchoring.py): which key an anchor may
carry, what rotation and revocation do to anchors, and the key's own audit record."""

import base64
import json
import os

import pytest

from shuzheng.audit import facade, hashing
from shuzheng.audit.models import AuditRecord
from shuzheng.audit.tests.support import anchor_dir, append, head, travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("travel", "anchor_dir")]
__all__ = ["anchor_dir", "travel"]  # fixtures


def test_an_anchor_signed_by_another_key_fails(anchor_dir):
    from shuzheng.seals import crypto

    append(2)
    ref = facade.anchor()
    assert ref is not None
    doc = json.loads(ref.path.read_text())
    private, spki = crypto.generate(crypto.SM2_SM3)  # the forger's own SM2 key
    message = hashing.canonical_bytes(doc["anchor"])
    doc["signature"] = {
        "algorithm": crypto.SM2_SM3,
        "key_id": crypto.key_id(spki),
        "public_key_pem": crypto.pem_of(spki),
        "value": base64.b64encode(crypto.sign(crypto.SM2_SM3, private, spki, message)).decode(),
    }
    os.chmod(ref.path, 0o644)
    ref.path.write_text(json.dumps(doc))
    result = facade.verify()
    assert not result.ok and "不是本平台已知的密钥" in result.reason


def test_an_anchor_whose_key_was_swapped_in_the_database_fails():
    """The anchor carries its public key: replacing the platform key's row does not re-validate."""
    from shuzheng.seals import crypto
    from shuzheng.seals.models import Seal
    from shuzheng.seals.selectors import clear_cache

    append(2)
    ref = facade.anchor()
    assert ref is not None
    _, other = crypto.generate(crypto.SM2_SM3)
    Seal.objects.filter(key_id=ref.key_id).update(public_key_der=other)
    clear_cache()
    result = facade.verify()
    assert not result.ok and "锚点所附公钥与平台登记的密钥" in result.reason


def test_rotation_keeps_old_anchors_valid_and_revocation_does_not():
    from shuzheng.seals import crypto, services

    append(1)
    old = facade.anchor()
    assert old is not None
    services.seal_rotate(department_code="PLATFORM", algorithm=crypto.SM2_SM3, actor="user:admin")
    new = facade.anchor()  # the rotation's audit record moved the head
    assert new is not None and new.key_id != old.key_id and new.seq > old.seq
    assert facade.verify().ok and facade.verify().anchors == 2
    services.seal_revoke(key_id=old.key_id, actor="user:admin", reason="泄露")
    result = facade.verify()
    assert not result.ok and result.anchor_file == old.path.name and "已吊销" in result.reason


def test_the_first_anchor_fixes_the_head_after_making_the_platform_key():
    from shuzheng.seals.models import Seal

    append(1)
    assert not Seal.objects.filter(department_code="PLATFORM").exists()
    ref = facade.anchor()
    seal = Seal.objects.get(department_code="PLATFORM")
    assert ref is not None and ref.key_id == seal.key_id and (ref.seq, ref.hash) == head()
    created = AuditRecord.objects.get(action="seals.create", object_id=seal.seal_id)
    assert created.seq == ref.seq  # the key's own record is the anchored head
