"""benchmarks/gpu_check.py: skips without CUDA, and its --dry-run runs every check tiny on CPU."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_check.py"


def load_script():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the behaviour without CUDA")
def test_without_cuda_it_says_so_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "check.md"
    assert load_script().main(["--out", str(out)]) == 0
    assert "no CUDA device here" in capsys.readouterr().out
    assert not out.exists()


@pytest.mark.slow
def test_dry_run_runs_every_check_on_cpu(tmp_path):
    out = tmp_path / "check.md"
    assert load_script().main(["--dry-run", "--out", str(out)]) == 0
    text = out.read_text()
    for backend in ("fused", "scratch"):
        row = re.search(rf"^\| {backend} \| ([0-9,]+) \| ([0-9,]+) \|$", text, re.MULTILINE)
        assert row is not None, text
        assert all(float(rate.replace(",", "")) > 0 for rate in row.groups())
    assert "| compiled | skipped in --dry-run |" in text
    loss = float(re.search(r"validation loss after [0-9.]+ min: ([0-9.]+) nats/char", text).group(1))
    assert math.isfinite(loss) and 0 < loss < math.log(200)  # a char model's loss, below uniform over 200 chars
