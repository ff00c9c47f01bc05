"""Exercise 1: the vanilla (Elman) RNN forward pass and its language-model output layer.

Chapter 5, section 5.1. You implement

* :func:`rnn_step`: one step of the recurrence, eq. 5.1,
  ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)``;
* :func:`rnn_forward`: the recurrence *unrolled* over a batch of sequences, the same three
  parameters reused at every time step (parameter sharing, 5.1.2 and 5.1.4);
* :func:`lm_output`: the output layer, eq. 5.2, ``y_t = softmax(W_hy h_t + b_y)``;
* :func:`rnn_language_model`: embedding lookup -> RNN -> softmax, a complete RNN language model;
* :func:`sequence_nll`: the mean negative log-likelihood (natural log) of the next tokens.

Conventions (the same as ``torch.nn.RNN(batch_first=True)``):

* batches come first: inputs ``x`` are ``[B, T, I]`` (batch, time, input features);
* weights are stored as ``[out_features, in_features]``: ``W_xh`` is ``[H, I]``, ``W_hh`` is
  ``[H, H]``, ``W_hy`` is ``[V, H]``; so for a batch of row vectors ``x_t`` (``[B, I]``) the
  product ``W_xh x_t`` is computed as ``x_t @ W_xh.T``;
* one recurrent bias ``b_h`` (``[H]``); ``torch.nn.RNN`` keeps two (``bias_ih + bias_hh``), whose
  sum is ``b_h``;
* returned tensors have the dtype of the floating-point inputs, and no function changes its
  arguments in place (the grader checks both).

Worked example (one unit, no input weight, W_hh = 1, b_h = 0, h_0 = 0.5):
``h_1 = tanh(0.5) = 0.4621``.

>>> import torch
>>> h1 = rnn_step(torch.zeros(1, 1), torch.full((1, 1), 0.5),
...               torch.zeros(1, 1), torch.ones(1, 1), torch.zeros(1))
>>> round(h1.item(), 4)
0.4621

References: Elman (1990), Finding Structure in Time; Mikolov et al. (2010), Recurrent Neural
Network Based Language Model.
"""

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
    raise NotImplementedError("eq. 5.1 for a batch of row vectors: the product W x is computed as x @ W.T")


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
    raise NotImplementedError("loop over t, feed each h_t back in as h_prev, stack the h_t along dim 1")


def lm_output(h: Tensor, W_hy: Tensor, b_y: Tensor) -> Tensor:
    """Eq. 5.2: next-token probabilities ``y_t = softmax(W_hy h_t + b_y)``.

    Args:
        h: hidden states, ``[..., H]`` (e.g. ``[B, T, H]``).
        W_hy: output weight, ``[V, H]``.
        b_y: output bias, ``[V]``.

    Returns:
        probabilities ``[..., V]``: non-negative, summing to 1 over the last (vocabulary) axis.
    """
    raise NotImplementedError("eq. 5.2; the softmax runs over the vocabulary (last) dimension")


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
    raise NotImplementedError("look the tokens up in the embedding (embedding[tokens]), then unroll eq. 5.1 and apply eq. 5.2 at every step")


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
    raise NotImplementedError("pick each target's probability with torch.gather along the last dim, take -log, average over all B*T positions")
