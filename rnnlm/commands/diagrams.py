"""``rnnlm diagrams``: write Figs. 5.1, 5.3 and 5.4 as SVG.

    rnnlm diagrams --output_dir docs/figures

See ``rnnlm.diagrams``: plain SVG written by the package, every symbol as SVG text.
"""

from __future__ import annotations


def command(output_dir: str = "docs/figures") -> int:
    """Draw Figs. 5.1 (unrolled RNN), 5.3 (LSTM cell) and 5.4 (GRU cell) as SVG files.

    Args:
        output_dir: folder that receives fig_5_1.svg, fig_5_3.svg and fig_5_4.svg.
    """
    from rnnlm.diagrams import write_diagrams

    for path in write_diagrams(output_dir):
        print(f"wrote {path}")
    return 0
