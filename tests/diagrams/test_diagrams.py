"""Figs. 5.1, 5.3, 5.4: produced by one command, valid SVG, every chapter symbol present as SVG text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import jsonargparse
import numpy as np
import pytest

from rnnlm.commands.diagrams import command
from rnnlm.diagrams import DIAGRAMS
from rnnlm.diagrams.svg import shown_text, symbol_parts
from tests.support.browser import require_chromium, screenshot

SVG = "{http://www.w3.org/2000/svg}"
REQUIRED = {  # the chapter's symbols each figure must carry (seed 004, eqs. 5.1-5.11)
    "fig_5_1": {"x_t", "h_t", "y_t", "h_{t-1}", "W_hh", "W_xh", "W_hy"},
    "fig_5_3": {"x_t", "h_{t-1}", "h_t", "c_{t-1}", "c_t", "f_t", "i_t", "o_t", "c\u0303_t"},
    "fig_5_4": {"x_t", "h_{t-1}", "h_t", "z_t", "r_t", "h\u0303_t"},
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    assert jsonargparse.CLI(command, args=["--output_dir", str(folder)], as_positional=False) == 0
    return folder


def labels(root: ET.Element) -> dict[str, str]:
    """aria-label -> the text a reader sees, for every <text> element."""
    return {text.get("aria-label"): "".join(text.itertext()) for text in root.iter(f"{SVG}text") if text.get("aria-label")}


@pytest.mark.parametrize("stem", sorted(REQUIRED))
def test_each_figure_is_valid_svg_with_its_labels_as_text(written, stem):
    path = written / f"{stem}.svg"
    assert path.stat().st_size > 1000
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert root.find(f"{SVG}title").text.startswith("Figure 5.")
    found = labels(root)
    missing = REQUIRED[stem] - set(found)
    assert not missing, f"{stem} lacks {missing}"
    for symbol in REQUIRED[stem]:
        assert found[symbol] == shown_text(symbol)  # drawn as text, subscript included
    assert len(list(root.iter(f"{SVG}polyline"))) >= 8  # arrows drawn, not only labels


def test_lstm_has_three_sigmoid_gates_and_gru_two():
    def gates(stem: str) -> int:
        diagram = next(diagram for diagram in DIAGRAMS if diagram.stem == stem)
        root = ET.fromstring(diagram.draw().to_svg().encode())
        return sum(1 for text in root.iter(f"{SVG}text") if "".join(text.itertext()) == "\u03c3")

    assert gates("fig_5_3") == 3 and gates("fig_5_4") == 2


def test_symbols_are_split_into_base_and_subscript():
    assert symbol_parts("h_{t-1}") == ("h", "t-1") and symbol_parts("x_t") == ("x", "t")
    assert symbol_parts("tanh") == ("tanh", "") and shown_text("c_{t-1}") == "ct\u22121"


def test_figures_render_in_a_browser(written, tmp_path):
    require_chromium()
    from matplotlib.image import imread

    for stem in REQUIRED:
        image = imread(screenshot(written / f"{stem}.svg", tmp_path / f"{stem}.png", width=760, height=440))
        dark = (image[..., :3].mean(axis=2) < 0.3).mean()  # share of dark (ink) pixels
        assert 0.005 < dark < 0.2, f"{stem}: {dark:.3%} dark pixels: blank or broken rendering"
        assert np.isfinite(image).all()
