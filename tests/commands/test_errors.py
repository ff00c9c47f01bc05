"""One-line errors at the ``rnnlm`` entry point: each user mistake prints ``rnnlm: error: ...`` and exits 2.

Each case is run through ``main(argv)`` with the exact message; one runs in a subprocess to
check that no traceback reaches the terminal, and that ``RNNLM_DEBUG=1`` brings it back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlm.cli import EXTRA_VERBS, LIGHTNING_VERBS, main

ROOT = Path(__file__).resolve().parents[2]


def error_of(argv: list[str], capsys) -> str:
    """The stderr of ``rnnlm ARGV``, asserting that it failed with status 2 and printed nothing on stdout."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_a_missing_checkpoint(tmp_path, capsys):
    missing = tmp_path / "missing.ckpt"
    text = tmp_path / "text.txt"
    text.write_text("hello\n")
    for argv in (["generate"], ["score", str(text)], ["export", "--output", str(tmp_path / "m.pt")],
                 ["gradients", "--output_dir", str(tmp_path)]):
        assert error_of([*argv, "--ckpt_path", str(missing)], capsys) == (
            f"rnnlm: error: checkpoint not found: {missing}; pass the .ckpt written by `rnnlm fit` "
            "(e.g. .../checkpoints/last.ckpt)\n")


def test_a_truncated_or_foreign_checkpoint(word_checkpoint, tmp_path, capsys):
    truncated = tmp_path / "truncated.ckpt"
    truncated.write_bytes(word_checkpoint.read_bytes()[:5000])
    err = error_of(["generate", "--ckpt_path", str(truncated)], capsys)
    assert err.startswith(f"rnnlm: error: cannot load checkpoint {truncated} (") and err.count("\n") == 1
    assert err.endswith("); is it complete and written by `rnnlm fit`?\n")
    foreign = tmp_path / "notes.ckpt"
    foreign.write_text("not a checkpoint")
    assert error_of(["generate", "--ckpt_path", str(foreign)], capsys).startswith(
        f"rnnlm: error: cannot load checkpoint {foreign} (")


@pytest.mark.parametrize("verb", ["ngram", "compare"])
def test_an_unknown_corpus_path(verb, tmp_path, capsys):
    corpus = tmp_path / "no" / "such" / "corpus"
    assert error_of([verb, "--corpus", str(corpus), "--output_dir" if verb == "compare" else "--order",
                     str(tmp_path) if verb == "compare" else "2"], capsys) == (
        f"rnnlm: error: unknown corpus '{corpus}': choose one of shakespeare, tinyshakespeare, ptb, wikitext2, wikitext103, "
        "or give the path of an existing .txt file or folder\n")


def test_a_file_to_score_that_is_not_utf8_or_missing(word_checkpoint, tmp_path, capsys):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café\n".encode("latin-1"))
    assert error_of(["score", str(latin), "--ckpt_path", str(word_checkpoint)], capsys) == (
        f"rnnlm: error: {latin} is not UTF-8 text (byte 3 is b'\\xe9'); convert it first, "
        "e.g. `iconv -f latin1 -t utf-8`\n")
    assert error_of(["score", str(tmp_path / "none.txt"), "--ckpt_path", str(word_checkpoint)], capsys) == (
        f"rnnlm: error: file to score not found: {tmp_path / 'none.txt'}; pass the path of a UTF-8 text file\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert error_of(["score", str(empty), "--ckpt_path", str(word_checkpoint)], capsys) == (
        f"rnnlm: error: {empty} is empty: there is nothing to score\n")


@pytest.mark.parametrize("argv, message", [
    (["generate", "--ckpt_path", "m.ckpt", "--max_tokens", "-1"], "--max_tokens must be >= 0; received -1"),
    (["generate", "--ckpt_path", "m.ckpt", "--temperature", "-0.5"], "--temperature must be >= 0; received -0.5"),
    (["generate", "--ckpt_path", "m.ckpt", "--top_k", "abc"],
     "--top_k takes int or null; received 'abc' (see `rnnlm generate --help`)"),
    (["ngram", "--order", "0"], "--order must be >= 1; received 0"),
    (["ngram", "--smoothing", "witten_bell"], "--smoothing takes one of mle, add_k, kneser_ney, modified_kneser_ney;"
     " received 'witten_bell' (see `rnnlm ngram --help`)"),
    (["ngram", "--smoothing", "kneser_ney", "--k", "0.5"],
     "k is the pseudo-count of smoothing='add_k'; it does not apply to 'kneser_ney'"),
    (["compare", "--model.hidden_size", "0"], "--model.hidden_size must be >= 1; received 0"),
    (["compare", "--model.dropout", "1"], "--model.dropout must lie in [0, 1); received 1.0"),
    (["compare", "--architectures", "rnn", "transformer"],
     "--architectures takes a list of rnn, lstm, gru; received 'transformer' (see `rnnlm compare --help`)"),
    (["compare", "--time_budget", "0"], "time_budget must be a positive number of seconds; received 0.0"),
    (["gradients", "--steps", "1"], "--steps must be >= 2; received 1"),
    (["tag", "--training.max_minutes", "0"], "--training.max_minutes must be > 0; received 0.0"),
    (["classify", "--pooling", "sum"],
     "--pooling takes one of mean, max, final; received 'sum' (see `rnnlm classify --help`)"),
    (["export", "--ckpt_path", "m.ckpt", "--output", "/no/such/folder/m.pt"],
     "the folder of --output does not exist: /no/such/folder; create it first"),
    (["score", "file.txt"], "Option 'ckpt_path' is required but not provided or its value is None. "
     "(see `rnnlm score --help`)"),
    (["ngram", "--no_such_flag", "1"], "Unrecognized arguments: --no_such_flag 1 (see `rnnlm ngram --help`)"),
])
def test_bad_option_values(argv, message, capsys):
    assert error_of(argv, capsys) == f"rnnlm: error: {message}\n"


def test_an_unknown_verb(capsys):
    verbs = ", ".join((*LIGHTNING_VERBS, *EXTRA_VERBS))
    assert "score" in verbs and "export" in verbs
    assert error_of(["frobnicate"], capsys) == f"rnnlm: error: unknown verb 'frobnicate'; choose one of: {verbs}\n"


def test_onnx_without_the_onnx_package(word_checkpoint, tmp_path, capsys):
    import importlib.util

    if importlib.util.find_spec("onnx") is not None:
        pytest.skip("onnx is installed here: the export runs instead (tests/commands/test_export.py)")
    assert error_of(["export", "--ckpt_path", str(word_checkpoint), "--format", "onnx", "--output",
                     str(tmp_path / "m.onnx")], capsys) == (
        "rnnlm: error: --format onnx needs the onnx package: `pip install onnx` (and onnxruntime to run the file)"
        ", or use --format torchscript\n")


def _rnnlm(*argv: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    return subprocess.run([sys.executable, "-m", "rnnlm.cli", *argv], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_no_traceback_in_a_real_process_unless_asked(tmp_path):
    missing = str(tmp_path / "missing.ckpt")
    result = _rnnlm("generate", "--ckpt_path", missing, RNNLM_DEBUG="0")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines() == [
        f"rnnlm: error: checkpoint not found: {missing}; pass the .ckpt written by `rnnlm fit` "
        "(e.g. .../checkpoints/last.ckpt)"]
    debug = _rnnlm("generate", "--ckpt_path", missing, RNNLM_DEBUG="1")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "UsageError: checkpoint not found" in debug.stderr
