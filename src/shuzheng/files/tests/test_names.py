"""The label kept for an upload (services.names.clean_name)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzheng.files.services.names import EXTENSIONS, MAX_NAME, clean_name

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"


@pytest.mark.parametrize(
    ("raw", "ctype", "kept"),
    [
        ("身份证.pdf", PDF, "身份证.pdf"),
        ("C:\\Users\\李明\\Desktop\\身份证.pdf", PDF, "身份证.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("<script>alert(1)</script>.pdf", PDF, "script.pdf"),
        ('"><img src=x onerror=alert(1)>.png', PNG, "img src=x onerror=alert(1).png"),
        ("A&B公司章程.pdf", PDF, "AB公司章程.pdf"),
        ("{{ secret }}${x}.pdf", PDF, "secret x.pdf"),
        ("e\u0301tat.pdf", PDF, "\u00e9tat.pdf"),  # NFC: e + combining acute → é
        ("e<\u0301tat.pdf", PDF, "\u00e9tat.pdf"),  # ... also once "<" is gone
        ("invoice\u202egpj.exe", PNG, "invoicegpj.png"),  # right-to-left override removed
        ("a\x00b\nc\td.pdf", PDF, "ab c d.pdf"),
        ("  ..hidden  .pdf", PDF, "hidden.pdf"),
        ("photo.exe", PNG, "photo.png"),
        ("scan.PDF", PDF, "scan.pdf"),
        ("pic.JPEG", JPEG, "pic.jpeg"),
        ("pic.jpg", JPEG, "pic.jpg"),
        ("pic.png", JPEG, "pic.jpg"),  # the name says PNG, the content is JPEG
        ("报告", PDF, "报告.pdf"),
        ("版本1.2", PDF, "版本1.2.pdf"),  # ".2" is no extension
        ("archive.tar.gz", PDF, "archive.tar.pdf"),
        ("<>&.pdf", PDF, "文件.pdf"),
        ("", PDF, "文件.pdf"),
        ("/", JPEG, "文件.jpg"),
    ],
)
def test_names_are_cleaned(raw, ctype, kept):
    assert clean_name(raw, ctype) == kept


def test_long_names_are_capped_with_the_extension_kept():
    name = clean_name("长" * 300 + ".pdf", PDF)
    assert name == "长" * (MAX_NAME - 4) + ".pdf"
    assert len(clean_name("x" * 300, PNG)) == MAX_NAME


@given(raw=st.text(max_size=400), ctype=st.sampled_from(sorted(EXTENSIONS)))
def test_any_name_comes_out_safe(raw, ctype):
    name = clean_name(raw, ctype)
    assert 0 < len(name) <= MAX_NAME
    assert not set(name) & set("<>\"'&`;:*?|%${}\\/")
    assert unicodedata.normalize("NFC", name) == name
    assert all(unicodedata.category(c)[0] != "C" for c in name)
    assert not name.startswith((".", " ", "-", "_"))
    assert name.lower().endswith(EXTENSIONS[ctype][1])
