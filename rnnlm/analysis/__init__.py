"""Analyses of the chapter: vanishing gradients (Fig. 5.2), long-range recall, and the comparison
of n-gram and neural language models (Fig. 5.5, 5.6).

- ``rnnlm.analysis.stack``: a recurrent stack unrolled one step at a time.
- ``rnnlm.analysis.gradients``: ||dL_T/dh_k|| against T - k, eq. 5.3, spectral radius.
- ``rnnlm.analysis.longrange``: the key-recall task and the search for the largest gap learned.
- ``rnnlm.analysis.compare``: n-grams vs RNN/LSTM/GRU on one corpus and split.
"""

from rnnlm.analysis.gradients import GradientFlow, eq_5_3_gradient, measure_gradient_flow, spectral_radius
from rnnlm.analysis.stack import RecurrentStack, build_stack, load_checkpoint_stack, stack_from_module, unroll

__all__ = [
    "GradientFlow",
    "RecurrentStack",
    "build_stack",
    "eq_5_3_gradient",
    "load_checkpoint_stack",
    "measure_gradient_flow",
    "spectral_radius",
    "stack_from_module",
    "unroll",
]
