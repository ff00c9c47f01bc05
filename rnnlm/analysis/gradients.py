"""Vanishing gradients, measured: ||dL_T/dh_k|| against the distance T - k (Fig. 5.2).

Backpropagation through time multiplies one Jacobian per step (eq. 5.3 for the tanh RNN):

    dL/dh_k = dL/dh_T  prod_{t=k+1..T} diag(1 - h_t^2) W_hh                          # eq. 5.3

so the gradient that reaches step k shrinks (or grows) roughly geometrically with T - k. We
unroll a stack one step at a time (``rnnlm.analysis.stack``), take a loss at the last step and
ask autograd for dL_T/dh_k at every k. The loss is a random unit-norm readout of h_T,
L_T = sum_b <u_b, h_T,b>, so that dL_T/dh_T = u has norm 1 for every architecture and what the
figure shows is the gain of the Jacobian product alone. Norms are averaged over a batch of random
token sequences (each with its own u), then a line is fitted to log(norm) against distance: its
slope gives the factor per step and the half-life in steps.

The spectral radius of W_hh (per gate block for the LSTM and the GRU) is the other side of the
same story: if the largest singular value of W_hh is below 1 / max|tanh'| = 1, the tanh RNN's
gradient must vanish (Pascanu et al. 2013, sec. 3); in the linear regime (h near 0) the product
is W_hh^d, which explodes when the spectral radius exceeds 1. In the LSTM, the cell path c_t = f_t * c_{t-1} + ... (eq. 5.7) is multiplied by the
forget gate, not by W_hh, which is why its gradient can survive where the RNN's does not.

References: Bengio, Simard & Frasconi (1994), Learning long-term dependencies with gradient
descent is difficult; Pascanu, Mikolov & Bengio (2013), On the difficulty of training recurrent
neural networks; Hochreiter & Schmidhuber (1997), Long Short-Term Memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from rnnlm.analysis.stack import RecurrentStack, unroll
from rnnlm.architectures import GATES


@dataclass
class GradientFlow:
    """Mean ||dL_T/dh_k|| by distance T - k, per layer, and the fitted decay."""

    architecture: str
    source: str
    distances: np.ndarray  # [T]: 0 .. T-1
    norms: np.ndarray  # [L, T]: mean over the batch, per layer (bottom first), by distance
    factor_per_step: float  # exp(slope) of log(norm) against distance, bottom layer
    half_life: float  # steps for the norm to halve (inf when it does not decay)
    spectral_radius: dict[str, float] = field(default_factory=dict)  # gate -> rho(W_hh block), bottom layer
    largest_singular_value: dict[str, float] = field(default_factory=dict)
    keep_gate: dict[str, float] | None = None  # the gate keeping the old state (LSTM f, GRU 1 - z): see keep_gate_stats

    def rows(self) -> list[dict]:
        """One row per (layer, distance): the numbers behind Fig. 5.2."""
        out = []
        for layer, norms in enumerate(self.norms):
            for distance, value in zip(self.distances, norms):
                out.append({"architecture": self.architecture, "source": self.source, "layer": layer,
                            "distance": int(distance), "grad_norm": float(value)})
        return out

    def summary(self) -> dict:
        """The scalars: decay per step, half-life, spectral radii, norms at a few distances."""
        bottom = self.norms[0]
        at = {f"norm_at_{d}": float(bottom[d]) for d in (1, 5, 10, 20, 50, 100) if d < len(bottom)}
        return {"architecture": self.architecture, "source": self.source, "steps": len(bottom),
                "factor_per_step": self.factor_per_step, "half_life": self.half_life, **at,
                "keep_gate": self.keep_gate,
                "spectral_radius": self.spectral_radius,
                "largest_singular_value": self.largest_singular_value}


def gate_blocks(weight_hh: torch.Tensor, architecture: str) -> dict[str, torch.Tensor]:
    """Split W_hh [G*H, H] into its gate blocks, torch.nn's order (LSTM i,f,g,o; GRU r,z,n)."""
    gates = GATES[architecture]
    hidden_size = weight_hh.shape[1]
    if weight_hh.shape[0] != len(gates) * hidden_size:
        raise ValueError(f"W_hh of a {architecture} must be [{len(gates)}*H, H]; received {tuple(weight_hh.shape)}")
    return dict(zip(gates, weight_hh.detach().split(hidden_size)))


def spectral_radius(matrix: torch.Tensor) -> float:
    """max |eigenvalue| of a square matrix."""
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"spectral radius needs a square matrix; received shape {tuple(matrix.shape)}")
    return float(torch.linalg.eigvals(matrix.detach().double()).abs().max())


def keep_gate_stats(stack: RecurrentStack, inputs: torch.Tensor, hidden: list[torch.Tensor]) -> dict[str, float] | None:
    """How much of the old state the bottom layer keeps per step, averaged over batch and steps.

    Returns ``mean`` (over units), ``units_above_0.9`` (share of units whose average exceeds 0.9)
    and ``max_unit`` (the most persistent unit): the long-range gradient travels through the few
    units that keep, so the maximum bounds the per-step factor better than the mean.

    LSTM: the forget gate f_t (eq. 5.4), the factor on c_{t-1} in eq. 5.7. GRU: the weight of
    h_{t-1} in eq. 5.11, 1 - z_t (torch's GRU names that weight z directly). None for the RNN.
    ``inputs`` [B, T, I] are the bottom layer's inputs and ``hidden`` its states h_1 .. h_T.
    """
    if stack.architecture == "rnn":
        return None
    layer, hidden_size = stack.layers[0], stack.hidden_size
    rows = slice(hidden_size, 2 * hidden_size)  # gate block 1: the LSTM's f (i, f, g, o), the GRU's z (r, z, n)
    previous = torch.stack([torch.zeros_like(hidden[0])] + hidden[:-1], dim=1)  # [B, T, H]: h_{t-1}
    with torch.no_grad():
        projected = inputs @ layer.weight_ih_l0[rows].t() + previous @ layer.weight_hh_l0[rows].t()  # [B, T, H]
        if getattr(layer, "bias_ih_l0", None) is not None:
            projected = projected + layer.bias_ih_l0[rows] + layer.bias_hh_l0[rows]
        value = torch.sigmoid(projected)  # [B, T, H]: f_t, or z_t
    if stack.architecture == "gru" and getattr(layer, "variant", "pytorch") != "pytorch":
        value = 1 - value  # eq. 5.11: h_t = (1 - z_t) h_{t-1} + z_t n_t
    per_unit = value.mean(dim=(0, 1))  # [H]
    return {"mean": float(per_unit.mean()), "units_above_0.9": float((per_unit > 0.9).double().mean()),
            "max_unit": float(per_unit.max())}


def fit_decay(distances: np.ndarray, norms: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of log(norm) on distance -> (factor per step, half-life in steps)."""
    keep = np.isfinite(norms) & (norms > 0)
    if keep.sum() < 2:
        return float("nan"), float("nan")
    slope = float(np.polyfit(distances[keep], np.log(norms[keep]), 1)[0])
    half_life = math.log(0.5) / slope if slope < 0 else float("inf")
    return math.exp(slope), half_life


def hidden_gradients(
    stack: RecurrentStack, inputs: torch.Tensor, readout: torch.Tensor
) -> tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]:
    """dL_T/dh_k for every layer and step, with L_T = sum_b <readout_b, h_T^top_b>.

    Returns ``(grads, hidden)``: ``grads[l][k]`` and ``hidden[l][k]`` are [B, H], for h_{k+1} of
    layer l. Uses ``torch.autograd.grad``, so no parameter's ``.grad`` is touched. For the LSTM
    this is the gradient with respect to h_k (all paths from h_k onwards, the cell path of the
    following steps included), not with respect to the cell state c_k.
    """
    hidden, _ = unroll(stack, inputs)
    loss = (hidden[-1][-1] * readout).sum()  # L_T: a scalar readout of the top layer's last state
    nodes = [h for layer in hidden for h in layer]
    flat = torch.autograd.grad(loss, nodes, allow_unused=True)
    flat = [torch.zeros_like(n) if g is None else g for n, g in zip(nodes, flat)]
    steps = inputs.shape[1]
    return [list(flat[l * steps : (l + 1) * steps]) for l in range(len(stack.layers))], hidden


def measure_gradient_flow(
    stack: RecurrentStack,
    steps: int = 100,
    batch_size: int = 32,
    seed: int = 0,
    tokens: torch.Tensor | None = None,
    dtype: torch.dtype = torch.float64,
) -> GradientFlow:
    """Mean ||dL_T/dh_k|| by distance over ``batch_size`` random sequences of length ``steps``.

    Inputs are random token ids through the stack's embedding (or ``tokens`` [B, T] when given,
    e.g. real text), or standard normal vectors when the stack has no embedding. The stack is
    measured on a copy in ``dtype`` (float64 by default: a vanished gradient of 1e-40 is still a
    number, where float32 would flush it to zero); the model itself is left untouched.
    """
    if steps < 2 or batch_size < 1:
        raise ValueError(f"need steps >= 2 and batch_size >= 1; received steps={steps}, batch_size={batch_size}")
    generator = torch.Generator().manual_seed(seed)
    device = stack.weights_hh[0].device
    with torch.no_grad():
        if tokens is not None:
            inputs = stack.embed(tokens.to(device))  # [B, T, E]
        elif stack.embedding is not None:
            ids = torch.randint(stack.embedding.num_embeddings, (batch_size, steps), generator=generator)
            inputs = stack.embed(ids.to(device))  # [B, T, E]
        else:
            inputs = torch.randn(batch_size, steps, stack.input_size, generator=generator)  # [B, T, I]
    inputs = inputs.to(device, dtype)
    stack = stack.copy_as(dtype)
    readout = torch.randn(inputs.shape[0], stack.hidden_size, generator=generator).to(device, dtype)  # [B, H]
    readout = readout / readout.norm(dim=1, keepdim=True)  # ||dL_T/dh_T|| = 1
    with torch.enable_grad():
        grads, hidden = hidden_gradients(stack, inputs, readout)
    # grads[l][k] belongs to step k+1; distance T - (k+1) = steps-1-k, so reverse the step order.
    norms = np.array([[g.norm(dim=1).mean().item() for g in reversed(layer)] for layer in grads])  # [L, T]
    distances = np.arange(inputs.shape[1])
    factor, half_life = fit_decay(distances, norms[0])
    blocks = gate_blocks(stack.weights_hh[0], stack.architecture)
    return GradientFlow(
        architecture=stack.architecture, source=stack.source, distances=distances, norms=norms,
        factor_per_step=factor, half_life=half_life,
        spectral_radius={gate: spectral_radius(w) for gate, w in blocks.items()},
        largest_singular_value={gate: float(torch.linalg.matrix_norm(w.double(), ord=2)) for gate, w in blocks.items()},
        keep_gate=keep_gate_stats(stack, inputs, [h.detach() for h in hidden[0]]),
    )


def eq_5_3_gradient(hidden: list[torch.Tensor], weight_hh: torch.Tensor, grad_last: torch.Tensor, k: int) -> torch.Tensor:
    """dL/dh_k by the explicit product of eq. 5.3 for a one-layer tanh RNN.

    ``hidden`` holds h_1 .. h_T ([B, H] each), ``grad_last`` is dL/dh_T [B, H], and ``k`` is 1-based
    (k = T returns ``grad_last``). Row-vector convention: the gradient is multiplied on the right
    by the Jacobians J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh, from t = T down to t = k + 1.
    """
    steps = len(hidden)
    if not 1 <= k <= steps:
        raise ValueError(f"k must be in 1..{steps}; received {k}")
    grad = grad_last  # [B, H]
    for t in range(steps, k, -1):
        derivative = 1 - hidden[t - 1] ** 2  # [B, H]: tanh'(z_t) = 1 - h_t^2
        # Row vector times diag(d) W_hh: (g * d) @ W_hh                        # eq. 5.3
        grad = (grad * derivative) @ weight_hh  # [B, H]
    return grad
