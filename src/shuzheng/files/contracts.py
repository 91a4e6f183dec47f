from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileInfo:
    file_id: str
    owner: str
    name: str
    content_type: str
    size: int
    sha256: str
