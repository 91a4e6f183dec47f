"""Self-signed X.509 certificates for a department's P-256 seal (used for PAdES).

PDF readers verify ECDSA/RSA, not SM2, so the PDF signature uses the department's
``ECDSA-P256-SHA256`` seal key with this certificate. It is self-signed: a validator trusts it
when given the certificate published at ``/api/v1/seals/{department_code}/certificate``
(or the platform's own CA, once there is one).
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(
    *,
    private_der: bytes,
    department_name: str,
    department_uscc: str,
    seal_name: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> bytes:
    key = serialization.load_der_private_key(private_der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("证书仅为 P-256 印章签发")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, department_name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, department_uscc),
            x509.NameAttribute(NameOID.COMMON_NAME, seal_name),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def pem(der: bytes) -> str:
    return (
        x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode("ascii")
    )
