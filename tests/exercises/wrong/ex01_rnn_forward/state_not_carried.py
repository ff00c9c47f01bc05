"""Restarts every step of rnn_forward from h0 instead of the previous h_t."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["rnn_step", "rnn_forward", "lm_output", "rnn_language_model", "sequence_nll"]


def rnn_step(x_t: Tensor, h_prev: Tensor, W_xh: Tensor, W_hh: Tensor, b_h: Tensor) -> Tensor:
    """One step of eq. 5.1: ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)``.

    Args:
        x_t: input at step t, ``[B, I]``.
        h_prev: previous hidden state ``h_{t-1}``, ``[B, H]``.
        W_xh: input-to-hidden weight, ``[H, I]``.
        W_hh: hidden-to-hidden weight, ``[H, H]``.
        b_h: hidden bias, ``[H]``.

    Returns:
        ``h_t``, ``[B, H]``, same dtype as the inputs.
    """
    return torch.tanh(h_prev @ W_hh.T + x_t @ W_xh.T + b_h)  # [B, H] eq. 5.1


def rnn_forward(
    x: Tensor, h0: Tensor, W_xh: Tensor, W_hh: Tensor, b_h: Tensor
) -> tuple[Tensor, Tensor]:
    """Unroll eq. 5.1 over ``T`` steps with the same weights at every step.

    Args:
        x: inputs ``x_1 .. x_T``, ``[B, T, I]``.
        h0: initial hidden state ``h_0``, ``[B, H]``.
        W_xh: ``[H, I]``; W_hh: ``[H, H]``; b_h: ``[H]`` (shared by all steps).

    Returns:
        ``(outputs, h_T)``: ``outputs[:, t-1]`` is ``h_t`` for ``t = 1 .. T`` (``[B, T, H]``;
        ``h_0`` is not included) and ``h_T`` is the last hidden state (``[B, H]``), as
        ``torch.nn.RNN(batch_first=True)`` returns them (up to its extra layer dimension).
        An empty sequence (``T = 0``) gives ``outputs`` of shape ``[B, 0, H]`` in the dtype of
        ``x``, and ``h_T = h_0``.
    """
    h = h0  # [B, H]
    outputs = []
    for t in range(x.shape[1]):
        h = torch.tanh(h0 @ W_hh.T + x[:, t] @ W_xh.T + b_h)  # [B, H] eq. 5.1
        outputs.append(h)
    if not outputs:
        return x.new_zeros(x.shape[0], 0, h0.shape[1]), h0
    return torch.stack(outputs, dim=1), h  # [B, T, H], [B, H]


def lm_output(h: Tensor, W_hy: Tensor, b_y: Tensor) -> Tensor:
    """Eq. 5.2: next-token probabilities ``y_t = softmax(W_hy h_t + b_y)``.

    Args:
        h: hidden states, ``[..., H]`` (e.g. ``[B, T, H]``).
        W_hy: output weight, ``[V, H]``.
        b_y: output bias, ``[V]``.

    Returns:
        probabilities ``[..., V]``: non-negative, summing to 1 over the last (vocabulary) axis.
    """
    logits = h @ W_hy.T + b_y  # [..., V]
    return torch.softmax(logits, dim=-1)  # [..., V] eq. 5.2


def rnn_language_model(
    tokens: Tensor,
    embedding: Tensor,
    W_xh: Tensor,
    W_hh: Tensor,
    b_h: Tensor,
    W_hy: Tensor,
    b_y: Tensor,
    h0: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """A whole RNN language model: ``x_t = embedding[token_t]``, eq. 5.1, then eq. 5.2.

    Args:
        tokens: integer token ids, ``[B, T]`` (``torch.long``).
        embedding: embedding table, ``[V, E]``: row ``v`` is the vector of token ``v``
            (so the RNN's input size is ``I = E``).
        W_xh: ``[H, E]``; W_hh: ``[H, H]``; b_h: ``[H]``; W_hy: ``[V, H]``; b_y: ``[V]``.
        h0: initial hidden state ``[B, H]``; ``None`` means zeros.

    Returns:
        ``(probs, h_T)``: ``probs[b, t]`` is the distribution over the token that FOLLOWS
        ``tokens[b, t]`` (``[B, T, V]``), and the last hidden state ``[B, H]``. For ``T = 0``:
        ``probs`` is ``[B, 0, V]`` and ``h_T`` is ``h0`` (zeros when ``None``).
    """
    x = embedding[tokens]  # [B, T, E]
    h = x.new_zeros(tokens.shape[0], W_hh.shape[0]) if h0 is None else h0  # [B, H]
    states = []
    for t in range(tokens.shape[1]):
        h = torch.tanh(h @ W_hh.T + x[:, t] @ W_xh.T + b_h)  # [B, H] eq. 5.1
        states.append(h)
    hidden = torch.stack(states, dim=1) if states else x.new_zeros(x.shape[0], 0, W_hh.shape[0])
    probs = torch.softmax(hidden @ W_hy.T + b_y, dim=-1)  # [B, T, V] eq. 5.2
    return probs, h


def sequence_nll(probs: Tensor, targets: Tensor) -> Tensor:
    """Mean negative log-likelihood, in nats (natural log), of the targets under ``probs``.

    ``L = -(1 / (B T)) sum_{b, t} ln probs[b, t, targets[b, t]]``: the cross-entropy a language
    model minimises (the targets are the inputs shifted by one token; this function only
    receives them already aligned with ``probs``).

    Args:
        probs: probabilities, ``[B, T, V]`` (the output of :func:`lm_output`); entries other than
            the targets' may be 0 or tiny (``probs`` is not modified).
        targets: integer ids of the correct next tokens, ``[B, T]`` (``torch.long``).

    Returns:
        a 0-dimensional tensor (``exp`` of it is the perplexity).

    >>> import torch
    >>> round(sequence_nll(torch.full((1, 2, 4), 0.25), torch.tensor([[0, 3]])).item(), 4)
    1.3863
    """
    picked = probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # [B, T]
    return -torch.log(picked).mean()
