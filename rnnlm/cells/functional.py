"""One time step of each recurrence, written from the chapter's equations, and the time loop.

Every step function takes the *input projection* of the current time step already computed
(``x_projected = W_ih x_t + b``, done for the whole window with one matmul before the time
loop) and the previous state, and computes all gates with one fused matmul against the
stacked recurrent weights ``W_hh`` (``weight_hh_t`` is its transpose, ``[H, G*H]``).

From the chapter's single weight on the concatenation to torch's split weights
-------------------------------------------------------------------------------
The chapter writes each gate with one weight on the concatenation ``[h_{t-1}, x_t]`` and one
bias, e.g. eq. 5.4: ``f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)``. Splitting ``W_f`` by columns,
``W_f = [W_hf | W_if]``, gives ``W_f [h, x] = W_hf h + W_if x``. torch (and we) store the
input halves of all gates stacked in ``weight_ih`` (``[G*H, I]``) and the recurrent halves in
``weight_hh`` (``[G*H, H]``), gates in torch's order (LSTM ``i, f, g, o``; GRU ``r, z, n``),
and carry two biases whose sum is the chapter's bias: ``b_f = b_if + b_hf``. Only PyTorch's
GRU candidate keeps the two biases apart (``b_hn`` sits inside the reset gate's product).

References: Elman (1990), Finding Structure in Time; Hochreiter & Schmidhuber (1997),
Long Short-Term Memory; Cho et al. (2014), Learning Phrase Representations using RNN
Encoder-Decoder (the GRU; its eq. 5.11 form is the textbook variant below).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from rnnlm.architectures import GATES

State = tuple[Tensor, ...]
"""``(h,)`` for the Elman RNN and the GRU, ``(h, c)`` for the LSTM; each ``[B, H]``."""

Step = Callable[[Tensor, State], State]


def rnn_step(x_projected: Tensor, state: State, weight_hh_t: Tensor, nonlinearity: str) -> State:
    """Elman RNN, eq. 5.1: ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)`` (or ReLU)."""
    (h,) = state  # [B, H]
    pre_activation = torch.addmm(x_projected, h, weight_hh_t)  # [B, H]
    if nonlinearity == "tanh":
        return (torch.tanh(pre_activation),)  # eq. 5.1
    return (torch.relu(pre_activation),)  # eq. 5.1 with ReLU


def lstm_step(x_projected: Tensor, state: State, weight_hh_t: Tensor) -> State:
    """LSTM, eqs. 5.4-5.8; ``x_projected`` holds ``W_i* x_t + b_ih + b_hh`` in order i, f, g, o."""
    h, c = state  # [B, H] each
    gates = torch.addmm(x_projected, h, weight_hh_t)  # [B, 4H]: all four gates, one matmul
    hidden_size = h.shape[1]
    # One sigmoid over all four blocks (the g block's is unused): fewer ops per step.
    input_gate, forget_gate, _, output_gate = torch.sigmoid(gates).chunk(4, dim=1)  # eqs. 5.5, 5.4, 5.8
    candidate = torch.tanh(gates[:, 2 * hidden_size : 3 * hidden_size])  # [B, H] eq. 5.6
    c = torch.addcmul(forget_gate * c, input_gate, candidate)  # [B, H] eq. 5.7
    h = output_gate * torch.tanh(c)  # [B, H] eq. 5.8
    return h, c


def gru_pytorch_step(
    x_projected: Tensor, state: State, weight_hh_t: Tensor, bias_hh: Tensor | None
) -> State:
    """GRU as ``torch.nn.GRU``: ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h = (1-z) n + z h``.

    ``x_projected`` holds ``W_i* x_t + b_ih`` (order r, z, n); ``b_hh`` is added here because its
    candidate third is multiplied by the reset gate.
    """
    (h,) = state  # [B, H]
    hidden_size = h.shape[1]
    if bias_hh is None:
        hidden_projected = torch.mm(h, weight_hh_t)  # [B, 3H]
    else:
        hidden_projected = torch.addmm(bias_hh, h, weight_hh_t)  # [B, 3H]: r, z, n in one matmul
    two = 2 * hidden_size
    reset_update = torch.sigmoid(x_projected[:, :two] + hidden_projected[:, :two])  # [B, 2H]
    reset_gate, update_gate = reset_update.chunk(2, dim=1)  # eq. 5.10, eq. 5.9 (torch's form)
    candidate = torch.tanh(
        torch.addcmul(x_projected[:, two:], reset_gate, hidden_projected[:, two:])
    )  # [B, H]: reset gate applied AFTER the matmul with W_hn
    return (torch.lerp(candidate, h, update_gate),)  # [B, H]: (1 - z) n + z h


def gru_textbook_step(x_projected: Tensor, state: State, gates_weight_t: Tensor, candidate_weight_t: Tensor) -> State:
    """GRU as the chapter writes it, eqs. 5.9-5.11; ``x_projected`` holds ``W_i* x_t + b_ih + b_hh``.

    eq. 5.11: ``h_t = (1 - z_t) h_{t-1} + z_t tanh(W_h [r_t * h_{t-1}, x_t] + b_h)``: the reset
    gate multiplies ``h_{t-1}`` BEFORE the matmul, so the candidate needs a second matmul that
    waits for ``r_t`` (r and z still share one). Note also that here ``z_t`` weights the
    candidate, where torch's ``z`` weights the old state (``z_torch = 1 - z_textbook``).
    ``gates_weight_t`` is ``[W_hr; W_hz]^T`` (``[H, 2H]``), ``candidate_weight_t`` is ``W_hn^T``.
    """
    (h,) = state  # [B, H]
    hidden_size = h.shape[1]
    two = 2 * hidden_size
    reset_update = torch.sigmoid(
        torch.addmm(x_projected[:, :two], h, gates_weight_t)
    )  # [B, 2H]: r and z in one matmul
    reset_gate, update_gate = reset_update.chunk(2, dim=1)  # eq. 5.10, eq. 5.9
    candidate = torch.tanh(
        torch.addmm(x_projected[:, two:], reset_gate * h, candidate_weight_t)
    )  # [B, H] eq. 5.11: W_h [r * h, x] + b_h
    return (torch.lerp(h, candidate, update_gate),)  # [B, H] eq. 5.11: (1 - z) h + z n


def unroll(
    step: Step, x_projected: Tensor, state: State, reverse: bool = False
) -> tuple[list[Tensor], State]:
    """Run ``step`` over a window: ``x_projected`` is ``[B, T, G*H]``; returns the per-step
    hidden states ``h_t`` in time order (each ``[B, H]``, a node of the autograd graph) and the
    final state (the state after the last step processed: ``t = 0`` when ``reverse``)."""
    # One unbind instead of T selects: each select's backward would write a zero-filled
    # [B, T, G*H] gradient, T times per window.
    projected_steps = x_projected.unbind(1)  # T x [B, G*H]
    hidden_states: list[Tensor] = [state[0]] * len(projected_steps)
    order = reversed(range(len(projected_steps))) if reverse else range(len(projected_steps))
    for t in order:
        state = step(projected_steps[t], state)  # [B, H] each
        hidden_states[t] = state[0]
    return hidden_states, state


GATE_COUNTS = {architecture: len(gates) for architecture, gates in GATES.items()}
"""How many ``[H]``-sized blocks each mode stacks in ``weight_ih`` / ``weight_hh`` / biases."""


def projection_bias(mode: str, variant: str, bias_ih: Tensor | None, bias_hh: Tensor | None) -> Tensor | None:
    """The bias folded into the input projection: the chapter's ``b = b_ih + b_hh``, except for
    PyTorch's GRU, whose recurrent bias stays in the step (``b_hn`` is gated by ``r``)."""
    if bias_ih is None or bias_hh is None:
        return None
    if mode == "gru" and variant == "pytorch":
        return bias_ih  # [G*H]
    return bias_ih + bias_hh  # [G*H]


def make_step(
    mode: str, weight_hh: Tensor, bias_hh: Tensor | None, nonlinearity: str = "tanh", variant: str = "pytorch"
) -> Step:
    """The one-step function of ``mode`` with its recurrent weights bound (``weight_hh`` is ``[G*H, H]``)."""
    weight_hh_t = weight_hh.t()  # [H, G*H], transposed once per window, not once per step
    if mode == "rnn":
        return lambda x_projected, state: rnn_step(x_projected, state, weight_hh_t, nonlinearity)
    if mode == "lstm":
        return lambda x_projected, state: lstm_step(x_projected, state, weight_hh_t)
    if variant == "textbook":
        gates_weight_t, candidate_weight_t = weight_hh_t.split([2 * weight_hh.shape[1], weight_hh.shape[1]], dim=1)
        return lambda x_projected, state: gru_textbook_step(x_projected, state, gates_weight_t, candidate_weight_t)
    return lambda x_projected, state: gru_pytorch_step(x_projected, state, weight_hh_t, bias_hh)


def project_inputs(inputs: Tensor, weight_ih: Tensor, bias: Tensor | None) -> Tensor:
    """``W_ih x_t + b`` for every time step at once: ``inputs`` ``[B, T, I]`` -> ``[B, T, G*H]``."""
    batch_size, steps, input_size = inputs.shape
    flat = inputs.reshape(batch_size * steps, input_size)  # [B*T, I]
    if bias is None:
        projected = torch.mm(flat, weight_ih.t())  # [B*T, G*H]
    else:
        projected = torch.addmm(bias, flat, weight_ih.t())  # [B*T, G*H]
    return projected.view(batch_size, steps, -1)  # [B, T, G*H]
