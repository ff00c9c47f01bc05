"""Diagnoses on code the catalogue was not written from: held-out mistakes in differently written submissions.

The catalogue (``autograder.hidden.mistakes``) is built by editing the reference solution, and the
project's wrong files come from the same edits, so their diagnosis share (measured in the sandbox by
``tests/autograder/test_exercises.py``) shows that each mistake is told apart from the others, not
that a student who writes the code differently gets the same help. Here each mistake is made in a
correct alternative submission (``alternative/``: einsum, ``functools.reduce``, ``F.linear``,
closed forms...), by one or two textual edits of its own, and graded in process with the hidden
suites. A catalogued mistake must be named; a mistake the catalogue does not know must get no
"Likely mistake" at all (a wrong diagnosis is worse than none).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from autograder.checks import LIKELY
from autograder.hidden.mistakes import MISTAKES, apply_mistake
from autograder.oracle import InProcessSubmission
from autograder.runner import load_suites, reference_for, run_test
from exercise_probes import ALTERNATIVE

# (exercise, the catalogue's name for the mistake or None when it has none, edits of the alternative)
HELD_OUT: list[tuple[str, str | None, list[tuple[str, str]]]] = [
    ("ex02_bptt", "missing_tanh_derivative",
     [("grad_z[t] = total * (1 - states[t + 1] * states[t + 1])", "grad_z[t] = total")]),
    ("ex02_bptt", "clip_per_tensor",
     [("return [g * factor if factor < 1.0 else g.clone() for g in grads], total_norm",
       "return [g * min(1.0, max_norm / (torch.linalg.vector_norm(g).item() + 1e-6)) for g in grads], total_norm")]),
    ("ex02_bptt", "clip_norm_returns_inputs", [("if factor < 1.0 else g.clone() for g in grads]", "if factor < 1.0 else g for g in grads]")]),
    ("ex03_jacobian", "spectral_radius_is_spectral_norm",
     [("return float(np.max(np.abs(np.linalg.eigvals(W.detach().double().numpy()))))",
       "return float(np.linalg.norm(W.detach().double().numpy(), 2))")]),
    ("ex03_jacobian", "steps_non_strict", [("while value >= threshold:", "while value > threshold:")]),
    ("ex03_jacobian", "prediction_band_bounds_excluded",
     [('"explode" if rho > 1 + tolerance else "vanish" if rho < 1 - tolerance',
       '"explode" if rho >= 1 + tolerance else "vanish" if rho <= 1 - tolerance')]),
    ("ex04_lstm_cell", "gate_order_ifog",
     [('g = torch.tanh(hx @ W["c"].T + bias[2 * H:3 * H])  # eq. 5.6', 'g = torch.tanh(hx @ W["o"].T + bias[3 * H:])  # eq. 5.6'),
      ('o = torch.sigmoid(hx @ W["o"].T + bias[3 * H:])  # eq. 5.8', 'o = torch.sigmoid(hx @ W["c"].T + bias[2 * H:3 * H])  # eq. 5.8')]),
    ("ex04_lstm_cell", "missing_recurrent_bias", [("bias = bias_ih + bias_hh", "bias = bias_ih")]),
    ("ex04_lstm_cell", "zero_state_default_dtype",
     [("(torch.zeros(B, H, dtype=x.dtype), torch.zeros(B, H, dtype=x.dtype))", "(torch.zeros(B, H), torch.zeros(B, H))")]),
    ("ex06_gru_cell", "gate_order_zr",
     [("W_ir, W_iz, W_in = weight_ih", "W_iz, W_ir, W_in = weight_ih"), ("W_hr, W_hz, W_hn = weight_hh", "W_hz, W_hr, W_hn = weight_hh"),
      ("b_ir, b_iz, b_in = bias_ih", "b_iz, b_ir, b_in = bias_ih"), ("b_hr, b_hz, b_hn = bias_hh", "b_hz, b_hr, b_hn = bias_hh")]),
    ("ex06_gru_cell", "textbook_update_flipped", [("keep = 1 - z", "keep = z")]),
    ("ex08_tbptt_batching", "streams_interleaved",
     [("return torch.stack([ids[s * length:(s + 1) * length] for s in range(num_streams)])",
       "return ids[: num_streams * length].view(length, num_streams).T")]),
    ("ex08_tbptt_batching", "detach_in_place", [("return state.detach()", "return state.detach_()")]),
    ("ex08_tbptt_batching", "window_past_the_end",
     [("while start + 1 < stream_length:", "while start < stream_length:"),
      ("length = min(bptt, stream_length - 1 - start)", "length = min(bptt, stream_length - start)")]),
    ("ex10_perplexity", "mean_of_batch_perplexities",
     [("return float(np.exp(np.sum(nll_sums) / np.sum(token_counts)))",
       "return float(np.mean(np.exp(np.asarray(nll_sums) / np.asarray(token_counts))))")]),
    ("ex10_perplexity", "bits_saved_sign_flipped", [("math.log2(trigram) - math.log2(lstm)", "math.log2(lstm) - math.log2(trigram)")]),
    # mistakes the catalogue does not know: no diagnosis may be given
    ("ex10_perplexity", None, [("nll_sum_nats * math.log2(math.e) / num_characters", "nll_sum_nats * math.log10(math.e) / num_characters")]),
    ("ex04_lstm_cell", None, [('g = torch.tanh(hx @ W["c"].T', 'g = torch.relu(hx @ W["c"].T')]),
    ("ex06_gru_cell", None, [("return n + z * (h_prev - n)", "return n + 0.5 * (h_prev - n)")]),
    ("ex08_tbptt_batching", None, [("streams.narrow(1, start + 1, length)", "streams.narrow(1, start + 2, length - 1)")]),
]
GOAL = 0.8


@cache
def _suites() -> dict:
    return {suite.exercise: suite for suite in load_suites()}


def _feedback(exercise: str, edits: list[tuple[str, str]], folder: Path) -> tuple[float, list[str]]:
    """Grade the edited alternative in process: its score and the messages of its failed tests."""
    source = (ALTERNATIVE / f"{exercise}.py").read_text(encoding="utf-8")
    path = folder / f"{exercise}.py"
    path.write_text(apply_mistake(source, "A held-out mistake.", edits, exercise), encoding="utf-8")
    suite = _suites()[exercise]
    submission, reference = InProcessSubmission.from_file(path, exercise, suite.forbidden), reference_for(exercise)
    outcomes = [(test, *run_test(test, submission, reference)) for test in suite.tests]
    return sum(test.points for test, passed, _ in outcomes if passed), [text for _, passed, text in outcomes if not passed]


def _named(messages: list[str]) -> str:
    return " ".join(text.split(LIKELY, 1)[1] for text in messages if LIKELY in text)


def test_held_out_mistakes_are_named_and_unknown_ones_are_not(tmp_path):
    descriptions = {(exercise, name): text for exercise, mistakes in MISTAKES.items() for name, text, _ in mistakes}
    hits, misses, false = 0, [], []
    for index, (exercise, name, edits) in enumerate(HELD_OUT):
        folder = tmp_path / str(index)
        folder.mkdir()
        score, messages = _feedback(exercise, edits, folder)
        assert score < _suites()[exercise].max_score, f"held-out #{index} ({exercise}, {name}) kept full marks"
        named = _named(messages)
        if name is None:
            if named:
                false.append(f"#{index} {exercise}: {named[:150]}")
            continue
        own = descriptions[(exercise, name)]
        others = [text for (ex, other), text in descriptions.items() if ex == exercise and other != name and text in named]
        hits += own in named
        if own not in named:
            misses.append(f"#{index} {exercise}/{name}")
        false += [f"#{index} {exercise}/{name} named: {text}" for text in others if own not in named]
    catalogued = sum(name is not None for _, name, _ in HELD_OUT)
    print(f"\nheld-out mistakes named: {hits} / {catalogued}; wrong diagnoses: {len(false)}")
    assert not false, f"wrong diagnoses: {false}"
    assert hits >= GOAL * catalogued, f"only {hits} of {catalogued} held-out mistakes named; missed {misses}"


@pytest.mark.parametrize("exercise", sorted({exercise for exercise, _, _ in HELD_OUT}))
def test_the_unedited_alternative_keeps_full_marks(exercise, tmp_path):
    score, messages = _feedback(exercise, [], tmp_path)
    assert score == _suites()[exercise].max_score and not messages
