"""PDF uploads: the whole file must be one well-formed, unencrypted PDF without active content.

The file is read with pyHanko's reader in strict mode (a dependency already: licences are signed
with it). It keeps pyHanko's default decoding limits for untrusted input, so an object stream
that inflates without bound is refused, not decoded. Beyond parsing:

* every object of every revision is read, and refused when it carries JavaScript, a launch,
  form-submit or import action, an embedded file, rich media or XFA (``FORBIDDEN``), or a link
  to a ``javascript:``/``data:``/``file:`` address. Refused, not stripped: an applicant's scan
  never needs them, rewriting the file would change the document the applicant chose (and its
  SHA-256) and break any signature it carries, and a stripper that misses one spelling leaves
  the file live — a refusal that names the problem is safer and easy to act on;
* every byte must belong to the PDF: the bytes outside the objects and cross-reference
  sections the reader found (header, trailers, comments) may hold no markup, no stray object,
  no more binary bytes than a trailer's file identifier and a header comment take, and no
  comment longer than 1 KB — HTML or an executable hidden between objects is refused;
* nothing but whitespace may follow the last ``%%EOF``;
* the catalog must lead to at least one page.
"""

from __future__ import annotations

import io
import logging
import re

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionType

from shuzheng.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

BROKEN = "PDF 文件已损坏或结构不完整，无法读取，请重新导出后上传。"
ENCRYPTED = "PDF 文件已加密或设有密码，请去除密码保护后重新上传。"
ACTIVE = (
    "PDF 文件含有脚本、自动执行的操作或内嵌文件，不能作为申请材料，"
    "请用“打印为 PDF”或重新导出为普通 PDF 后上传。"
)
TRAILING = "PDF 文件结束标记之后还有其他内容，请重新导出后上传。"
FOREIGN = "PDF 文件中夹带了不属于 PDF 的内容，请重新导出后上传。"
NO_PAGES = "PDF 文件没有页面。"
TOO_MANY = "PDF 文件结构过于复杂（对象过多），请重新导出或压缩后上传。"

# Names that make a PDF act rather than show: scripts, launching programs, sending or importing
# data, embedded files and rich media, XFA forms.
FORBIDDEN = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/XFA",
    }
)
UNSAFE_URI = (b"javascript:", b"vbscript:", b"data:", b"file:")
MAX_OBJECTS = 50_000  # reading one costs ~0.1 ms: a 10 MB file of tiny objects stays a few seconds

_WS = b"\x00\t\n\x0c\r "
_TEXT = bytes(range(0x20, 0x7F)) + _WS  # what a trailer or cross-reference table is made of
MAX_GAP_BINARY = 512  # a binary file identifier is 2 × 16-32 bytes, the header comment 4+
MAX_COMMENT = 1024
_COMMENT = re.compile(rb"%[^\r\n]*")
_MARKUP = re.compile(
    rb"<\s*/?\s*(?:!doctype|\?xml|html|head|body|script|iframe|frame|svg|img|object|embed|"
    rb"meta|link|style|form|input|base|div|span|a[\s>])",
    re.IGNORECASE,
)
_LOOSE_OBJECT = re.compile(rb"\b(?:obj|stream)\b")
_STREAM_KEYWORD = re.compile(rb"stream\r?\n")


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.one("file", message)


def check_pdf(data: bytes) -> None:
    """Raise ``ValidationFailed`` (field ``file``) unless ``data`` is an acceptable PDF."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise _refuse(BROKEN)
    if data[end + len(b"%%EOF") :].strip(_WS):
        raise _refuse(TRAILING)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        if reader.encrypted:
            raise _refuse(ENCRYPTED)
        spans = _read_every_object(reader, data)
        _check_pages(reader)
    except ValidationFailed:
        raise
    except Exception as exc:  # any failure to read untrusted input means a broken file
        logger.info("PDF upload refused as unreadable: %r", exc)
        raise _refuse(BROKEN) from exc
    _check_between(data, spans)


def _read_every_object(reader: PdfFileReader, data: bytes) -> list[tuple[int, int]]:
    """Read each object of each revision (checking it for active content); return the byte
    ranges of the objects and cross-reference sections found. Object streams are parsed here,
    each once (asking the reader for each object in them decodes and scans the whole stream
    again, quadratic in the objects a stream holds)."""
    xrefs = reader.xrefs
    spans: list[tuple[int, int]] = []
    budget = [MAX_OBJECTS]
    for revision in range(xrefs.total_revisions):
        info = xrefs.get_xref_container_info(revision)
        if info.xref_section_type == XRefSectionType.STREAM:
            assert info.stream_ref is not None
            xref_stream = reader.get_object(info.stream_ref, revision=revision)
            spans.append(_object_span(data, info.start_location, xref_stream))
        else:
            spans.append((info.start_location, info.end_location))
        hybrid = xrefs.get_xref_data(revision).hybrid
        if hybrid is not None and hybrid.meta_info.stream_ref is not None:
            xref_stream = reader.get_object(hybrid.meta_info.stream_ref, revision=revision)
            spans.append(_object_span(data, hybrid.meta_info.start_location, xref_stream))
        for ref in xrefs.explicit_refs_in_revision(revision):
            where = xrefs.get_historical_ref(ref, revision)
            if not isinstance(where, int):  # freed, or inside an object stream (below)
                continue
            _spend(budget, 1)
            obj = reader.get_object(ref, revision=revision)
            _check_passive(obj)
            spans.append(_object_span(data, where, obj))
        for stream_ref in xrefs.object_streams_used_in(revision):
            _check_object_stream(reader, reader.get_object(stream_ref, revision=revision), budget)
    return spans


def _spend(budget: list[int], objects: int) -> None:
    budget[0] -= objects
    if budget[0] < 0:
        raise _refuse(TOO_MANY)


def _check_object_stream(
    reader: PdfFileReader, stream: generic.PdfObject, budget: list[int]
) -> None:
    """Check every object an object stream (``/Type /ObjStm``) holds."""
    if not isinstance(stream, generic.StreamObject) or stream.get("/Type") != "/ObjStm":
        raise _refuse(BROKEN)
    count, first = stream["/N"], stream["/First"]
    if not isinstance(count, int) or not isinstance(first, int) or count < 0 or first < 0:
        raise _refuse(BROKEN)
    _spend(budget, count)
    body = io.BytesIO(stream.read_data(DecodePurpose.OBJECT_STREAM))
    index = []
    for _ in range(count):
        misc.read_non_whitespace(body, seek_back=True)
        idnum = generic.NumberObject.read_from_stream(body)
        misc.read_non_whitespace(body, seek_back=True)
        offset = generic.NumberObject.read_from_stream(body)
        index.append((int(idnum), int(offset)))
    for idnum, offset in index:
        body.seek(first + offset)
        _check_passive(generic.read_object(body, generic.Reference(idnum, 0, reader)))


def _object_span(data: bytes, start: int, obj: generic.PdfObject) -> tuple[int, int]:
    """Bytes ``start`` up to the end of the object's ``endobj`` (past its stream data)."""
    after = start
    if isinstance(obj, generic.StreamObject):
        keyword = _STREAM_KEYWORD.search(data, start)
        if keyword is None:
            raise _refuse(BROKEN)
        after = keyword.end() + len(obj.encoded_data)
    end = data.find(b"endobj", after)
    if end < 0:
        raise _refuse(BROKEN)
    return start, end + len(b"endobj")


def _check_passive(obj: generic.PdfObject) -> None:
    """Refuse an object that names an action, script or embedded file (``FORBIDDEN``) as a key
    or a value at any depth, or links to a script address. References are not followed: every
    object is checked on its own."""
    stack: list[object] = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):  # DictionaryObject and StreamObject
            for key, value in dict.items(item):
                if key in FORBIDDEN:
                    raise _refuse(ACTIVE)
                if key == "/URI" and isinstance(value, str | bytes):
                    address = value.encode() if isinstance(value, str) else bytes(value)
                    if address.strip().lower().startswith(UNSAFE_URI):
                        raise _refuse(ACTIVE)
                stack.append(value)
        elif isinstance(item, list):  # ArrayObject
            stack.extend(list.__iter__(item))
        elif isinstance(item, generic.NameObject) and item in FORBIDDEN:
            raise _refuse(ACTIVE)


def _check_pages(reader: PdfFileReader) -> None:
    pages = reader.root.get_object()["/Pages"].get_object()
    count = pages.get("/Count") if isinstance(pages, dict) else None
    if not isinstance(count, int) or count < 1:
        raise _refuse(NO_PAGES)


def _check_between(data: bytes, spans: list[tuple[int, int]]) -> None:
    """The bytes outside objects and cross-reference sections: header, trailers, comments."""
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            _check_gap(data[pos:start])
        pos = max(pos, end)
    _check_gap(data[pos:])


def _check_gap(gap: bytes) -> None:
    if _MARKUP.search(gap):
        raise _refuse(FOREIGN)
    if any(len(c) > MAX_COMMENT for c in _COMMENT.findall(gap)):
        raise _refuse(FOREIGN)
    if _LOOSE_OBJECT.search(_COMMENT.sub(b"", gap)):
        raise _refuse(FOREIGN)
    if len(gap.translate(None, _TEXT)) > MAX_GAP_BINARY:  # comments included
        raise _refuse(FOREIGN)
