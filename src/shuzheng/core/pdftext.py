"""Chinese text on a PDF page (reportlab): lines that fit a width.

Every PDF the platform draws — licences, case notices, 12345 and 督办 notices, receipts, 公文 —
breaks its text here. Chinese has no spaces, so a line may break between any two characters,
except before a closing punctuation mark (避头点: ，。、；：？！）》” never start a line);
a newline in the text starts a new line."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

# AR PL UMing CN, a 宋体 (Ming) typeface from Debian's fonts-arphic-uming (Arphic Public License)
UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
BUILTIN_SONG = "STSong-Light"

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


@cache
def song_font() -> str:
    """The registered name of the 宋体 a 公文 is set in (GB/T 9704's 小标宋/仿宋 are not free
    fonts). AR PL UMing CN when Debian's fonts-arphic-uming is installed: embedded as a subset,
    so the PDF looks the same in every viewer and on paper. Otherwise reportlab's STSong-Light,
    which is only named in the PDF (each viewer substitutes a font of its own)."""
    if UMING.is_file():
        pdfmetrics.registerFont(TTFont("UMingCN", str(UMING), subfontIndex=0))
        return "UMingCN"
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_SONG))
    return BUILTIN_SONG
