"""Files to upload, made here with the libraries that make real ones (reportlab, pyHanko,
Pillow), and the hostile variants the checks must refuse."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

from PIL import Image
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from reportlab.pdfgen import canvas

# the smallest well-formed one-page PDF (a catalog, a page tree, a page, an xref table)
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def handmade_pdf(catalog_extra: bytes = b"") -> bytes:
    """``MINIMAL_PDF`` with ``catalog_extra`` added to its catalog, offsets recomputed."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj" % n + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"


def pe_executable() -> bytes:
    """The headers of a Windows executable: DOS header with its stub, PE signature, COFF
    header, then code-like binary."""
    dos = b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44)
    dos += struct.pack("<I", 0x80)  # e_lfanew
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    stub += b"This program cannot be run in DOS mode.\r\r\n$" + bytes(7)
    body = (dos + stub).ljust(0x80, b"\x00")
    body += b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    return body + bytes(range(256)) * 8


def pdf(pages: int = 1, *, compress: bool = False, **canvas_options: object) -> bytes:
    """A PDF as reportlab writes it (text, fonts, an info dictionary)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=int(compress), **canvas_options)  # type: ignore[arg-type]
    for n in range(pages):
        c.drawString(72, 770, f"scan page {n + 1}")
        c.rect(72, 72, 451, 680)
        c.showPage()
    c.save()
    return buf.getvalue()


def _page() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 595, 842)]
            ),
        }
    )


def _written(writer: PdfFileWriter | IncrementalPdfFileWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pyhanko_pdf(*, xref_stream: bool = False, pages: int = 1) -> bytes:
    """A PDF as pyHanko writes it (cross-reference stream and object streams when asked)."""
    w = PdfFileWriter(stream_xrefs=xref_stream)
    for _ in range(pages):
        w.insert_page(_page())
    return _written(w)


def javascript_action() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            pdf_name("/S"): pdf_name("/JavaScript"),
            pdf_name("/JS"): generic.TextStringObject("app.alert('x')"),
        }
    )


def with_open_action(action: generic.DictionaryObject, *, in_object_stream: bool = False) -> bytes:
    """A one-page PDF that runs ``action`` when opened (the action in an object stream, and
    the cross-references in a stream, when asked)."""
    w = PdfFileWriter(stream_xrefs=in_object_stream)
    w.insert_page(_page())
    stream = w.prepare_object_stream() if in_object_stream else None
    w.root[pdf_name("/OpenAction")] = w.add_object(action, obj_stream=stream)
    return _written(w)


def launch_action() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            pdf_name("/S"): pdf_name("/Launch"),
            pdf_name("/F"): generic.TextStringObject("cmd.exe"),
        }
    )


def uri_action(address: str) -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {pdf_name("/S"): pdf_name("/URI"), pdf_name("/URI"): generic.TextStringObject(address)}
    )


def with_embedded_file() -> bytes:
    w = PdfFileWriter()
    w.insert_page(_page())
    embed.embed_file(
        w,
        embed.FileSpec(
            file_spec_string="invoice.exe",
            embedded_data=embed.EmbeddedFileObject.from_file_data(w, data=pe_executable()),
        ),
    )
    return _written(w)


def incremental_update(base: bytes, action: generic.DictionaryObject | None = None) -> bytes:
    """``base`` with one incremental update (a new revision) that sets the language and, when
    given, an open action."""
    w = IncrementalPdfFileWriter(io.BytesIO(base))
    w.root[pdf_name("/Lang")] = generic.TextStringObject("zh-CN")
    if action is not None:
        w.root[pdf_name("/OpenAction")] = w.add_object(action)
    w.update_root()
    return _written(w)


def encrypted_pdf() -> bytes:
    return pdf(encrypt="1234")


def signed_pdf() -> bytes:
    """A PDF with a PAdES signature (an incremental update with a signature field and its
    CMS container), as the platform's own licences are sealed — with a throwaway P-256 key."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试印章")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    a_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signer = signers.SimpleSigner(
        signing_cert=a_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([a_cert]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Seal", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf())), meta, signer=signer, bytes_reserved=4096
    )
    return out.getvalue()


def hidden_between_objects(base: bytes, payload: bytes) -> bytes:
    """``base`` followed by ``payload`` and then a copy of its own last ``startxref`` and
    ``%%EOF``: the file still ends like a PDF and reads as one, with ``payload`` between."""
    tail = base[base.rindex(b"startxref") :]
    return base + payload + b"\n" + tail


# --- images ---------------------------------------------------------------------------------


def photo(size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture with photo-like detail (noise over a gradient)."""
    noise = Image.effect_noise(size, 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(noise, gradient, 0.5)


def png(size: tuple[int, int] = (320, 240)) -> bytes:
    buf = io.BytesIO()
    photo(size).save(buf, "PNG")
    return buf.getvalue()


def jpeg(size: tuple[int, int] = (640, 480), *, progressive: bool = False) -> bytes:
    buf = io.BytesIO()
    photo(size).save(buf, "JPEG", quality=85, progressive=progressive)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A small PNG (about 50 KB) that declares ``width``×``height`` one-bit pixels and carries
    every row of them (all white), compressed: decoding it would take width×height bytes."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte "none", then the pixels
    deflate = zlib.compressobj(9)
    idat = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF) claims ``width``×``height``."""
    data = bytearray(jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)
