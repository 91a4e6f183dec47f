"""An uploaded document's text: plain text (UTF-8, UTF-16 with BOM, GB18030), .docx (its
paragraphs and tables in order, read with python-docx) or PDF with a text layer (read with
pypdf). Anything else — a scan without text, an encrypted PDF, a broken file — is refused naming
the field. Characters are kept as written (traditional stays traditional); search converts."""

from __future__ import annotations

import io
import logging
import re
import zipfile

from shuzheng.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_UNPACKED = 50 * 1024 * 1024
HAN = re.compile(r"[\u4e00-\u9fff]")

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a malformed file is refused, not logged


def _docx(data: bytes) -> str:
    import docx  # python-docx, imported on use: most uploads are not Word files
    from docx.table import Table

    with zipfile.ZipFile(io.BytesIO(data)) as z:  # no zip bomb: the parts' unpacked size first
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise ValueError("too large unpacked")
    lines: list[str] = []

    def table(t: Table) -> None:
        for row in t.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = "".join(p.text for p in cell.paragraphs).strip()
                if text and (not cells or cells[-1] != text):  # merged cells repeat
                    cells.append(text)
            if cells:
                lines.append("\t".join(cells))

    for block in docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, Table):
            table(block)
        else:
            lines.append(block.text)
    return "\n".join(lines)


class _NoText(Exception):
    pass


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise _NoText("PDF 已加密，请上传未加密的文件。")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise _NoText(f"PDF 超过 {MAX_PDF_PAGES} 页。")
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    # page numbers (— 2 —) stand alone at a page's foot in the GB/T 9704 layout: dropped
    text = "\n".join(re.sub(r"\n?[-—－]\s*\d+\s*[-—－]\s*$", "", p) for p in pages)
    if not HAN.search(text):
        raise _NoText("PDF 中没有可读取的文字（可能是扫描件），请上传带文字层的 PDF。")
    return text


def decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        return text
    return None


def text_of(*, field: str, name: str, data: bytes) -> str:
    """The text of an uploaded document, or ``ValidationFailed`` naming ``field``."""
    if not data:
        raise ValidationFailed.one(field, "文件是空的。")
    if len(data) > MAX_BYTES:
        raise ValidationFailed.one(field, "文件超过 5 MB。")
    if data.startswith(b"PK"):
        try:
            text = _docx(data)
        except Exception:  # python-docx raises many kinds on a broken or non-Word zip
            raise ValidationFailed.one(field, "不是可读取的 Word 文档（.docx）。") from None
    elif data.lstrip()[:5] == b"%PDF-":
        try:
            text = _pdf(data)
        except _NoText as e:
            raise ValidationFailed.one(field, str(e)) from None
        except Exception:  # pypdf's errors on a damaged file are of many kinds
            raise ValidationFailed.one(field, "PDF 文件已损坏，无法读取。") from None
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationFailed.one(field, "不支持旧版 Word 文档（.doc），请另存为 .docx 后上传。")
    else:
        decoded = decode(data)
        if decoded is None:
            raise ValidationFailed.one(field, "无法识别文件的文字编码，请另存为 UTF-8 文本。")
        text = decoded
    if not HAN.search(text):
        raise ValidationFailed.one(field, "文件中没有中文正文，不是公文。")
    return text
