"""A small SVG writer for the chapter's diagrams: boxes, operator circles, arrows and labels.

Every label is SVG text (no paths for glyphs), so the figures are searchable, accessible and
testable: a symbol such as ``h_{t-1}`` is drawn as ``h`` with a subscript ``t-1`` (a
``<tspan>`` shifted down) and carries ``aria-label="h_{t-1}"``. No TikZ, no LaTeX, no
matplotlib: the output is plain SVG 1.1 that any browser shows.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

STROKE = "#222"
GATE_FILL = "#ffe9a8"  # sigmoid gates
LAYER_FILL = "#cfe3ff"  # tanh layers
STATE_FILL = "#d9f2d9"  # recurrent cells in Fig. 5.1
OPERATOR_FILL = "#ffffff"
SYMBOL = re.compile(r"^(?P<base>[^_]+)(?:_(?:\{(?P<braced>[^}]*)\}|(?P<plain>\S+)))?$")


def symbol_parts(symbol: str) -> tuple[str, str]:
    """``"h_{t-1}"`` -> ``("h", "t-1")``; ``"x_t"`` -> ``("x", "t")``; ``"tanh"`` -> ``("tanh", "")``."""
    match = SYMBOL.match(symbol)
    if not match:
        return symbol, ""
    return match["base"], match["braced"] or match["plain"] or ""


def shown_text(symbol: str) -> str:
    """The characters a reader sees for ``symbol`` (base then subscript, minus as U+2212)."""
    base, subscript = symbol_parts(symbol)
    return base + subscript.replace("-", "\u2212")


class Canvas:
    """An SVG drawing, built element by element, written by ``to_svg``."""

    def __init__(self, width: int, height: int, title: str, description: str) -> None:
        self.width, self.height = width, height
        self.title, self.description = title, description
        self.elements: list[str] = []

    def line(self, points: list[tuple[float, float]], arrow: bool = True, dashed: bool = False,
             width: float = 1.6, bridge: bool = False) -> None:
        """A polyline through ``points``, with an arrowhead at the end; ``bridge`` draws a white
        halo under it so that a line it crosses looks interrupted."""
        path = " ".join(f"{x:g},{y:g}" for x, y in points)
        if bridge:
            self.elements.append(f'<polyline points="{path}" fill="none" stroke="#fff" stroke-width="{width + 5:g}"/>')
        extra = ' marker-end="url(#arrow)"' if arrow else ""
        extra += ' stroke-dasharray="5,4"' if dashed else ""
        self.elements.append(f'<polyline points="{path}" fill="none" stroke="{STROKE}" stroke-width="{width:g}"'
                             f' stroke-linejoin="round"{extra}/>')

    def label(self, x: float, y: float, symbol: str, size: float = 16, anchor: str = "middle",
              italic: bool = True, css_class: str = "symbol") -> None:
        """Text at ``(x, y)`` (baseline centred vertically); ``a_b`` / ``a_{bc}`` become subscripts."""
        base, subscript = symbol_parts(symbol)
        style = ' font-style="italic"' if italic and base.isalpha() and len(base) <= 2 else ""
        body = escape(base)
        if subscript:
            body += (f'<tspan dy="{size * 0.3:g}" font-size="{size * 0.72:g}" font-style="italic">'
                     f'{escape(subscript.replace("-", chr(0x2212)))}</tspan>')
        self.elements.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}" dominant-baseline="middle"'
            f' class="{css_class}" aria-label={quoteattr(symbol)}{style}>{body}</text>')

    def box(self, x: float, y: float, width: float, height: float, symbol: str, fill: str, size: float = 15,
            rounded: float = 6, italic: bool = False) -> None:
        """A rectangle centred on ``(x, y)`` with a label in it (``italic`` for a variable, not an operation)."""
        self.elements.append(f'<rect x="{x - width / 2:g}" y="{y - height / 2:g}" width="{width:g}" height="{height:g}"'
                             f' rx="{rounded:g}" fill="{fill}" stroke="{STROKE}" stroke-width="1.4"/>')
        self.label(x, y, symbol, size=size, italic=italic, css_class="node")

    def operator(self, x: float, y: float, symbol: str, radius: float = 13) -> None:
        """A pointwise operation (``×``, ``+``, ``1−``, ``tanh``) in a circle centred on ``(x, y)``."""
        self.elements.append(f'<circle cx="{x:g}" cy="{y:g}" r="{radius:g}" fill="{OPERATOR_FILL}" stroke="{STROKE}"'
                             f' stroke-width="1.4"/>')
        self.label(x, y, symbol, size=15 if len(symbol) <= 2 else 11, italic=False, css_class="operator")

    def region(self, x: float, y: float, width: float, height: float, fill: str = "#f7f7f7") -> None:
        """A background panel (the cell's boundary), top-left corner at ``(x, y)``."""
        self.elements.append(f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" rx="14"'
                             f' fill="{fill}" stroke="#999" stroke-width="1.2"/>')

    def caption(self, x: float, y: float, text: str, size: float = 12, anchor: str = "start") -> None:
        """Plain explanatory text (not a symbol)."""
        self.elements.append(f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}"'
                             f' class="caption" fill="#444" xml:space="preserve">{escape(text)}</text>')

    def to_svg(self) -> str:
        """The whole document: a standalone SVG with a title, a description and an arrowhead marker."""
        return "\n".join([
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{self.width}" height="{self.height}"'
            f' viewBox="0 0 {self.width} {self.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
            f' role="img" aria-labelledby="title desc">',
            f'<title id="title">{escape(self.title)}</title>',
            f'<desc id="desc">{escape(self.description)}</desc>',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse"'
            f' orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{STROKE}"/></marker></defs>',
            f'<rect width="{self.width}" height="{self.height}" fill="#fff"/>',
            *self.elements,
            "</svg>",
            "",
        ])
