"""Tiny trained checkpoints for the tests of the verbs that read one (generate, score, export, gradients)."""

from __future__ import annotations

from pathlib import Path


def train_checkpoint(corpus: str | Path, path: Path, architecture: str = "lstm", level: str = "word",
                     steps: int = 3, seed: int = 0, **model_options) -> Path:
    """Train an ``RNNLM``/``LSTMLM``/``GRULM`` for ``steps`` windows on ``corpus`` and save it at ``path``.

    The model is small (8 units) and the run short: the tests need a real checkpoint written by
    Lightning, with its vocabulary, not a good model.
    """
    from lightning.pytorch import Trainer, seed_everything

    from rnnlm import models
    from rnnlm.data import LanguageModelDataModule

    classes = {"rnn": models.RNNLM, "lstm": models.LSTMLM, "gru": models.GRULM}
    seed_everything(seed, verbose=False)
    data = LanguageModelDataModule(corpus=str(corpus), level=level, batch_size=4, eval_batch_size=2, bptt=8,
                                   max_size=300)
    data.prepare_data()
    options = dict(embedding_dim=8, hidden_size=8, num_layers=1, dropout=0.0, optimizer="adam", lr=0.01)
    options.update(model_options)
    model = classes[architecture](vocab_size=data.vocab_size, vocab=data.vocab, **options)
    trainer = Trainer(accelerator="cpu", devices=1, max_steps=steps, logger=False, enable_checkpointing=False,
                      enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                      limit_val_batches=0, use_distributed_sampler=False)
    trainer.fit(model, datamodule=data)
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.save_checkpoint(path)
    return path
