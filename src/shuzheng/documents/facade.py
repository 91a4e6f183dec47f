"""The documents module's public face."""

from __future__ import annotations

from shuzheng.documents.contracts import Gongwen, RelatedItem
from shuzheng.documents.registry import register_related
from shuzheng.documents.render import render as render_pdf
from shuzheng.documents.textfile import text_of

__all__ = ["Gongwen", "RelatedItem", "register_related", "render_pdf", "text_of"]
