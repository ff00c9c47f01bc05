"""Figures 5.1 (the unrolled RNN), 5.3 (the LSTM cell) and 5.4 (the GRU cell), drawn as SVG.

Each figure is a function returning a :class:`Canvas`; ``write_diagrams`` writes all three.
The symbols are the chapter's: eq. 5.1-5.2 (``x_t``, ``h_t``, ``y_t``, ``W_xh``, ``W_hh``,
``W_hy``), eqs. 5.4-5.8 (``f_t``, ``i_t``, ``c̃_t``, ``c_t``, ``o_t``) and eqs. 5.9-5.11
(``z_t``, ``r_t``, ``h̃_t``; the textbook GRU, reset gate applied to ``h_{t-1}`` before the
matmul). The layout follows the usual drawings of Olah (2015), "Understanding LSTM
Networks": the cell state runs along the top as a straight line that only meets a product
and a sum, which is why gradients can travel along it (section 5.3.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path

from rnnlm.atomic import write_text_atomic
from rnnlm.diagrams.svg import GATE_FILL, LAYER_FILL, STATE_FILL, Canvas

TIMES, PLUS, ONE_MINUS = "\u00d7", "+", "1\u2212"
TILDE_C, TILDE_H = "c\u0303_t", "h\u0303_t"  # c̃_t, h̃_t: candidates, eqs. 5.6 and 5.11


def unrolled_rnn() -> Canvas:
    """Fig. 5.1: one RNN cell folded (left) and unrolled over three steps with shared weights (right)."""
    canvas = Canvas(760, 330, "Figure 5.1: an RNN unrolled in time",
                    "The recurrent cell h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h) (eq. 5.1) drawn once with its "
                    "loop, then unrolled over steps t-1, t, t+1: the same weights W_xh, W_hh, W_hy at every step; "
                    "y_t = softmax(W_hy h_t + b_y) (eq. 5.2).")
    # Folded: one cell and its loop.
    canvas.box(90, 160, 70, 56, "h_t", STATE_FILL, size=17, italic=True)
    canvas.line([(90, 260), (90, 190)])
    canvas.label(90, 275, "x_t")
    canvas.line([(90, 132), (90, 70)])
    canvas.label(90, 56, "y_t")
    canvas.line([(125, 170), (150, 170), (150, 215), (30, 215), (30, 150), (53, 150)])
    canvas.label(165, 200, "W_hh", size=13, anchor="start")
    canvas.label(190, 160, "=", size=24, italic=False)
    # Unrolled: three steps.
    steps = [("t-1", 330), ("t", 480), ("t+1", 630)]
    canvas.line([(225, 160), (293, 160)])
    canvas.label(238, 142, "h_{t-2}", size=13)
    for index, (step, x) in enumerate(steps):
        canvas.box(x, 160, 72, 56, f"h_{{{step}}}", STATE_FILL, size=16, italic=True)
        canvas.line([(x, 260), (x, 190)])
        canvas.label(x, 275, f"x_{{{step}}}")
        canvas.label(x + 8, 228, "W_xh", size=12, anchor="start")
        canvas.line([(x, 132), (x, 70)])
        canvas.label(x, 56, f"y_{{{step}}}")
        canvas.label(x + 8, 103, "W_hy", size=12, anchor="start")
        end = steps[index + 1][1] - 38 if index + 1 < len(steps) else 735
        canvas.line([(x + 37, 160), (end, 160)])
        canvas.label((x + 37 + end) / 2, 146, "W_hh", size=12)
    canvas.caption(225, 315, "the same W_xh, W_hh, W_hy at every step (parameter sharing, section 5.1.2)")
    return canvas


def lstm_cell() -> Canvas:
    """Fig. 5.3: the LSTM cell: the cell-state highway on top, three sigmoid gates and two tanh."""
    canvas = Canvas(740, 440, "Figure 5.3: the LSTM cell",
                    "The cell state c_{t-1} -> c_t runs along the top and meets only the forget gate's product "
                    "and the sum with the gated candidate: c_t = f_t * c_{t-1} + i_t * c~_t (eq. 5.7). The "
                    "forget gate f_t (eq. 5.4), input gate i_t (eq. 5.5) and output gate o_t (eq. 5.8) are "
                    "sigmoid layers of [h_{t-1}, x_t]; the candidate c~_t is a tanh layer (eq. 5.6); "
                    "h_t = o_t * tanh(c_t) (eq. 5.8).")
    canvas.region(80, 50, 560, 310)
    highway, bus = 100, 320
    # The cell-state highway (eq. 5.7).
    canvas.label(40, highway - 22, "c_{t-1}")
    canvas.line([(20, highway), (186, highway)], width=3)
    canvas.operator(200, highway, TIMES)
    canvas.line([(214, highway), (346, highway)], width=3)
    canvas.operator(360, highway, PLUS)
    canvas.line([(374, highway), (715, highway)], width=3)
    canvas.label(700, highway - 22, "c_t")
    canvas.caption(400, highway - 12, "cell state: the highway (eq. 5.7)", size=11)
    # [h_{t-1}, x_t] feeds every gate from below.
    canvas.label(40, bus + 22, "h_{t-1}")
    canvas.line([(20, bus), (470, bus)], arrow=False)
    canvas.line([(130, 420), (130, bus)], arrow=False)
    canvas.label(150, 410, "x_t", anchor="start")
    gates = [(200, "\u03c3", GATE_FILL, "f_t"), (290, "\u03c3", GATE_FILL, "i_t"),
             (360, "tanh", LAYER_FILL, TILDE_C), (470, "\u03c3", GATE_FILL, "o_t")]
    for x, symbol, fill, _ in gates:
        canvas.line([(x, bus), (x, 268)])
        canvas.box(x, 250, 44, 34, symbol, fill)
    # Forget gate: scales the old cell state (eq. 5.4, first term of 5.7).
    canvas.line([(200, 233), (200, highway + 14)])
    canvas.label(210, 175, "f_t", anchor="start")
    # Input gate times candidate, added to the highway (eqs. 5.5, 5.6, second term of 5.7).
    canvas.line([(290, 233), (290, 180), (346, 180)])
    canvas.label(280, 200, "i_t", anchor="end")
    canvas.operator(360, 180, TIMES)
    canvas.line([(360, 233), (360, 194)])
    canvas.label(370, 215, TILDE_C, anchor="start")
    canvas.line([(360, 166), (360, highway + 14)])
    # Output gate times tanh(c_t) gives h_t (eq. 5.8).
    canvas.line([(560, highway), (560, 156)])
    canvas.operator(560, 170, "tanh", radius=17)
    canvas.line([(560, 187), (560, 236)])
    canvas.operator(560, 250, TIMES)
    canvas.line([(492, 250), (546, 250)])
    canvas.label(505, 232, "o_t")
    canvas.line([(574, 250), (715, 250)])
    canvas.label(700, 232, "h_t")
    canvas.line([(610, 250), (610, 20)], bridge=True)
    canvas.label(625, 28, "h_t", anchor="start")
    canvas.caption(190, 400, "\u03c3: sigmoid layer    tanh: tanh layer    \u00d7: elementwise product    +: sum",
                   size=11)
    return canvas


def gru_cell() -> Canvas:
    """Fig. 5.4: the GRU cell: no separate cell state, an update gate z_t and a reset gate r_t."""
    canvas = Canvas(740, 440, "Figure 5.4: the GRU cell",
                    "The hidden state h_{t-1} -> h_t runs along the top: h_t = (1 - z_t) * h_{t-1} + z_t * h~_t "
                    "(eq. 5.11). The update gate z_t (eq. 5.9) and the reset gate r_t (eq. 5.10) are sigmoid "
                    "layers of [h_{t-1}, x_t]; the candidate h~_t = tanh(W_h [r_t * h_{t-1}, x_t] + b_h) sees "
                    "the old state only through the reset gate. Two gates, no separate cell state.")
    canvas.region(70, 50, 580, 330)
    top, bus, inputs = 90, 320, 360
    canvas.label(38, top - 22, "h_{t-1}")
    canvas.line([(20, top), (446, top)], width=3)
    canvas.operator(460, top, TIMES)
    canvas.line([(474, top), (586, top)], width=3)
    canvas.operator(600, top, PLUS)
    canvas.line([(614, top), (715, top)], width=3)
    canvas.label(700, top - 22, "h_t")
    canvas.line([(680, top), (680, 20)])
    canvas.label(693, 28, "h_t", anchor="start")
    # [h_{t-1}, x_t] to both gates; x_t alone to the candidate.
    canvas.line([(100, top), (100, bus), (460, bus)], arrow=False)
    canvas.line([(150, 420), (150, bus)], arrow=False)
    canvas.line([(150, inputs), (600, inputs), (600, 288)])
    canvas.label(165, 410, "x_t", anchor="start")
    gates = [(220, "\u03c3", GATE_FILL), (460, "\u03c3", GATE_FILL)]
    for x, symbol, fill in gates:
        canvas.line([(x, bus), (x, 288)])
        canvas.box(x, 270, 44, 34, symbol, fill)
    canvas.box(600, 270, 52, 34, "tanh", LAYER_FILL)
    # Update gate: 1 - z_t keeps the old state, z_t admits the candidate (eq. 5.9, 5.11).
    canvas.line([(460, 253), (460, 164)])
    canvas.operator(460, 150, ONE_MINUS, radius=15)
    canvas.line([(460, 135), (460, top + 14)])
    canvas.label(470, 235, "z_t", anchor="start")
    # Reset gate: r_t * h_{t-1} into the candidate (eqs. 5.10, 5.11).
    canvas.line([(220, 253), (220, 204)])
    canvas.label(230, 232, "r_t", anchor="start")
    canvas.line([(220, top), (220, 176)])
    canvas.operator(220, 190, TIMES)
    canvas.line([(234, 190), (540, 190), (540, 262), (574, 262)], bridge=True)
    canvas.line([(460, 215), (500, 215), (500, 140), (586, 140)], bridge=True)
    canvas.operator(600, 140, TIMES)
    canvas.line([(600, 253), (600, 154)])
    canvas.label(612, 205, TILDE_H, anchor="start")
    canvas.line([(600, 126), (600, top + 14)])
    canvas.caption(190, 405, "\u03c3: sigmoid layer    tanh: tanh layer    \u00d7: elementwise product    "
                   "+: sum    1\u2212: one minus", size=11)
    return canvas


@dataclass(frozen=True)
class Diagram:
    """One figure: its file stem, the function drawing it, and the symbols it must show."""

    stem: str
    draw: Callable[[], Canvas]
    symbols: tuple[str, ...]


DIAGRAMS: tuple[Diagram, ...] = (
    Diagram("fig_5_1", unrolled_rnn, ("x_t", "h_t", "y_t", "h_{t-1}", "x_{t-1}", "h_{t+1}", "W_hh", "W_xh", "W_hy")),
    Diagram("fig_5_3", lstm_cell, ("x_t", "h_{t-1}", "h_t", "c_{t-1}", "c_t", "f_t", "i_t", "o_t", TILDE_C)),
    Diagram("fig_5_4", gru_cell, ("x_t", "h_{t-1}", "h_t", "z_t", "r_t", TILDE_H)),
)
"""The three figures, in the chapter's order."""


def write_diagrams(output_dir: str | Path) -> list[Path]:
    """Write ``fig_5_1.svg``, ``fig_5_3.svg`` and ``fig_5_4.svg`` into ``output_dir``; returns the paths."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    return [write_text_atomic(output / f"{diagram.stem}.svg", diagram.draw().to_svg()) for diagram in DIAGRAMS]
