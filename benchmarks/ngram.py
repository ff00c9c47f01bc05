"""Benchmark: interpolated Kneser-Ney trigram on the complete works, ``NGramLM`` vs ``nltk.lm``.

    python benchmarks/ngram.py                        # writes benchmarks/results/ngram.md
    python benchmarks/ngram.py --nltk_prefix 50000 --nltk_trigrams 300 --repeats 3

Measured in one run on the same data (``LanguageModelDataModule("shakespeare", "word")``):

1. ours on the whole training split: fit time, scoring speed on valid and test, peak memory
   (``tracemalloc``, which sees NumPy's allocations), perplexities;
2. how our fit time grows with the corpus: prefixes of 1/4, 1/2 and all of the training split
   (new text: more distinct n-grams), and the split repeated 2 and 4 times (more tokens only);
3. nltk's ``KneserNeyInterpolated`` fitted on a prefix of the training split (nltk scores a
   trigram by scanning all counts, so a whole split is out of reach), scoring a sample of test
   trigrams; and the same sample under ``rnnlm.ngram.reference.kneser_ney_with_uniform_base``
   (nltk with Chen & Goodman's unigram level, the one definition in which they differ) against
   ours fitted on the same prefix over the same vocabulary: the probabilities must agree.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "ngram.md"


def machine() -> str:
    import nltk
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    return (f"{os.cpu_count()} CPU cores (`nproc`), {cpu}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, nltk {nltk.__version__}, torch {torch.__version__}")


def timed(function, repeats: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time (this process) of ``repeats`` calls, and the last result.

    On a shared machine the wall time includes waiting for a core; the CPU time does not.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_bytes(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def ours_on_full_data(train, valid, test, vocab_size, repeats):
    from rnnlm.ngram.model import NGramLM

    fit_seconds, fit_cpu, model = timed(lambda: NGramLM(3, "kneser_ney").fit(train, vocab_size), repeats)
    both = np.concatenate([valid, test])
    score_seconds, score_cpu, _ = timed(lambda: model.log_prob(both), repeats)
    return {
        "fit_seconds": fit_seconds, "fit_cpu": fit_cpu,
        "score_tokens_per_second": len(both) / score_seconds, "score_tokens_per_cpu_second": len(both) / score_cpu,
        "fit_peak_mib": peak_bytes(lambda: NGramLM(3, "kneser_ney").fit(train, vocab_size)) / 2**20,
        "score_peak_mib": peak_bytes(lambda: model.log_prob(both)) / 2**20,
        "valid_ppl": model.perplexity(valid), "test_ppl": model.perplexity(test),
        "modified_valid_ppl": NGramLM(3, "modified_kneser_ney").fit(train, vocab_size).perplexity(valid),
        "num_ngrams": model.num_ngrams,
    }


def growth(train, vocab_size, repeats):
    from rnnlm.ngram.model import NGramLM

    rows = []
    for label, stream in [("1/4 of train", train[: len(train) // 4]), ("1/2 of train", train[: len(train) // 2]),
                          ("train (1x)", train), ("train repeated 2x", np.tile(train, 2)),
                          ("train repeated 4x", np.tile(train, 4))]:
        seconds, cpu, model = timed(lambda stream=stream: NGramLM(3, "kneser_ney").fit(stream, vocab_size), repeats)
        rows.append((label, len(stream), model.num_ngrams[-1], seconds, cpu))
    return rows


def against_nltk(train, test, itos, prefix_tokens, num_trigrams):
    from nltk.lm import KneserNeyInterpolated

    from rnnlm.ngram.model import NGramLM
    from rnnlm.ngram.reference import fit_on_stream, kneser_ney_with_uniform_base

    prefix = train[:prefix_tokens]
    words = [itos[i] for i in prefix]
    positions = np.linspace(2, len(test) - 1, num_trigrams).astype(int)
    trigrams = [tuple(itos[i] for i in test[p - 2:p + 1]) for p in positions]

    nltk_model = KneserNeyInterpolated(3, discount=0.75)
    nltk_fit_seconds, nltk_fit_cpu, _ = timed(lambda: fit_on_stream(nltk_model, words), 1)
    nltk_fit_peak = peak_bytes(lambda: fit_on_stream(KneserNeyInterpolated(3, discount=0.75), words)) / 2**20
    nltk_score_seconds, nltk_score_cpu, nltk_probabilities = timed(
        lambda: np.array([nltk_model.score(w, [u, v]) for u, v, w in trigrams]), 1)

    reference = fit_on_stream(kneser_ney_with_uniform_base(3, 0.75), words)
    reference_probabilities = np.array([reference.score(w, [u, v]) for u, v, w in trigrams])

    # ours on the same prefix over nltk's vocabulary: the prefix's words, then one id for <UNK>
    compact = {word: index for index, word in enumerate(dict.fromkeys(words))}
    unknown = len(compact)
    ours_fit_seconds, ours_fit_cpu, ours = timed(lambda: NGramLM(3, "kneser_ney", discount=0.75).fit(
        np.array([compact[w] for w in words]), unknown + 1), 1)
    ours_probabilities = np.array([ours.distribution([compact.get(u, unknown), compact.get(v, unknown)])
                                   [compact.get(w, unknown)] for u, v, w in trigrams])
    relative = np.abs(ours_probabilities - reference_probabilities) / reference_probabilities
    with np.errstate(divide="ignore"):
        nltk_ppl = float(np.exp(-np.mean(np.log(nltk_probabilities))))
    return {
        "prefix_tokens": len(prefix), "vocab": unknown + 1, "trigrams": len(trigrams),
        "nltk_fit_seconds": nltk_fit_seconds, "nltk_fit_cpu": nltk_fit_cpu, "nltk_fit_peak_mib": nltk_fit_peak,
        "nltk_score_seconds": nltk_score_seconds, "nltk_trigrams_per_second": len(trigrams) / nltk_score_seconds,
        "nltk_trigrams_per_cpu_second": len(trigrams) / nltk_score_cpu,
        "nltk_ppl": nltk_ppl, "nltk_zeros": int(np.sum(nltk_probabilities == 0)),
        "reference_ppl": float(np.exp(-np.mean(np.log(reference_probabilities)))),
        "ours_ppl": float(np.exp(-np.mean(np.log(ours_probabilities)))),
        "ours_fit_seconds": ours_fit_seconds, "ours_fit_cpu": ours_fit_cpu,
        "max_relative_difference": float(relative.max()),
        "num_differing": int(np.sum(relative > 1e-9)),
    }


def report(machine_line, data, full, rows, nltk_result) -> str:
    n = nltk_result
    lines = [
        "# N-gram benchmark: interpolated Kneser-Ney trigram, `NGramLM` vs `nltk.lm`",
        "",
        f"Machine: {machine_line}. Written by `python benchmarks/ngram.py` (one run; medians of "
        f"{data['repeats']} repeats where stated). Load average when it started: {data['load']}: "
        "other jobs shared the cores, so wall times include waiting for a core; the CPU time of "
        "this process (`time.process_time`) does not, and is given beside them.",
        "",
        f"Data: `LanguageModelDataModule(\"shakespeare\", \"word\")`: {data['train']:,} training tokens, "
        f"{data['valid']:,} valid, {data['test']:,} test, vocabulary {data['vocab']:,} (`<unk>`, `<eos>` included). "
        "Discount 0.75 at every order.",
        "",
        "## Ours on the whole training split",
        "",
        "| measure | wall | CPU | goal |",
        "|---|---|---|---|",
        f"| fit (median) | {full['fit_seconds']:.2f} s | {full['fit_cpu']:.2f} s | < 2 s |",
        f"| scoring valid + test, one stream (median) | {full['score_tokens_per_second'] / 1e6:.2f} M tokens/s "
        f"| {full['score_tokens_per_cpu_second'] / 1e6:.2f} M tokens/CPU-s | >= 1 M tokens/s |",
        f"| peak memory of fit (tracemalloc) | {full['fit_peak_mib']:.0f} MiB | | |",
        f"| peak memory of scoring valid + test | {full['score_peak_mib']:.0f} MiB | | |",
        f"| distinct 1/2/3-grams | {' / '.join(f'{c:,}' for c in full['num_ngrams'])} | | |",
        f"| valid / test perplexity | {full['valid_ppl']:.2f} / {full['test_ppl']:.2f} | | |",
        f"| valid perplexity, modified KN (3 estimated discounts per order) | {full['modified_valid_ppl']:.2f} | | |",
        "",
        "## Fit time against corpus size",
        "",
        "| training stream | tokens | distinct trigrams | fit, wall (median) | fit, CPU (median) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {label} | {tokens:,} | {trigrams:,} | {seconds:.2f} s | {cpu:.2f} s |"
              for label, tokens, trigrams, seconds, cpu in rows]
    lines += [
        "",
        "Counting is one sort per order (values packed with their positions) and a hash index per "
        "order: N log N in the number of tokens, close to linear over this range.",
        "",
        f"## Against nltk.lm (fitted on the first {n['prefix_tokens']:,} training tokens)",
        "",
        f"nltk scores a trigram by scanning every stored count, so it is fitted on a prefix of the "
        f"training split and scores {n['trigrams']:,} test trigrams spread evenly over the test split; "
        f"ours is fitted on the same prefix over the same vocabulary ({n['vocab']:,} types: the prefix's "
        "words and nltk's `<UNK>`).",
        "",
        "| measure | nltk `KneserNeyInterpolated` | ours `NGramLM(3, \"kneser_ney\")` |",
        "|---|---|---|",
        f"| fit on the prefix, wall (CPU) | {n['nltk_fit_seconds']:.2f} s ({n['nltk_fit_cpu']:.2f} s), "
        f"peak {n['nltk_fit_peak_mib']:.0f} MiB | {n['ours_fit_seconds']:.3f} s ({n['ours_fit_cpu']:.3f} s) |",
        f"| scoring, wall | {n['nltk_trigrams_per_second']:.1f} trigrams/s ({n['trigrams']} in {n['nltk_score_seconds']:.1f} s) "
        f"| {full['score_tokens_per_second']:,.0f} tokens/s (whole stream, above) |",
        f"| scoring, CPU | {n['nltk_trigrams_per_cpu_second']:.1f} trigrams/CPU-s "
        f"| {full['score_tokens_per_cpu_second']:,.0f} tokens/CPU-s |",
        f"| speed-up of scoring (CPU time) | 1 | {full['score_tokens_per_cpu_second'] / n['nltk_trigrams_per_cpu_second']:,.0f}x |",
        f"| perplexity of the sample | {n['nltk_ppl']:.2f} ({n['nltk_zeros']} trigrams with probability 0) | {n['ours_ppl']:.4f} |",
        f"| ... nltk with Chen & Goodman's unigram level | {n['reference_ppl']:.4f} | {n['ours_ppl']:.4f} |",
        "",
        f"Largest relative difference between ours and nltk-with-uniform-base over the sample: "
        f"{n['max_relative_difference']:.2e} ({n['num_differing']} of {n['trigrams']} trigrams above 1e-9).",
        "",
        "nltk's own unigram level is the bare continuation ratio N1+(. w) / N1+(. .): a test word that "
        "never follows another word in the training text (every `<UNK>`) gets probability 0, hence "
        "its infinite perplexity. Ours (Chen & Goodman 1998) discounts that level too and interpolates it "
        "with the uniform 1/V. With that one method replaced "
        "(`rnnlm.ngram.reference.kneser_ney_with_uniform_base`), nltk's code gives our probabilities.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of our fit and scoring")
    parser.add_argument("--nltk_prefix", type=int, default=100_000, help="training tokens nltk is fitted on")
    parser.add_argument("--nltk_trigrams", type=int, default=500, help="test trigrams nltk scores")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown report")
    args = parser.parse_args()

    from rnnlm.data.datamodule import LanguageModelDataModule

    data = LanguageModelDataModule(corpus="shakespeare", level="word")
    train, valid, test = (data.split_ids(split).numpy() for split in ("train", "valid", "test"))
    sizes = {"train": len(train), "valid": len(valid), "test": len(test), "vocab": data.vocab_size,
             "repeats": args.repeats, "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"}
    full = ours_on_full_data(train, valid, test, data.vocab_size, args.repeats)
    print(f"ours: fit {full['fit_seconds']:.2f} s, {full['score_tokens_per_second']:,.0f} tokens/s, "
          f"valid ppl {full['valid_ppl']:.2f}", flush=True)
    rows = growth(train, data.vocab_size, max(1, args.repeats // 2))
    nltk_result = against_nltk(train, test, data.vocab.itos, args.nltk_prefix, args.nltk_trigrams)
    print(f"nltk: {nltk_result['nltk_trigrams_per_second']:.1f} trigrams/s; max relative difference "
          f"{nltk_result['max_relative_difference']:.2e}", flush=True)

    text = report(machine(), sizes, full, rows, nltk_result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=args.output.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, args.output)
    print(text)


if __name__ == "__main__":
    main()
