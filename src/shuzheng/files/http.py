"""A stored file as an HTTP answer: shown inline, never sniffed, never cached."""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

from shuzheng.core.middleware import inline_file_policy
from shuzheng.files.contracts import FileInfo


def inline_response(info: FileInfo, handle: IO[bytes], *, embeddable: bool) -> FileResponse:
    """The file's bytes with the type detected when it was stored (never the name's or the
    uploader's), ``Content-Disposition: inline`` and its cleaned name (RFC 6266: quoted ASCII,
    or ``filename*`` UTF-8), ``nosniff`` and ``no-store``. ``embeddable``: the platform's own
    pages may show it in a frame (the case pages' PDF preview); otherwise no page may."""
    response = FileResponse(
        handle, content_type=info.content_type, as_attachment=False, filename=info.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = inline_file_policy(embeddable=embeddable)
    response["X-Frame-Options"] = "SAMEORIGIN" if embeddable else "DENY"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
