"""PAdES signatures (PDF Advanced Electronic Signatures, ETSI EN 319 142) with pyHanko.

Signed with the department's ``ECDSA-P256-SHA256`` seal and its self-signed certificate (PDF
readers do not support SM2). Validation trusts the certificates of our own seals, so any
standard validator given the published certificate reaches the same verdict.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from shuzheng.seals import crypto, keystore
from shuzheng.seals.models import Seal
from shuzheng.seals.services import seal_ensure

T = TypeVar("T")
FIELD = "SZSeal"
# Room for the CMS container (one P-256 certificate and signature need about 1.3 kB); a fixed
# size spares pyHanko a dummy signing run to estimate it.
RESERVED = 4096


@dataclass(frozen=True)
class PdfVerdict:
    valid: bool
    reason: str  # ok | no_signature | modified | bad_signature | untrusted | malformed
    signer: str = ""
    key_id: str = ""
    department_code: str = ""


def _outside_event_loop(fn: Callable[[], T]) -> T:
    """pyHanko runs its signing and validation with ``asyncio.run``, which refuses to start
    while the calling thread already runs an event loop (an async view, Playwright's sync API
    in tests). Then the work goes to a short-lived thread with a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


@lru_cache(maxsize=64)
def _signer(key_id: str, cert_der: bytes, private_enc: str) -> signers.SimpleSigner:
    """A pyHanko signer per seal key, kept per process: its parsed ASN.1 structures are reused
    (about a third of the signing time). Keyed by the encrypted key, so a re-encrypted or new
    key is loaded afresh; the key is decrypted in memory only, as for every signature."""
    cert = asn1_x509.Certificate.load(cert_der)
    key = asn1_keys.PrivateKeyInfo.load(keystore.decrypt(private_enc, aad=key_id))
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


def sign_pdf(
    *, department_code: str, pdf: bytes, reason: str = "", location: str = ""
) -> tuple[bytes, str]:
    """(signed PDF, key id of the seal used)."""
    seal = seal_ensure(department_code=department_code, algorithm=crypto.ECDSA_P256)
    signer = _signer(seal.key_id, bytes(seal.certificate_der), seal.private_key_enc)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        name=seal.name,
    )
    out = _outside_event_loop(
        lambda: signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, bytes_reserved=RESERVED
        )
    )
    return out.getvalue(), seal.key_id


def verify_pdf(pdf: bytes) -> PdfVerdict:
    """Check the seal signature of a PDF: intact, covering the whole file, by one of our seals."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        return PdfVerdict(False, "malformed")
    if not sigs:
        return PdfVerdict(False, "no_signature")
    sig = sigs[-1]
    try:
        signer_cert = sig.signer_cert
        der = signer_cert.dump()
    except (ValueError, KeyError, TypeError):
        return PdfVerdict(False, "malformed")
    seal = Seal.objects.filter(certificate_der=der).first()
    if seal is None:
        return PdfVerdict(False, "untrusted", signer=signer_cert.subject.human_friendly)
    if seal.status == Seal.Status.REVOKED:
        return PdfVerdict(False, "untrusted", seal.name, seal.key_id, seal.department_code)
    roots = [asn1_x509.Certificate.load(bytes(seal.certificate_der))]
    try:
        status = _outside_event_loop(
            lambda: validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
        )
    except (PdfError, ValueError, KeyError, TypeError):
        return PdfVerdict(False, "malformed", seal.name, seal.key_id, seal.department_code)
    if not status.intact:
        return PdfVerdict(False, "modified", seal.name, seal.key_id, seal.department_code)
    if not status.valid:
        return PdfVerdict(False, "bad_signature", seal.name, seal.key_id, seal.department_code)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return PdfVerdict(False, "modified", seal.name, seal.key_id, seal.department_code)
    if not status.trusted:
        return PdfVerdict(False, "untrusted", seal.name, seal.key_id, seal.department_code)
    return PdfVerdict(True, "ok", seal.name, seal.key_id, seal.department_code)
