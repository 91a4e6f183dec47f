"""The seals module's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

from shuzheng.seals import backends, crypto, pades, selectors, services
from shuzheng.seals.contracts import SealInfo, SignatureRef, VerifyOutcome
from shuzheng.seals.image import draw_seal
from shuzheng.seals.pades import PdfVerdict

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "PdfVerdict",
    "SealInfo",
    "SignatureRef",
    "VerifyOutcome",
    "canonical_bytes",
    "draw_seal",
    "seal_for",
    "seal_svg",
    "sign",
    "sign_pdf",
    "sm2_backends",
    "verify",
    "verify_pdf",
]

DEFAULT_ALGORITHM = crypto.SM2_SM3
ALGORITHMS = crypto.SUITES
canonical_bytes = crypto.canonical_bytes


def sign(
    department_code: str,
    message: bytes,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    backend: str | None = None,
) -> SignatureRef:
    """Sign ``message`` with the department's active seal (made on first use)."""
    return services.sign(
        department_code=department_code, message=message, algorithm=algorithm, backend=backend
    )


def verify(
    key_id: str,
    message: bytes,
    signature: bytes,
    *,
    algorithm: str | None = None,
    department_code: str | None = None,
    backend: str | None = None,
) -> VerifyOutcome:
    """Check a signature by the seal ``key_id`` (retired seals still verify; revoked do not)."""
    return services.verify(
        key_id=key_id,
        message=message,
        signature=signature,
        algorithm=algorithm,
        department_code=department_code,
        backend=backend,
    )


def seal_for(department_code: str, algorithm: str = DEFAULT_ALGORITHM) -> SealInfo:
    """The department's active seal (made on first use)."""
    return selectors.info(
        services.seal_ensure(department_code=department_code, algorithm=algorithm)
    )


def seal_svg(department_code: str) -> str:
    return services.seal_ensure(department_code=department_code).image_svg


def sign_pdf(
    department_code: str, pdf: bytes, *, reason: str = "", location: str = ""
) -> tuple[bytes, str]:
    """PAdES-sign a PDF with the department's P-256 seal; returns (PDF, key id)."""
    return pades.sign_pdf(
        department_code=department_code, pdf=pdf, reason=reason, location=location
    )


def verify_pdf(pdf: bytes) -> PdfVerdict:
    return pades.verify_pdf(pdf)


def sm2_backends() -> list[str]:
    return backends.available()
