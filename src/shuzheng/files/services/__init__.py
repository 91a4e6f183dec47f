"""Storing uploads: the whole file checked by type, names cleaned, a virus-scan hook, audited.

- ``storing``: ``file_store``, the one write;
- ``content``: which type a file is (by its content) and its structural check;
- ``pdfs``, ``images``: those checks;
- ``names``: the cleaned label kept for a file.
"""

from shuzheng.files.services.content import MAX_BYTES
from shuzheng.files.services.storing import file_store

__all__ = ["MAX_BYTES", "file_store"]
