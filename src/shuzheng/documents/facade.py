"""The documents module's public face."""

from __future__ import annotations

from shuzheng.documents.contracts import RelatedItem
from shuzheng.documents.registry import register_related
from shuzheng.documents.textfile import text_of

__all__ = ["RelatedItem", "register_related", "text_of"]
