"""A real two-process DDP run on CPU (gloo): the ranks' windows are disjoint, in order and complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rnnlm.data.prepared import prepare_corpus
from rnnlm.data.streams import variable_windows

SCRIPT = Path(__file__).with_name("ddp_windows_script.py")


@pytest.mark.ddp
@pytest.mark.slow
def test_two_ranks_walk_disjoint_streams_in_order(numbered_folder, tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    repository = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repository), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run([sys.executable, str(SCRIPT), str(numbered_folder), str(output)], cwd=tmp_path,
                               env=environment, capture_output=True, text=True, timeout=240)
    assert completed.returncode == 0, completed.stderr[-3000:]
    records = [json.loads((output / f"rank{rank}.json").read_text()) for rank in range(2)]

    ids = prepare_corpus(str(numbered_folder), "word").ids  # the same cache the script used
    world_size, batch_size, eval_batch_size, bptt = 2, 3, 2, 7
    for split, rows in (("train", batch_size), ("valid", eval_batch_size)):
        stream = ids[split]
        stream_length = stream.numel() // (world_size * rows)
        for rank, record in enumerate(records):
            assert record["rank"] == rank and record["world_size"] == world_size
            # independent reference: rank r owns rows r*B .. r*B+B-1 of the [W*B, L] stream matrix
            own = stream[: world_size * rows * stream_length].view(world_size * rows, stream_length)
            own = own[rank * rows : (rank + 1) * rows, :-1]  # [B, L - 1] every input position
            for epoch in range(2):
                walk = [step for step in record[split] if step[0] == epoch]
                assert [step[1] for step in walk] == list(range(len(walk)))  # steps in order
                if split == "train":  # the schedule of this epoch, identical on both ranks
                    lengths = [length for _, length in variable_windows(stream_length - 1, bptt, 11, epoch)]
                    assert [len(step[2][0]) for step in walk] == lengths
                # consecutive windows, concatenated, are exactly this rank's streams: in order, complete
                walked = torch.cat([torch.tensor(step[2]) for step in walk], dim=1)  # [B, L - 1]
                torch.testing.assert_close(walked, own, rtol=0, atol=0)
                assert [step[3] for step in walk] == [True] + [False] * (len(walk) - 1)
        # the same number of steps on both ranks, and the ranks' streams are disjoint slices
        assert len(records[0][split]) == len(records[1][split])
    assert {record["loader_type"] for record in records} == {"TBPTTLoader"}
    assert {record["sampler_type"] for record in records} == {"TBPTTLoader"}  # no DistributedSampler injected
    assert records[0]["num_training_batches"] == len(variable_windows(
        ids["train"].numel() // (world_size * batch_size) - 1, bptt, 11, 0))
