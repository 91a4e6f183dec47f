"""Lines that fit: Chinese breaks between characters, never before closing punctuation."""

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

from shuzheng.core.pdftext import wrap

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def test_lines_fit_the_width_and_keep_every_character():
    text = "肇庆市政务服务数据管理局关于进一步做好数字政府建设工作的通知"
    lines = wrap(text, font=FONT, size=12, width=12 * 10)
    assert "".join(lines) == text
    assert all(pdfmetrics.stringWidth(line, FONT, 12) <= 12 * 10 for line in lines)
    assert [len(line) for line in lines] == [10, 10, 10]


def test_closing_punctuation_never_starts_a_line():
    lines = wrap("一二三四五六七八九十。下一句", font=FONT, size=10, width=10 * 10)
    assert lines[0] == "一二三四五六七八九十。" and lines[1] == "下一句"


def test_a_newline_starts_a_new_line():
    assert wrap("甲\n乙", font=FONT, size=10, width=100) == ["甲", "乙"]
    assert wrap("", font=FONT, size=10, width=100) == [""]
