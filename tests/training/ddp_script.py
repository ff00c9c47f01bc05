"""Train a tiny LSTMLM for a few steps, on two DDP ranks (gloo, CPU) or in one process.

Run by test_ddp.py as a real program, because Lightning's DDP launcher starts rank 1 by
running this same script again:  python ddp_script.py CORPUS OUT_DIR ddp|single STEPS BATCH
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from lightning.pytorch import Callback, Trainer, seed_everything

from rnnlm.data.datamodule import LanguageModelDataModule
from rnnlm.models import LSTMLM


class SaveHiddenState(Callback):
    """Each rank writes the hidden state it carries at the end (to compare with the checkpoint's)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir

    def on_train_end(self, trainer, pl_module) -> None:
        hidden = tuple(t.detach().clone() for t in pl_module._hidden["train"])
        torch.save(hidden, self.out_dir / f"hidden_rank{trainer.global_rank}.pt")


def main(corpus: str, out_dir: str, mode: str, steps: int, batch_size: int) -> None:
    torch.set_num_threads(1)
    out = Path(out_dir)
    seed_everything(3)  # identical initial weights in every process
    ranks = 2 if mode == "ddp" else 1
    data = LanguageModelDataModule(corpus=corpus, batch_size=batch_size if mode == "ddp" else 2 * batch_size,
                                   eval_batch_size=2, bptt=7)
    model = LSTMLM(vocab_size=data.vocab_size, embedding_dim=12, hidden_size=12, num_layers=2, dropout=0.0,
                   optimizer="sgd", lr=1.0)
    trainer = Trainer(accelerator="cpu", devices=ranks, strategy="ddp" if mode == "ddp" else "auto",
                      max_steps=steps, limit_val_batches=0, num_sanity_val_steps=0, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      gradient_clip_val=0.5, use_distributed_sampler=False, default_root_dir=out,
                      callbacks=[SaveHiddenState(out)])
    trainer.fit(model, datamodule=data)
    trainer.save_checkpoint(out / f"{mode}.ckpt")  # every rank calls it; rank 0 writes
    if trainer.global_rank == 0:
        torch.save({name: tensor.detach().clone() for name, tensor in model.state_dict().items()},
                   out / f"{mode}_parameters.pt")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
