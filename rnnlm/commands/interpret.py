"""``rnnlm interpret``: find the cells of a character LSTM that track quotes, brackets, lines, code.

    rnnlm interpret --corpus tinyshakespeare                  # train 5 minutes on 1 thread, then search
    rnnlm interpret --corpus python --max_seconds 300         # the standard library's own source
    rnnlm interpret --checkpoint run/last.ckpt --corpus tinyshakespeare   # a model from `rnnlm fit`

Writes ``interpret_<corpus>.html``, ``.png``, ``_traces.png``, ``.json`` and ``.md`` into
``--output_dir`` (see ``rnnlm.interpret.pipeline``). Reference: Karpathy, Johnson & Fei-Fei
(2015), "Visualizing and Understanding Recurrent Networks".
"""

from __future__ import annotations

import time

import torch

from rnnlm.errors import UsageError


def command(
    corpus: str = "tinyshakespeare",
    checkpoint: str | None = None,
    data_dir: str | None = None,
    output_dir: str = "docs/figures",
    features: list[str] | None = None,
    text_chars: int = 20_000,
    selection_share: float = 0.5,
    page_chars: int = 1500,
    cells_shown: int = 6,
    hidden_size: int = 128,
    num_layers: int = 2,
    max_steps: int = 1500,
    max_seconds: float = 3600.0,
    seed: int = 0,
    control: bool = True,
    threads: int = 1,
) -> int:
    """Find and show the LSTM cells that track named features of the text.

    Trains a character LSTM (or loads one), records every cell's c_t and h_t over held-out text,
    ranks the cells for each feature and writes an HTML page, PNG figures and a table.

    Args:
        corpus: "tinyshakespeare", "python" (the standard library's .py files), or any corpus rnnlm.data knows.
        checkpoint: a character-level checkpoint written by `rnnlm fit`; omitted = train one here.
        data_dir: folder of downloaded corpus files (default: the rnnlm cache).
        output_dir: where the page, the figures and the table go.
        features: names of the features to rank cells for; default: those suited to the corpus.
        text_chars: characters of held-out text to record (the first part selects, the rest scores).
        selection_share: share of the text used to rank cells; the rest scores the best cell.
        page_chars: characters of held-out text shown on the page and in the PNG.
        cells_shown: most rows on the page (one per distinct best cell).
        hidden_size: hidden size of each LSTM layer (training here only).
        num_layers: stacked LSTM layers (training here only).
        max_steps: most training steps (training here only).
        max_seconds: training time budget in seconds (training here only).
        seed: seed of the weights and of the untrained control network.
        control: also rank an untrained network of the same shape, as a baseline.
        threads: torch CPU threads.
    """
    from rnnlm.interpret.features import CODE_FEATURES, PROSE_FEATURES, check_features
    from rnnlm.interpret.pipeline import find_cells, write_results
    from rnnlm.interpret.train import PYTHON_CORPUS, analysis_text, load_interpret_corpus, train_char_lstm
    from rnnlm.models import load_language_model

    # Check every option before training, so that a typo never costs a training run.
    for name, value in (("threads", threads), ("text_chars", text_chars), ("page_chars", page_chars),
                        ("cells_shown", cells_shown), ("max_steps", max_steps)):
        if value < 1:
            raise UsageError(f"{name} must be a positive integer, got {value}")
    if not 0.0 < selection_share < 1.0:
        raise UsageError(f"selection_share must be in (0, 1), got {selection_share}: e.g. 0.5 ranks on the "
                         "first half of the text and scores the best cell on the second")
    torch.set_num_threads(threads)
    names = check_features(features if features is not None else
                           CODE_FEATURES if corpus == PYTHON_CORPUS else PROSE_FEATURES)
    texts = load_interpret_corpus(corpus, data_dir)
    text = analysis_text(texts, text_chars)
    details: dict = {"corpus_source": texts.source}
    if checkpoint is not None:
        model = load_language_model(checkpoint)
        details["checkpoint"] = checkpoint
    else:
        model, log = train_char_lstm(texts, hidden_size=hidden_size, num_layers=num_layers, max_steps=max_steps,
                                     max_seconds=max_seconds, seed=seed)
        details["training"] = {"steps": log.steps, "seconds": round(log.seconds, 1),
                               "cpu_seconds": round(log.cpu_seconds, 1),
                               "train_bpc": round(log.train_bpc, 3), "held_out_bpc": round(log.held_out_bpc, 3),
                               "hidden_size": hidden_size, "num_layers": num_layers, "threads": threads}
        print(f"trained {log.steps} steps in {log.seconds:.0f} s ({log.cpu_seconds:.0f} s of CPU): "
              f"held-out {log.held_out_bpc:.3f} bits/char")
    started = time.process_time()
    search = find_cells(model, texts.name, text, names, selection_share, seed if control else None, details=details)
    details["search_cpu_seconds"] = round(time.process_time() - started, 1)
    for path in write_results(search, output_dir, page_chars, cells_shown):
        print(f"wrote {path}")
    for report in search.reports:
        print(f"{report.feature:>22}: {str(report.best.cell):<18} held-out {report.held_out.score:.3f}")
    return 0
