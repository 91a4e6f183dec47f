"""Chinese text on a PDF page (reportlab): lines that fit a width.

Every PDF the platform draws — licences, case notices, 12345 and 督办 notices, receipts, 公文 —
breaks its text here. Chinese has no spaces, so a line may break between any two characters,
except before a closing punctuation mark (避头点: ，。、；：？！）》” never start a line);
a newline in the text starts a new line."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

NO_LINE_START = frozenset("，。、；：？！）》”’.,;:?!)")


def wrap(text: str, *, font: str, size: float, width: float) -> list[str]:
    """The lines of ``text`` in ``font`` at ``size`` points, each no wider than ``width``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            too_wide = pdfmetrics.stringWidth(line + ch, font, size) > width
            if line and too_wide and ch not in NO_LINE_START:
                lines.append(line)
                line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    return lines
