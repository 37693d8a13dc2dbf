"""Regrouping a step's micro-batches by length: the same pairs and the same step loss, with less padding."""

import pandas as pd
import pytest
import torch
from trl.trainer.dpo_trainer import DataCollatorForPreference

from pdbench.training.microbatches import regroup_by_length
from pdbench.training.config import TrainConfig
from pdbench.training.train import build_trainer

PAD = 0


def example(prompt: int, chosen: int, rejected: int, seed: int) -> dict:
    ids = iter(range(seed * 100 + 1, seed * 100 + 100))
    return {"prompt_ids": [next(ids) for _ in range(prompt)], "chosen_ids": [next(ids) for _ in range(chosen)],
            "rejected_ids": [next(ids) for _ in range(rejected)],
            "ref_chosen_logps": -float(seed), "ref_rejected_logps": -float(seed) - 0.5}


def pairs_of(batches: list[dict]) -> set:
    """Each pair as (chosen tokens, chosen completion mask, rejected tokens, ..., reference log-probs)."""
    found = set()
    for b in batches:
        n = b["input_ids"].shape[0] // 2
        for i in range(n):
            rows = []
            for r in (i, n + i):
                real = b["attention_mask"][r].bool()
                rows += [tuple(b["input_ids"][r][real].tolist()), tuple(b["completion_mask"][r][real].tolist())]
            found.add((*rows, float(b["ref_chosen_logps"][i]), float(b["ref_rejected_logps"][i])))
    return found


def test_regrouping_keeps_the_pairs_and_pads_less():
    collate = DataCollatorForPreference(pad_token_id=PAD)
    shapes = [(3, 20, 18), (2, 2, 3), (4, 19, 1), (2, 1, 2)]  # long, short, long, short
    batches = [collate([example(*shapes[0], 0), example(*shapes[1], 1)]),
               collate([example(*shapes[2], 2), example(*shapes[3], 3)])]
    regrouped = regroup_by_length(batches, PAD)
    assert [b["input_ids"].shape[0] for b in regrouped] == [4, 4]
    assert pairs_of(regrouped) == pairs_of(batches)
    assert sum(b["input_ids"].numel() for b in regrouped) < sum(b["input_ids"].numel() for b in batches)
    assert all((b["input_ids"][b["attention_mask"] == 0] == PAD).all() for b in regrouped)


def test_steps_it_cannot_keep_exactly_are_left_alone():
    collate = DataCollatorForPreference(pad_token_id=PAD)
    uneven = [collate([example(2, 5, 1, 0), example(2, 1, 1, 1)]), collate([example(2, 3, 3, 2)])]
    assert regroup_by_length(uneven, PAD) is uneven
    single = [collate([example(2, 5, 1, 0), example(2, 1, 1, 1)])]
    assert regroup_by_length(single, PAD) is single
    extra = [{**b, "labels": b["input_ids"]} for b in (collate([example(2, 5, 1, i), example(2, 1, 1, i + 1)])
                                                        for i in (0, 2))]
    assert regroup_by_length(extra, PAD) is extra


def test_the_steps_loss_is_unchanged(tiny_llama_path, tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    pairs = pd.DataFrame({
        "prompt": ["Hi.", "Tell me a long story about a cat who went to sea.", "2+2?", "A planet, please, any one."],
        "chosen": ["Hello there, how are you today?", "Once upon a time a cat sailed away and came back.", "4", "Mars"],
        "rejected": ["Go away.", "No.", "It is five, I believe, give or take one or two.", "The Moon, obviously, is one"],
    })
    config = TrainConfig(batch_size=4, per_device_batch_size=2, max_length=128)
    trainer = build_trainer(tiny_llama_path, pairs, "dpo", 4, config, tmp_path / "out")
    with torch.no_grad():  # move the policy away from the reference so the loss depends on the pairs
        for parameter in trainer.model.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    collate = trainer.data_collator
    batches = [collate([trainer.train_dataset[i] for i in (0, 2)]), collate([trainer.train_dataset[i] for i in (1, 3)])]
    regrouped = regroup_by_length(batches, collate.pad_token_id)
    assert pairs_of(regrouped) == pairs_of(batches) and len(regrouped) == 2
    with torch.no_grad():
        step = sum(trainer.compute_loss(trainer.model, b).item() for b in batches)
        step_regrouped = sum(trainer.compute_loss(trainer.model, b).item() for b in regrouped)
    assert step_regrouped == pytest.approx(step, rel=1e-5)


def test_training_regroups_each_step(tiny_llama_path, tmp_path, monkeypatch):
    import pdbench.training.train as train

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    steps = []

    def spy(batches, pad_token_id):
        steps.append([b["input_ids"].shape[0] // 2 for b in batches])
        return regroup_by_length(batches, pad_token_id)

    monkeypatch.setattr(train, "regroup_by_length", spy)
    pairs = pd.DataFrame({"prompt": ["a?", "b?", "c?", "d?", "e?"], "chosen": ["yes", "no, never", "x", "y z", "w"],
                          "rejected": ["no", "yes", "maybe so", "q", "r s t"]})
    config = TrainConfig(batch_size=4, per_device_batch_size=2, max_length=64, warmup_ratio=0.0)
    outcome = train.train_policy(tiny_llama_path, pairs, "dpo", 4, config, tmp_path / "out")
    assert outcome["global_step"] == 2
    assert steps == [[2, 2], [1]]  # the last step's single micro-batch is left as it is
