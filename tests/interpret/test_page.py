"""The activation page in a real headless Chromium: it loads, shows the text, colours follow activations."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from rnnlm.interpret.page import LEVELS, Row, level_color, level_of, render_page, write_page
from tests.support.browser import dump_dom, require_chromium

TEXT = 'KING HENRY:\n"Once more (unto) the breach," dear <friends> & all.\n'

# Read back what the browser computed: each character's text and background colour, per row.
PROBE = """<script>
const rows = [...document.querySelectorAll("section.row")].map(section =>
  [...section.querySelectorAll("pre.text span")].map(span =>
    [span.textContent, getComputedStyle(span).backgroundColor]));
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify({rows: rows, visible: document.body.innerText});
document.body.appendChild(out);
</script>
</body>"""


def rows_for(text: str) -> list[Row]:
    ramp = np.linspace(-1.0, 1.0, len(text))  # [N]: every colour level appears
    quote_cell = np.array([1.0 if char in '"(' else -0.5 for char in text])
    return [Row("layer 0 c[3]", "a ramp from -1 to +1", ramp), Row("layer 1 h[7]", "quotes and brackets", quote_cell)]


def browser_view(tmp_path, text: str, rows: list[Row]) -> dict:
    page = write_page(tmp_path / "page.html", text, rows, "Cells of a char LSTM", "test page")
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    match = re.search(r'<pre id="probe">(.*?)</pre>', dump_dom(probed), re.S)
    assert match, "the probe script did not run"
    return json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def parse_rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in re.findall(r"\d+", css)[:3])


def test_page_shows_the_text_and_colours_follow_the_activations(tmp_path):
    require_chromium()
    rows = rows_for(TEXT)
    view = browser_view(tmp_path, TEXT, rows)
    assert len(view["rows"]) == 2
    assert TEXT.strip().splitlines()[1] in view["visible"]  # the text is shown, escapes undone
    for row, shown in zip(rows, view["rows"]):
        assert "".join(char for char, _ in shown) == TEXT
        colours = [parse_rgb(css) for _, css in shown]
        assert colours == [level_color(level) for level in level_of(row.values)]
    # Independently of the colour map: redder (red minus blue) as the activation grows.
    redness = [r - b for r, _, b in (parse_rgb(css) for _, css in view["rows"][0])]
    assert redness == sorted(redness) and redness[0] < 0 < redness[-1]


def test_colour_scale_is_blue_white_red():
    assert level_color(0)[2] == 255 and level_color(0)[0] < 100
    assert level_color(LEVELS // 2) == (255, 255, 255)
    assert level_color(LEVELS - 1)[0] == 255 and level_color(LEVELS - 1)[2] < 100
    assert level_of(np.array([-5.0, 0.0, 0.96, 5.0])).tolist() == [0, 10, 20, 20]


def test_page_is_self_contained_and_escapes_the_text():
    page = render_page("<a href='x'>", [Row("r", "c", np.zeros(12))], "t")
    assert "<a href" not in page and "&lt;" in page
    assert not re.search(r"(src|href)=|https?://|<script", page)  # no network, no script


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match=r"expected \(3,\)"):
        render_page("abc", [Row("r", "c", np.zeros(2))], "t")
