"""Two-process DDP run (CPU, gloo) that records the windows each rank sees; driven by test_ddp.py.

    python ddp_windows_script.py CORPUS_FOLDER OUTPUT_FOLDER

Lightning's DDP launcher starts rank 1 by running this same command again. Each rank
writes ``rank<r>.json``: per training and validation step the epoch, the step, the input token
ids and the reset flag, plus what Lightning handed to the loop.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lightning as L
import torch

from rnnlm.data.datamodule import LanguageModelDataModule


class WindowRecorder(L.LightningModule):
    def __init__(self, output: Path):
        super().__init__()
        self.output = output
        self.weight = torch.nn.Parameter(torch.zeros(()))
        self.record = {"train": [], "valid": []}

    def training_step(self, batch, batch_idx):
        self.record["train"].append([self.current_epoch, batch_idx, batch.inputs.tolist(), batch.reset])
        return self.weight * batch.inputs.float().mean()

    def validation_step(self, batch, batch_idx):
        self.record["valid"].append([self.current_epoch, batch_idx, batch.inputs.tolist(), batch.reset])

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.0)

    def on_train_end(self):
        loader = self.trainer.train_dataloader
        self.record.update(
            rank=self.global_rank,
            world_size=self.trainer.world_size,
            loader_type=type(loader).__name__,
            sampler_type=type(getattr(loader, "sampler", None)).__name__,
            num_training_batches=self.trainer.num_training_batches,
        )
        (self.output / f"rank{self.global_rank}.json").write_text(json.dumps(self.record))


def main() -> None:
    corpus, output = sys.argv[1], Path(sys.argv[2])
    data = LanguageModelDataModule(corpus, batch_size=3, eval_batch_size=2, bptt=7, variable_bptt=True, seed=11)
    trainer = L.Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=2, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        num_sanity_val_steps=0)
    trainer.fit(WindowRecorder(output), datamodule=data)


if __name__ == "__main__":
    main()
