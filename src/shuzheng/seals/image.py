"""The round red seal (公章样式): department name on the upper arc, a five-pointed star, the
seal's purpose below. The same geometry is drawn as SVG (pages, ``image.svg``) and straight
into a PDF with reportlab (vector, in ``core.pdftext.song_font``)."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from shuzheng.core.pdftext import song_font

RED = "#d0021b"
SIZE = 200  # SVG user units; the PDF scales the same geometry
RING_R = 94.0
TEXT_R = 70.0
FONT = "'STSong', 'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif"


def _arc_positions(n: int) -> list[float]:
    """Angles (degrees, clockwise from 12 o'clock) of ``n`` characters on the upper arc."""
    if n <= 0:
        return []
    span = min(250.0, max(150.0, 22.0 * n + 20.0))
    if n == 1:
        return [0.0]
    step = span / (n - 1)
    return [-span / 2 + i * step for i in range(n)]


def _star(cx: float, cy: float, r: float, *, y_up: bool) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        a = math.radians(-90 + i * 36)
        x = cx + radius * math.cos(a)
        y = cy + radius * math.sin(a) * (-1 if y_up else 1)
        pts.append((x, y))
    return pts


def _font_size(n: int) -> float:
    return max(14.0, min(22.0, 260.0 / max(n, 1)))


def seal_svg(name: str, purpose: str, code: str = "", *, title: str = "") -> str:
    """A standalone SVG (presentation attributes only: no ``style``, CSP-safe inline)."""
    c = SIZE / 2
    fs = _font_size(len(name))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{escape(title or name)}">',
        f"<title>{escape(title or name + '（电子印章）')}</title>",
        f'<circle cx="{c}" cy="{c}" r="{RING_R}" fill="none" stroke="{RED}" stroke-width="5"/>',
    ]
    for ch, deg in zip(name, _arc_positions(len(name)), strict=True):
        a = math.radians(deg)
        x = c + TEXT_R * math.sin(a)
        y = c - TEXT_R * math.cos(a)
        parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({deg:.2f} {x:.2f} {y:.2f})" '
            f'font-family="{FONT}" font-size="{fs:.1f}" font-weight="bold" fill="{RED}" '
            f'text-anchor="middle" dy="0.35em">{escape(ch)}</text>'
        )
    star = " ".join(f"{x:.2f},{y:.2f}" for x, y in _star(c, c + 4, 26, y_up=False))
    parts.append(f'<polygon points="{star}" fill="{RED}"/>')
    if purpose:
        parts.append(
            f'<text x="{c}" y="{c + 50}" font-family="{FONT}" font-size="15" fill="{RED}" '
            f'text-anchor="middle" dy="0.35em">{escape(purpose)}</text>'
        )
    if code:
        parts.append(
            f'<text x="{c}" y="{c + 72}" font-family="monospace" font-size="8" fill="{RED}" '
            f'text-anchor="middle" dy="0.35em">{escape(code)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def draw_seal(canvas: Any, x: float, y: float, diameter: float, name: str, purpose: str) -> None:
    """Draw the seal on a reportlab canvas; (x, y) is the centre, in points.

    The seal's words are set in ``core.pdftext.song_font`` (embedded when Debian's UMing is
    installed, so the seal reads the same in every viewer).
    """
    k = diameter / SIZE
    font = song_font()
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setFillColor(RED)
    canvas.setLineWidth(5 * k)
    canvas.circle(x, y, RING_R * k, stroke=1, fill=0)
    fs = _font_size(len(name)) * k
    for ch, deg in zip(name, _arc_positions(len(name)), strict=True):
        a = math.radians(deg)
        cx = x + TEXT_R * k * math.sin(a)
        cy = y + TEXT_R * k * math.cos(a)
        canvas.saveState()
        canvas.translate(cx, cy)
        canvas.rotate(-deg)
        canvas.setFont(font, fs)
        canvas.drawCentredString(0, -fs * 0.35, ch)
        canvas.restoreState()
    pts = _star(x, y - 4 * k, 26 * k, y_up=True)
    path = canvas.beginPath()
    path.moveTo(*pts[0])
    for p in pts[1:]:
        path.lineTo(*p)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    if purpose:
        canvas.setFont(font, 15 * k)
        canvas.drawCentredString(x, y - 50 * k - 15 * k * 0.35, purpose)
    canvas.restoreState()
