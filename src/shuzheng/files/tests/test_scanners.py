"""The virus-scan hook (files.scanners): the clamd client against a server speaking clamd's
INSTREAM protocol over real sockets, callables named by dotted path, and every way a
configured scanner can fail to answer (which must refuse, never let the file through)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.core import checks

from shuzheng.files import scanners
from shuzheng.files.contracts import ScanResult
from shuzheng.files.tests.fake_clamd import EICAR, FakeClamd


@pytest.fixture
def socket_dir():
    # a short path: unix socket paths are limited to 108 bytes
    with tempfile.TemporaryDirectory(prefix="clamd") as d:
        yield Path(d)


@pytest.fixture
def clamd_unix(socket_dir):
    server = FakeClamd(unix_path=socket_dir / "clamd.sock")
    yield server
    server.close()


@pytest.fixture
def clamd_tcp():
    server = FakeClamd()
    yield server
    server.close()


def test_clamd_over_a_unix_socket(settings, clamd_unix):
    settings.UPLOAD_SCANNER = f"clamd:{clamd_unix.address}"
    data = bytes(range(256)) * 1000  # 256 KB: four chunks and a bit
    assert scanners.scan(data) == ScanResult(clean=True)
    assert scanners.scan(b"prefix " + EICAR + b" suffix") == ScanResult(
        clean=False, signature="Eicar-Test-Signature"
    )
    assert clamd_unix.commands == [b"zINSTREAM\0", b"zINSTREAM\0"]
    assert clamd_unix.received == [data, b"prefix " + EICAR + b" suffix"]


def test_clamd_over_tcp(settings, clamd_tcp):
    settings.UPLOAD_SCANNER = f"clamd:{clamd_tcp.address}"
    assert scanners.scan(b"hello") == ScanResult(clean=True)
    settings.UPLOAD_SCANNER = f"clamd:tcp://{clamd_tcp.address}"
    assert scanners.scan(EICAR).clean is False
    assert clamd_tcp.received == [b"hello", EICAR]


def test_no_scanner_configured_scans_nothing(settings):
    settings.UPLOAD_SCANNER = ""
    assert scanners.configured() is None
    assert scanners.scan(EICAR) is None


@pytest.mark.parametrize(
    "reply",
    [
        b"INSTREAM size limit exceeded. ERROR\0",
        b"stream: Can't allocate memory ERROR\0",
        b"",  # closed without an answer
    ],
)
def test_a_clamd_error_is_no_answer(settings, socket_dir, reply):
    server = FakeClamd(unix_path=socket_dir / "clamd.sock", reply=reply)
    try:
        settings.UPLOAD_SCANNER = f"clamd:{server.address}"
        with pytest.raises(scanners.ScannerError):
            scanners.scan(b"data")
        assert server.received == [b"data"]
    finally:
        server.close()


def test_an_unreachable_clamd_is_no_answer(settings, socket_dir, clamd_tcp):
    settings.UPLOAD_SCANNER = f"clamd:{socket_dir / 'missing.sock'}"
    with pytest.raises(scanners.ScannerError, match=r"missing\.sock"):
        scanners.scan(b"data")
    port = clamd_tcp.address.rsplit(":", 1)[1]
    clamd_tcp.close()  # nothing listens on that port any more
    settings.UPLOAD_SCANNER = f"clamd:127.0.0.1:{port}"
    with pytest.raises(scanners.ScannerError):
        scanners.scan(b"data")


def test_a_silent_clamd_times_out(settings, socket_dir):
    server = FakeClamd(unix_path=socket_dir / "clamd.sock", delay=2.0)
    try:
        settings.UPLOAD_SCANNER = f"clamd:{server.address}"
        settings.UPLOAD_SCAN_TIMEOUT = 0.2
        with pytest.raises(scanners.ScannerError, match="timed out"):
            scanners.scan(b"data")
    finally:
        server.close()


# --- callables named by dotted path -----------------------------------------------------------

SEEN: list[bytes] = []


def finds_everything(data: bytes) -> ScanResult:
    SEEN.append(data)
    return ScanResult(clean=False, signature="Test.Everything")


def breaks(data: bytes) -> ScanResult:
    raise ConnectionRefusedError("scanning service down")


def says_yes(data: bytes) -> bool:
    return True  # not a ScanResult


def test_a_callable_named_by_dotted_path(settings):
    SEEN.clear()
    settings.UPLOAD_SCANNER = f"{__name__}.finds_everything"
    assert scanners.scan(b"abc") == ScanResult(clean=False, signature="Test.Everything")
    assert SEEN == [b"abc"]


@pytest.mark.parametrize(
    "spec",
    [f"{__name__}.breaks", f"{__name__}.says_yes", "shuzheng.files.nowhere.scan", "clamd:"],
)
def test_a_callable_that_cannot_answer_is_no_answer(settings, spec):
    settings.UPLOAD_SCANNER = spec
    with pytest.raises(scanners.ScannerError):
        scanners.scan(b"abc")


def test_the_deployment_check_reports_a_setting_that_names_no_scanner(settings):
    settings.UPLOAD_SCANNER = "shuzheng.files.nowhere.scan"
    errors = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "files.E001"]
    assert len(errors) == 1 and "shuzheng.files.nowhere.scan" in errors[0].msg
    settings.UPLOAD_SCANNER = f"{__name__}.finds_everything"
    assert not [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "files.E001"]
