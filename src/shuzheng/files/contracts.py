from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shuzheng.core.errors import DomainError
from shuzheng.identity.contracts import Principal


@dataclass(frozen=True)
class FileInfo:
    file_id: str
    owner: str
    name: str
    content_type: str
    size: int
    sha256: str


ReadGrant = Callable[[Principal, FileInfo], str | None]
"""A rule of a module above files that lets a caller other than the uploader read a file:
``(caller, file) -> why`` (e.g. ``"case:BJ…"``, written to the read's audit record), or None.
``cases`` registers one (``facade.register_read_grant``): who may see a case may see the files
it uses."""


@dataclass(frozen=True)
class ScanResult:
    """What a virus scanner says about an upload (``files.scanners``): ``clean``, or the name
    of what it found (``signature``)."""

    clean: bool
    signature: str = ""


class UploadScanUnavailable(DomainError):
    """A virus scanner is configured but could not answer: the upload is refused (fail closed),
    HTTP 503."""

    def __init__(self, message: str = "文件安全检查服务暂时不可用，请稍后再试。"):
        super().__init__(message=message, code="service_unavailable", status=503)
