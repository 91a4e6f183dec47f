"""Storing uploads: the whole file checked by type, names cleaned, a virus-scan hook, audited.

- ``storing``: ``file_store``, the one write;
- ``content``: which type a file is (by its content) and its structural check;
- ``pdfs``, ``images``: those checks;
- ``names``: the cleaned label kept for a file;
- ``reading``: who may read a file (its uploader, or a grant a module above registers) and
  the read itself, audited.
"""

from shuzheng.files.services.content import MAX_BYTES
from shuzheng.files.services.reading import (
    describe,
    file_read,
    readable_by,
    register_read_grant,
)
from shuzheng.files.services.storing import file_store

__all__ = [
    "MAX_BYTES",
    "describe",
    "file_read",
    "file_store",
    "readable_by",
    "register_read_grant",
]
