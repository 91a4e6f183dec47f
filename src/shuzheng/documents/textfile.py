"""An uploaded document's text: plain text (UTF-8, UTF-16 with BOM, GB18030) or .docx (its
paragraphs). Anything else is refused naming the field."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from shuzheng.core.errors import ValidationFailed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_BYTES = 5 * 1024 * 1024


def _docx(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml")
    # expat (Python ≥ 3.11) refuses entity expansion bombs and never fetches external entities
    root = ElementTree.fromstring(xml)  # noqa: S314
    paras = []
    for p in root.iter(f"{W}p"):
        paras.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "\n".join(paras)


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
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
            raise ValidationFailed.one(field, "不是可读取的 Word 文档（.docx）。") from None
    elif data.startswith(b"%PDF"):
        raise ValidationFailed.one(
            field, "暂不能读取 PDF 的文字，请上传文本文件或 Word 文档（.docx）。"
        )
    else:
        decoded = decode(data)
        if decoded is None:
            raise ValidationFailed.one(field, "无法识别文件的文字编码，请另存为 UTF-8 文本。")
        text = decoded
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise ValidationFailed.one(field, "文件中没有中文正文，不是公文。")
    return text
