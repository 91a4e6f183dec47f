"""The GB/T 9704 layout of a rendered 公文: an embedded 宋体 when Debian's UMing is installed,
a balanced 标题, page numbers on the outer side (odd right, even left)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from shuzheng.core.pdftext import UMING, song_font
from shuzheng.documents.contracts import Gongwen
from shuzheng.documents.render import LEFT, RIGHT, _title_lines, render

pytestmark = pytest.mark.django_db  # the seal's words come from the seals module

GONGWEN = Gongwen(
    issuer="肇庆市政务服务和数据管理局",
    doc_number="肇政数督〔2022〕1号",
    title="关于督办“完善一体化政务大数据体系”的通知",
    recipients="肇庆市政务服务和数据管理局",
    body="请于2022年7月8日前书面回复办理情况。\n" + "请各单位高度重视，认真组织实施。" * 60,
    date=dt.date(2022, 7, 1),
    subject="test",
)


def test_a_long_title_is_split_into_balanced_lines():
    lines = _title_lines(GONGWEN.title, song_font())
    assert len(lines) == 2
    assert min(len(x) for x in lines) >= len(GONGWEN.title) // 2 - 2  # no lone 知 on line 2


@pytest.mark.skipif(not UMING.is_file(), reason="Debian's fonts-arphic-uming is not installed")
def test_the_font_is_embedded():
    reader = PdfReader(io.BytesIO(render(GONGWEN)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [
        f.get_object()
        for f in fonts.values()
        if "/FontDescriptor" in f.get_object() and "/FontFile2" in f.get_object()["/FontDescriptor"]
    ]
    assert embedded, "the 宋体 is not embedded"


def test_page_numbers_sit_on_the_outer_side():
    reader = PdfReader(io.BytesIO(render(GONGWEN)))
    assert len(reader.pages) >= 2
    seen: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip().startswith("—"):
            seen.setdefault(text.strip(), tm[4])

    for page in reader.pages[:2]:
        page.extract_text(visitor_text=visit)
    mid = (LEFT + RIGHT) / 2
    assert seen["— 1 —"] > mid  # odd page: right
    assert seen["— 2 —"] < mid  # even page: left
