"""``GradientFlowCallback``: Fig. 5.2's numbers, logged while a language model trains.

Every ``every_n_steps`` optimizer steps, on rank 0, the callback takes the model's embedding and
first recurrent layer (sharing their weights; see ``rnnlm.analysis.stack``), feeds it the first
``sequences`` streams and ``steps`` tokens of the current training batch (random tokens when
the window is shorter), and measures ||dL_T/dh_k|| against T - k with
``rnnlm.analysis.gradients.measure_gradient_flow``, on a float64 copy and with
``torch.autograd.grad``, so the training step's own gradients are untouched. It logs, to every
logger of the Trainer:

- ``gradient_flow/norm_at_{d}`` for d in ``distances``, ``gradient_flow/factor_per_step``,
  ``gradient_flow/half_life``, ``gradient_flow/spectral_radius_{gate}`` and, for the LSTM and the
  GRU, ``gradient_flow/keep_gate_{mean,units_above_0.9,max_unit}``;
- the figure: ``log_image`` for a ``WandbLogger`` (offline works), and for loggers with a
  ``log_dir`` (``CSVLogger``, ``TensorBoardLogger``) ``<log_dir>/gradient_flow/step_NNNNNNN.png``
  beside its ``.csv`` and ``.json``.

Use it from the CLI: ``rnnlm fit --trainer.callbacks+=rnnlm.training.gradient_flow.GradientFlowCallback
--trainer.callbacks.every_n_steps=200``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import torch
from lightning.pytorch import Callback, LightningModule, Trainer

from rnnlm.data.streams import batch_windows


class GradientFlowCallback(Callback):
    """Log ||dL_T/dh_k|| against T - k, its decay per step and W_hh's spectral radius during training."""

    def __init__(
        self,
        every_n_steps: int = 500,
        steps: int = 50,
        sequences: int = 8,
        distances: Sequence[int] = (1, 5, 10, 20, 50),
        log_figure: bool = True,
    ) -> None:
        """
        Args:
            every_n_steps: measure after every this many optimizer steps (and never at step 0)
            steps: sequence length T of the measurement
            sequences: sequences averaged over (taken from the training batch)
            distances: distances T - k whose norms are logged as scalars
            log_figure: also log the figure (wandb image, or PNG + CSV under the logger's log_dir)
        """
        super().__init__()
        if every_n_steps < 1 or steps < 2 or sequences < 1:
            raise ValueError(f"need every_n_steps >= 1, steps >= 2, sequences >= 1; received "
                             f"{every_n_steps}, {steps}, {sequences}")
        self.every_n_steps = every_n_steps
        self.steps = steps
        self.sequences = sequences
        self.distances = tuple(int(d) for d in distances)
        self.log_figure = log_figure
        self.history: list[dict[str, float]] = []  # the scalars of every measurement, in order
        self._last_step = 0  # global step at the end of the previous batch

    def _tokens(self, batch: Any, device: torch.device) -> torch.Tensor | None:
        inputs = getattr(batch_windows(batch)[-1], "inputs", None)  # the batch's last window
        if not isinstance(inputs, torch.Tensor) or inputs.dim() != 2 or inputs.shape[1] < self.steps:
            return None  # short windows: random tokens of the full length instead
        return inputs[: self.sequences, : self.steps].to(device)  # [B, T]

    def on_train_batch_end(self, trainer: Trainer, pl_module: LightningModule, outputs: Any, batch: Any, batch_idx: int) -> None:
        step, last, self._last_step = trainer.global_step, self._last_step, trainer.global_step
        # a batch of several windows takes several steps: measure when it passed a multiple
        if step // self.every_n_steps <= last // self.every_n_steps or not trainer.is_global_zero:
            return
        self.measure(trainer, pl_module, batch)

    def on_train_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self._last_step = trainer.global_step  # a resumed run counts from its checkpoint

    def measure(self, trainer: Trainer, pl_module: LightningModule, batch: Any = None) -> dict[str, float]:
        """Measure now and log; returns the scalars logged."""
        from rnnlm.analysis.gradients import measure_gradient_flow
        from rnnlm.analysis.stack import stack_from_module

        step = trainer.global_step
        stack = stack_from_module(pl_module, num_layers=1, source=f"step {step}")
        tokens = self._tokens(batch, stack.weights_hh[0].device)
        flow = measure_gradient_flow(stack, steps=self.steps, batch_size=self.sequences, seed=step, tokens=tokens)
        metrics = {f"gradient_flow/norm_at_{d}": float(flow.norms[0][d]) for d in self.distances if d < self.steps}
        metrics["gradient_flow/factor_per_step"] = flow.factor_per_step
        if math.isfinite(flow.half_life):
            metrics["gradient_flow/half_life"] = flow.half_life
        metrics.update({f"gradient_flow/spectral_radius_{gate}": value for gate, value in flow.spectral_radius.items()})
        if flow.keep_gate is not None:  # LSTM forget gate / GRU 1 - z: how much state the layer keeps per step
            metrics.update({f"gradient_flow/keep_gate_{name}": value for name, value in flow.keep_gate.items()})
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=step)
            if self.log_figure:
                self._log_figure(logger, flow, step)
        self.history.append({"step": step, **metrics})
        return metrics

    @staticmethod
    def _log_figure(logger: Any, flow: Any, step: int) -> None:
        from rnnlm.plots import plot_gradient_flow

        title = f"Fig. 5.2 at step {step}"
        log_dir = getattr(logger, "log_dir", None)
        if hasattr(logger, "log_image") and type(logger).__name__ == "WandbLogger":
            save_dir = Path(logger.save_dir or ".") / "gradient_flow"
            paths = plot_gradient_flow([flow], save_dir / f"step_{step:07d}", title=title)
            logger.log_image(key="gradient_flow/figure", images=[str(paths[0])], step=step)
        elif log_dir:
            plot_gradient_flow([flow], Path(log_dir) / "gradient_flow" / f"step_{step:07d}", title=title)
