"""Per-step framework overhead: ``rnnlm fit`` as a user runs it against a bare PyTorch TBPTT loop.

A tiny model (LSTM 1 x 32, char level, batch 8, bptt 16, one thread) makes each step cost a
millisecond or two of compute, the scale of a GPU step of a real model, so what is left is the
framework's own cost per step (issue 11, goal <= 1.2x the bare loop with the CLI's defaults).
Method of ``../shared/bench/step_overhead.py`` (``benchmarks/alternating.py``): fresh processes,
sides alternated, start-up cancelled by differencing N1 and N2 steps.

    python benchmarks/step_overhead.py --repeats 3 [--before /path/to/older/checkout] [--in-process]

``--before`` adds the ``rnnlm fit`` sides run with another checkout on PYTHONPATH (the code
before a change), in the same alternation. ``--in-process`` times steps inside each process
instead (steps ``--first`` to ``--last``, after a warm-up, with ``time.perf_counter``): whole
processes of a few seconds vary by more than a second with their start-up and teardown (wandb's
included), so at a millisecond a step the difference of two runs is noisy; the in-process
clock rides on the CLI's own tokens/s callback, so it adds no hook. Results go to
benchmarks/results/step_overhead.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alternating import FIT_TIMED, Side, machine, measure, measure_reported, table  # noqa: E402

from rnnlm.atomic import write_text_atomic  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "tinyshakespeare" / "input.txt"  # ../shared beside the checkout
MODEL = ["--model.embedding_dim", "32", "--model.hidden_size", "32", "--model.num_layers", "1", "--model.dropout", "0"]
# The bare loop (argv: FIRST LAST CORPUS): LAST steps; it prints the time of steps FIRST to LAST,
# which --in-process reads, while the whole-process method times the process.
PLAIN = r'''
import sys, time, torch
from rnnlm import LanguageModelDataModule, LSTMLM
first, steps = int(sys.argv[1]), int(sys.argv[2])
torch.manual_seed(0)
dm = LanguageModelDataModule(corpus=sys.argv[3], level="char", batch_size=8, bptt=16)
model = LSTMLM(vocab_size=dm.vocab_size, embedding_dim=32, hidden_size=32, num_layers=1, dropout=0.0, lr=20.0)
opt = torch.optim.SGD(model.parameters(), lr=20.0)
hidden, start = None, time.perf_counter()
for step, (x, y, reset) in enumerate(dm.train_dataloader()):
    if step == first: start = time.perf_counter()
    if step == steps: break
    if reset or hidden is None: hidden = model.init_hidden(x.size(0))
    nll, hidden = model.token_nll(x, y, hidden)
    hidden = tuple(h.detach() for h in hidden)
    loss = nll.mean()
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25); opt.step()
print(f"ms/step {(time.perf_counter() - start) / max(1, steps - first) * 1000:.4f}")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="alternated measurements per side")
    parser.add_argument("--n1", type=int, default=50, help="steps of the short run")
    parser.add_argument("--n2", type=int, default=550, help="steps of the long run")
    parser.add_argument("--corpus", default=str(CORPUS), help="tiny Shakespeare input.txt")
    parser.add_argument("--before", help="an older checkout whose rnnlm fit is measured too")
    parser.add_argument("--in-process", action="store_true", help="time steps inside each process (see above)")
    parser.add_argument("--first", type=int, default=300, help="--in-process: first timed step (after warm-up)")
    parser.add_argument("--last", type=int, default=3300, help="--in-process: last timed step")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "step_overhead.md"))
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    plain = Path(work) / "plain.py"
    plain.write_text(PLAIN)
    fit_timed = Path(work) / "fit_timed.py"
    fit_timed.write_text(FIT_TIMED)
    env = {"OMP_NUM_THREADS": "1", "WANDB_MODE": "offline"}
    data = ["--data.corpus", args.corpus, "--data.level", "char", "--data.batch_size", "8", "--data.bptt", "16"]

    def fit(tree: Path, bare: bool):
        def command(steps: int):
            if args.in_process:
                steps = args.last + 40  # the timed steps, and a little more for the last batch to end
                program = [sys.executable, str(fit_timed), str(args.first), str(args.last), "fit"]
            else:
                program = [sys.executable, "-m", "rnnlm.cli", "fit"]
            argv = [*program, *MODEL, *data, "--trainer.max_steps", str(steps),
                    "--trainer.limit_train_batches", "null", "--trainer.limit_val_batches", "0",
                    "--trainer.num_sanity_val_steps", "0"]
            if bare:
                argv += ["--trainer.logger", "false", "--trainer.enable_progress_bar", "false"]
            return argv, work, {**env, "PYTHONPATH": str(tree)}
        return command

    def plain_command(steps: int):
        first, last = (args.first, args.last) if args.in_process else (0, steps)
        return [sys.executable, str(plain), str(first), str(last), args.corpus], work, {**env, "PYTHONPATH": str(ROOT)}

    sides = [Side("plain loop", plain_command)]
    trees = [("", ROOT)] + ([(" (before)", Path(args.before))] if args.before else [])
    for label, tree in trees:
        sides.append(Side(f"rnnlm fit, defaults{label}", fit(tree, bare=False)))
        sides.append(Side(f"rnnlm fit, no logger/bar{label}", fit(tree, bare=True)))
    if args.in_process:
        measure_reported(sides, args.repeats)
        method = (f"steps {args.first}-{args.last} timed inside each process, {args.repeats} alternated repeats "
                  "(benchmarks/step_overhead.py --in-process)")
    else:
        measure(sides, args.n1, args.n2, args.repeats)
        method = f"N1={args.n1}, N2={args.n2} steps, {args.repeats} alternated repeats (benchmarks/step_overhead.py)"
    lines = ["# Step overhead: `rnnlm fit` vs a bare TBPTT loop", "",
             f"LSTM 1 x 32, char level, batch 8, bptt 16, 1 thread; {method}.", "",
             f"Machine: {machine()} (at the end of the run).", "",
             *table(sides, "plain loop", "x plain loop"), ""]
    write_text_atomic(Path(args.out), "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
