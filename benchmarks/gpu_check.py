"""The checks a GPU machine runs in a few minutes (issue 11, item 6); ``--dry-run`` runs them tiny on CPU.

1. Training-step throughput (tokens/s, forward + backward + clipped SGD step) of the Zaremba
   medium model (configs/zaremba_medium.yaml: LSTM 2 x 650, batch 20 x 35, 10,000 words) for
   each backend (fused = cuDNN, scratch = rnnlm.cells, compiled = scratch + ``compile_cells``)
   in float32 and under bf16 autocast.
2. Two-GPU equality: two NCCL ranks walking B streams each end with the parameters of one GPU
   walking the same 2B streams (as tests/training/test_ddp.py checks with gloo on CPU); skipped
   with fewer than two GPUs.
3. The char recipe (configs/char_rnn_tinyshakespeare.yaml) trained for 3 minutes, then its
   validation loss, against nanoGPT's published 1.4697 (Karpathy, nanoGPT README,
   shakespeare_char on one A100 in about 3 minutes).

    python benchmarks/gpu_check.py                 # on the GPU machine: results/gpu_check.md
    python benchmarks/gpu_check.py --dry-run --out /tmp/check.md   # anywhere: tiny, CPU, seconds

Without CUDA and without ``--dry-run`` it says so and exits 0 (nothing to check).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rnnlm.atomic import write_text_atomic  # noqa: E402
from rnnlm.models import LSTMLM  # noqa: E402

NANOGPT_CHAR_VAL_LOSS = 1.4697
# Tiny Shakespeare: the shared copy beside the checkout, else a copy inside it (a GPU machine
# receives only the checkout), else the tinyshakespeare corpus (downloaded and cached).
_CANDIDATES = [ROOT.parent / "shared" / "data" / "tinyshakespeare" / "input.txt",
               ROOT / "shared" / "data" / "tinyshakespeare" / "input.txt"]
CHAR_CORPUS = next((str(path) for path in _CANDIDATES if path.is_file()), "tinyshakespeare")
TINY = dict(embedding_dim=16, hidden_size=16, vocab_size=50, batch_size=2, bptt=5, steps=2, warmup=1)


def recipe(name: str) -> dict:
    """A shipped recipe from configs/ as a dict."""
    return yaml.safe_load((ROOT / "configs" / f"{name}.yaml").read_text())


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def step_throughput(backend: str, compiled: bool, bf16: bool, device: torch.device, dry_run: bool) -> float:
    """Tokens per second of training steps of the Zaremba medium LSTM (tiny with ``dry_run``)."""
    medium = recipe("zaremba_medium")
    settings = dict(medium["model"]["init_args"])
    sizes = TINY if dry_run else dict(embedding_dim=settings["embedding_dim"], hidden_size=settings["hidden_size"],
                                      vocab_size=medium["data"]["max_size"], batch_size=medium["data"]["batch_size"],
                                      bptt=medium["data"]["bptt"], steps=30, warmup=5)
    torch.manual_seed(0)
    model = LSTMLM(vocab_size=sizes["vocab_size"], embedding_dim=sizes["embedding_dim"], hidden_size=sizes["hidden_size"],
                   num_layers=settings["num_layers"], dropout=settings["dropout"], backend=backend,
                   compile_cells=compiled).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=settings["lr"])
    tokens = torch.randint(0, sizes["vocab_size"], (sizes["batch_size"], sizes["bptt"] + 1), device=device)
    inputs, targets = tokens[:, :-1], tokens[:, 1:]  # [B, T] each
    hidden = model.init_hidden(sizes["batch_size"])
    start = 0.0
    for step in range(sizes["warmup"] + sizes["steps"]):
        if step == sizes["warmup"]:
            synchronize(device)
            start = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            nll, hidden = model.token_nll(inputs, targets, hidden)  # [B, T]
        hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad(set_to_none=True)
        nll.mean().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe("zaremba_medium")["trainer"]["gradient_clip_val"])
        optimizer.step()
    synchronize(device)
    return sizes["steps"] * inputs.numel() / (time.perf_counter() - start)


def throughput_rows(device: torch.device, dry_run: bool) -> list[str]:
    rows = ["| backend | float32 tokens/s | bf16 autocast tokens/s |", "|---|---|---|"]
    for name, backend, compiled in (("fused", "fused", False), ("scratch", "scratch", False),
                                     ("compiled", "scratch", True)):
        if compiled and dry_run:  # inductor builds C++ kernels: minutes on a CPU
            rows.append(f"| {name} | skipped in --dry-run | skipped in --dry-run |")
            continue
        rates = [step_throughput(backend, compiled, bf16, device, dry_run) for bf16 in (False, True)]
        rows.append(f"| {name} | {rates[0]:,.0f} | {rates[1]:,.0f} |")
    return rows


def nccl_child(out: Path, mode: str) -> None:
    """One side of the two-GPU check (Lightning's launcher starts rank 1 by running this script again)."""
    from lightning.pytorch import Trainer, seed_everything

    from rnnlm.data.datamodule import LanguageModelDataModule

    seed_everything(3)
    ranks = 2 if mode == "ddp" else 1
    data = LanguageModelDataModule(corpus=CHAR_CORPUS, level="char", batch_size=8 * (3 - ranks), bptt=16,
                                   windows_per_batch=4)  # several optimizer steps per batch, all-reduced each
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=32, hidden_size=64, num_layers=2, dropout=0.0, lr=1.0)
    trainer = Trainer(accelerator="gpu", devices=ranks, strategy="ddp" if ranks == 2 else "auto", max_steps=20,
                      limit_val_batches=0, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                      gradient_clip_val=0.5, use_distributed_sampler=False, default_root_dir=out)
    trainer.fit(model, datamodule=data)
    if trainer.global_rank == 0:
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out / f"{mode}.pt")


def nccl_equality(out: Path) -> str:
    if torch.cuda.device_count() < 2:
        return f"skipped: {torch.cuda.device_count()} GPU(s), the check needs 2"
    for mode in ("ddp", "single"):
        subprocess.run([sys.executable, __file__, "--nccl-child", str(out), "--nccl-mode", mode], check=True, cwd=out)
    ddp, single = torch.load(out / "ddp.pt"), torch.load(out / "single.pt")
    worst = max((ddp[k] - single[k]).abs().max().item() for k in single)
    return f"largest parameter difference after 20 steps, 2 NCCL ranks vs 1 GPU: {worst:.2e} ({'ok' if worst < 1e-4 else 'TOO LARGE'})"


def char_recipe(out: Path, dry_run: bool, minutes: float) -> str:
    """Fit the char recipe for ``minutes``, then validate its last checkpoint; the validation loss line."""
    common = ["--data.corpus", CHAR_CORPUS, "--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
    tiny = ["--model.embedding_dim", "8", "--model.hidden_size", "16", "--data.batch_size", "4", "--data.bptt", "8",
            "--trainer.max_steps", "3", "--trainer.limit_val_batches", "2"] if dry_run else []
    seconds = int(minutes * 60)
    fit = [sys.executable, "-m", "rnnlm.cli", "fit", "-c", str(ROOT / "configs" / "char_rnn_tinyshakespeare.yaml"),
           *common, *tiny, "--trainer.max_time", f"00:00:{seconds // 60:02d}:{seconds % 60:02d}",
           "--trainer.default_root_dir", str(out), "--checkpoint.dirpath", str(out / "char")]
    subprocess.run(fit, check=True, cwd=out, capture_output=True, text=True)
    validate = [sys.executable, "-m", "rnnlm.cli", "validate", "--ckpt_path", str(out / "char" / "last.ckpt"),
                "--data.level", "char", "--data.batch_size", "32" if not dry_run else "4", *common,
                *(["--trainer.limit_val_batches", "2", "--data.bptt", "8"] if dry_run else ["--data.bptt", "50"])]
    done = subprocess.run(validate, check=True, cwd=out, capture_output=True, text=True)
    match = re.search(r"val/loss ([0-9.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"no validation loss in the output of {' '.join(validate)}:\n{done.stdout[-2000:]}")
    loss = float(match.group(1))
    return f"validation loss after {minutes:g} min: {loss:.4f} nats/char (nanoGPT: {NANOGPT_CHAR_VAL_LOSS})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="tiny sizes on CPU, seconds: checks the script")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "gpu_check.md"), help="results file")
    parser.add_argument("--minutes", type=float, default=3.0, help="training time of the char recipe")
    parser.add_argument("--nccl-child", help=argparse.SUPPRESS)
    parser.add_argument("--nccl-mode", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.nccl_child:
        nccl_child(Path(args.nccl_child), args.nccl_mode)
        return 0
    if not torch.cuda.is_available() and not args.dry_run:
        print("gpu_check: no CUDA device here; nothing to check (use --dry-run to exercise the script on CPU)")
        return 0
    device = torch.device("cpu" if args.dry_run else "cuda")
    name = "CPU (dry run)" if args.dry_run else torch.cuda.get_device_name(device)
    work = Path(tempfile.mkdtemp())
    lines = [f"# GPU check{' (dry run: tiny sizes on CPU)' if args.dry_run else ''}", "",
             f"Device: {name}; torch {torch.__version__}; benchmarks/gpu_check.py", "",
             "## Training-step throughput, Zaremba medium (2 x 650, batch 20 x 35, 10,000 words)", "",
             *throughput_rows(device, args.dry_run), "",
             "## Two GPUs, NCCL", "", nccl_equality(work) if not args.dry_run else "skipped in --dry-run", "",
             "## Char recipe", "", char_recipe(work, args.dry_run, 0.25 if args.dry_run else args.minutes), ""]
    write_text_atomic(Path(args.out), "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
