"""A self-contained HTML page that colours each character by a cell's activation.

One row per cell, the same text in each, every character on a background from blue
(activation -1) through white (0) to red (+1), as in Karpathy, Johnson & Fei-Fei (2015),
Figure 2; a legend shows the scale. The caller scales each row into [-1, 1] (``rnnlm
interpret`` divides a cell's activation by its largest magnitude over the text, since a cell
state ``c_t`` is not bounded, and says so in the row's caption). The page needs no script and
no network: colours are CSS classes of 21 levels defined in the page itself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlm.atomic import write_text_atomic

LEVELS = 21  # -1.0, -0.9, ..., +1.0


@dataclass
class Row:
    """One row of the page: a title, a line of explanation, and a value in [-1, 1] per character."""

    title: str
    caption: str
    values: np.ndarray  # [N]


def level_of(values: np.ndarray) -> np.ndarray:
    """The colour level (0 .. LEVELS - 1) of each value, values clipped to [-1, 1]."""
    return np.rint((np.clip(values, -1.0, 1.0) + 1.0) / 2.0 * (LEVELS - 1)).astype(int)


def level_color(level: int) -> tuple[int, int, int]:
    """RGB of a level: blue for -1, white for 0, red for +1 (lightened so that text stays readable)."""
    value = 2.0 * level / (LEVELS - 1) - 1.0
    fade = round(255 * (1.0 - 0.8 * abs(value)))
    return (255, fade, fade) if value >= 0 else (fade, fade, 255)


def _css() -> str:
    levels = "\n".join(f".a{level} {{ background: rgb{level_color(level)}; }}" for level in range(LEVELS))
    return f"""body {{ font-family: sans-serif; margin: 1.5em; color: #111; }}
pre.text {{ font-family: monospace; font-size: 13px; line-height: 1.35; white-space: pre-wrap;
  border: 1px solid #ccc; padding: 0.5em; margin: 0.3em 0 1.2em 0; }}
pre.text span {{ color: #111; }}
.legend span {{ display: inline-block; width: 1.6em; height: 1.1em; vertical-align: middle; }}
h2 {{ font-size: 1.05em; margin-bottom: 0.1em; }} p.caption {{ margin: 0; color: #444; }}
{levels}"""


def _characters(text: str, levels: np.ndarray) -> str:
    """One ``<span>`` per character with its level's class (newlines kept, so the layout stays)."""
    return "".join(f'<span class="a{level}">{html.escape(char)}</span>' for char, level in zip(text, levels))


def render_page(text: str, rows: list[Row], title: str, summary: str = "") -> str:
    """The page as a string: ``text`` shown once per row, coloured by that row's values."""
    for row in rows:
        if row.values.shape != (len(text),):
            raise ValueError(f"row {row.title!r} has {row.values.shape} values, expected ({len(text)},)")
    legend = "".join(f'<span class="a{level}" title="{2 * level / (LEVELS - 1) - 1:+.1f}"></span>'
                     for level in range(LEVELS))
    sections = "\n".join(
        f'<section class="row" data-cell="{html.escape(row.title)}">\n<h2>{html.escape(row.title)}</h2>\n'
        f'<p class="caption">{html.escape(row.caption)}</p>\n'
        f'<pre class="text">{_characters(text, level_of(row.values))}</pre>\n</section>'
        for row in rows)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
{_css()}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(summary)}</p>
<p class="legend">activation: -1 {legend} +1 (blue = negative, white = 0, red = positive)</p>
{sections}
</body>
</html>
"""


def write_page(path: str | Path, text: str, rows: list[Row], title: str, summary: str = "") -> Path:
    """Write ``render_page(...)`` to ``path`` atomically; returns the path."""
    path = Path(path)
    write_text_atomic(path, render_page(text, rows, title, summary))
    return path
