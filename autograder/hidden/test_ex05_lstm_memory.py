"""Hidden suite of exercise 5 (theory): why LSTMs keep memory (5.3.5).

The constructed parameters come back from the student's worker as data; the grader runs them
through the reference's ``simulate_cell`` (torch.nn.LSTMCell) itself, for many start values.
"""

import math

import torch

from autograder.checks import CheckFailed, calling, compare, diagnose, expect_true, fail, inputs, points

EXERCISE = "ex05_lstm_memory"
FILLER, TRIGGER, HOLD_STEPS, TOLERANCE = 0, 1, 100, 0.01
SHAPES = {"weight_ih": [4, 2], "weight_hh": [4, 1], "bias_ih": [4], "bias_hh": [4]}


@points(2.5)
def test_cell_gradient_through_time(submission, reference):
    generator = inputs(EXERCISE, "gates")
    cases = [("[T, H], k=0", (6, 3), 0), ("[T, H], k in the middle", (6, 3), 3), ("k = T (identity)", (5, 2), 5),
             ("[T, B, H]", (4, 2, 3), 1), ("T=1", (1, 4), 0), ("long T=200, gates near 1", (200, 2), 0)]
    for label, shape, k in cases:
        gates = torch.rand(*shape, generator=generator, dtype=torch.float64)
        if "near 1" in label:
            gates = 1 - 0.001 * gates
        compare(submission, reference, "cell_gradient_through_time", (gates, k), rtol=1e-9, atol=1e-14, case=label,
                name="dc_T/dc_k")


@points(2.5)
def test_forget_bias_for_retention(submission, reference):
    for steps, retention in [(100, 0.5), (1, 0.9), (10, 0.01), (1000, 0.99), (50, 0.999)]:
        compare(submission, reference, "forget_bias_for_retention", (steps, retention), rtol=1e-9, atol=1e-9,
                case=f"steps={steps}, retention={retention}", name="bias")


def _parameters(submission, reference):
    """The student's parameters, as returned and as float32 tensors (the wrong type or shape fails here)."""
    parameters = submission.call("memory_parameters")
    try:
        _validate(parameters)
    except CheckFailed as failure:
        raise _explained(failure, parameters, reference) from None
    return parameters, {name: value.float() for name, value in parameters.items()}


def _validate(parameters):
    if type(parameters) is not dict or sorted(parameters) != sorted(SHAPES):
        fail(f"memory_parameters() must return a dict with the keys {sorted(SHAPES)}")
    for name, shape in SHAPES.items():
        value = parameters[name]
        if not isinstance(value, torch.Tensor) or list(value.shape) != shape or value.dtype != torch.float32:
            fail(f"memory_parameters()[{name!r}] must be a float32 tensor of shape {shape}, received "
                 + (f"dtype {str(value.dtype).removeprefix('torch.')} and shape {list(value.shape)}"
                    if isinstance(value, torch.Tensor) else type(value).__name__))
        if not torch.isfinite(value).all():
            fail(f"memory_parameters()[{name!r}] contains NaN or inf")


def _explained(failure, raw, reference):
    """The failure of a simulation, with the known mistake whose parameters equal the student's."""
    return diagnose(failure, reference, calling("memory_parameters"), got=raw, rtol=0, atol=0,
                    function="memory_parameters")


START_VALUES = [-1.0, -0.73, -0.2, 0.0, 0.35, 0.9, 1.0]


@points(2)
def test_memory_holds_for_100_steps(submission, reference):
    raw, parameters = _parameters(submission, reference)
    try:
        for c0 in START_VALUES:
            cells = reference.call("simulate_cell", parameters, [FILLER] * HOLD_STEPS, c0)
            drift = (cells - c0).abs().max().item()
            expect_true(drift <= TOLERANCE, f"the cell drifts by {drift:.3g} (> {TOLERANCE}) during {HOLD_STEPS} "
                        "FILLER tokens: keep the forget gate near 1 and the input gate near 0", case=f"c_0 = {c0}")
    except CheckFailed as failure:
        raise _explained(failure, raw, reference) from None


@points(2)
def test_memory_erased_by_trigger(submission, reference):
    raw, parameters = _parameters(submission, reference)
    try:
        for c0 in START_VALUES:
            tokens = [FILLER] * HOLD_STEPS + [TRIGGER] + [FILLER] * 20
            cells = reference.call("simulate_cell", parameters, tokens, c0)
            after = cells[HOLD_STEPS:].abs().max().item()
            expect_true(after <= TOLERANCE, f"after the TRIGGER token |c_t| reaches {after:.3g} (> {TOLERANCE}): the trigger "
                        "must close the forget gate and nothing may be written afterwards", case=f"c_0 = {c0}")
            expect_true(math.isfinite(after), "the cell became NaN", case=f"c_0 = {c0}")
    except CheckFailed as failure:
        raise _explained(failure, raw, reference) from None


@points(1)
def test_memory_trigger_anytime(submission, reference):
    """The trigger works wherever it comes (early, twice), not only after exactly 100 steps."""
    raw, parameters = _parameters(submission, reference)
    try:
        for c0 in (-0.6, 0.8):
            tokens = [FILLER] * 7 + [TRIGGER] + [FILLER] * 30 + [TRIGGER] + [FILLER] * 5
            cells = reference.call("simulate_cell", parameters, tokens, c0)
            hold = (cells[:7] - c0).abs().max().item()
            after = cells[7:].abs().max().item()
            expect_true(hold <= TOLERANCE and after <= TOLERANCE,
                        "an early TRIGGER (after 7 steps) must erase the cell too", case=f"c_0 = {c0}")
    except CheckFailed as failure:
        raise _explained(failure, raw, reference) from None
