"""The licence PDF's verify address comes from settings.PUBLIC_URL (SHUZHENG_PUBLIC_URL), not a
hard-coded localhost:8000 (issue 17 defect 10)."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader

from shuzheng.licenses.models import License
from shuzheng.licenses.services.pdffiles import pdf_bytes
from shuzheng.licenses.tests.test_issue import _issue_marriage

pytestmark = pytest.mark.django_db

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_literal(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            nxt = raw[i + 1 : i + 2]
            out += _ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def pdf_lines(pdf: bytes) -> list[str]:
    """The text lines drawn on the first page (reportlab's UTF-16 strings of the CID font)."""
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    stream = page["/Contents"]
    data = stream.data if hasattr(stream, "data") else b"".join(s.data for s in stream)
    lines = []
    for m in re.finditer(rb"/F2 [\d.]+ Tf [\d.]+ TL \(((?:\\.|[^\\)])*)\) Tj", data, re.S):
        lines.append(_pdf_literal(m.group(1)).decode("utf-16-be", errors="replace"))
    return lines


@override_settings(PUBLIC_URL="https://zwfw.zhaoqing.gov.cn")
def test_the_pdf_prints_the_configured_verify_address(types):
    lic = License.objects.get(license_id=_issue_marriage().license_id)
    lines = pdf_lines(pdf_bytes(lic))
    assert "核验：https://zwfw.zhaoqing.gov.cn/licenses/verify/" in lines, lines
    assert not any("localhost" in line for line in lines)


def _settings_in_a_fresh_process(tmp_path, **env: str) -> str:
    environ = {
        **os.environ,
        "SHUZHENG_TESTING": "",
        "SHUZHENG_DEMO": "",
        "SHUZHENG_DEBUG": "",
        "SHUZHENG_PUBLIC_URL": "",
        "SHUZHENG_SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'shuzheng.settings'; "
        "from django.conf import settings; print(settings.PUBLIC_URL)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or out.stderr.strip().splitlines()[-1]


def test_the_public_url_comes_from_the_environment_with_a_safe_default(tmp_path):
    assert (
        _settings_in_a_fresh_process(tmp_path, SHUZHENG_PUBLIC_URL="https://zwfw.example.org/")
        == "https://zwfw.example.org"
    )
    # unset: https:// and the first allowed host that names a server
    assert (
        _settings_in_a_fresh_process(
            tmp_path, SHUZHENG_ALLOWED_HOSTS="localhost,zwfw.example.org,.example.org"
        )
        == "https://zwfw.example.org"
    )
    # nothing but local hosts: the demo's address
    assert (
        _settings_in_a_fresh_process(tmp_path, SHUZHENG_ALLOWED_HOSTS="localhost,127.0.0.1")
        == "http://localhost:8000"
    )
    assert "SHUZHENG_PUBLIC_URL" in _settings_in_a_fresh_process(
        tmp_path, SHUZHENG_PUBLIC_URL="zwfw.example.org"
    )
