"""The reference log-prob cache: same values as TRL's precompute, hits across runs, relabelled pairs served."""

from dataclasses import replace

import pandas as pd
import pytest
import torch

from pdbench.training.ref_logps import CachedRefDPOTrainer, RefLogpCache, truncated
from pdbench.training.config import TrainConfig
from pdbench.training.train import build_trainer

PAIRS = pd.DataFrame({
    "prompt": ["What is 2 + 2?", "Name a planet.", "Capital of France?", "Say hi.", "Spell cat."],
    "chosen": ["4", "Mars.", "Paris.", "Hi!", "C-A-T"],
    "rejected": ["5, I think, but I am not sure at all.", "The Sun.", "Lyon, obviously.", "No.", "K-A-T, surely."],
})
# fp32: the cache's length-sorted batches must give TRL's values to 1e-5; in bf16 the padding of a batch
# moves the rounding by more than that (the cache keys bf16 and fp32 values apart).
CONFIG = TrainConfig(per_device_batch_size=2, batch_size=2, max_length=128, precision="fp32")
UNSHARED = replace(CONFIG, prefix_sharing="off")


@pytest.fixture(autouse=True)
def scratch_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))


def ref_columns(trainer) -> tuple[list[float], list[float]]:
    return trainer.train_dataset["ref_chosen_logps"], trainer.train_dataset["ref_rejected_logps"]


@pytest.mark.parametrize("prefix_sharing", ["off", "on"])
def test_cached_values_are_trls_and_a_second_run_computes_nothing(tiny_llama_path, tmp_path, monkeypatch,
                                                                  prefix_sharing):
    # TRL's own precompute, unshared; the cache's values computed by the path of the run (shared or not).
    trl_chosen, trl_rejected = ref_columns(build_trainer(tiny_llama_path, PAIRS, "dpo", 4, UNSHARED, tmp_path / "a",
                                                         use_ref_cache=False))
    chosen, rejected = ref_columns(build_trainer(tiny_llama_path, PAIRS, "dpo", 4,
                                                 replace(CONFIG, prefix_sharing=prefix_sharing), tmp_path / "b"))
    assert chosen == pytest.approx(trl_chosen, rel=1e-5)
    assert rejected == pytest.approx(trl_rejected, rel=1e-5)

    def no_forward(*args, **kwargs):
        raise AssertionError("a cached reference log-prob was recomputed")

    monkeypatch.setattr(CachedRefDPOTrainer, "compute_ref_log_probs", no_forward)
    # Another strategy's plan: a subset of the pairs, two of them relabelled (chosen and rejected swapped).
    relabelled = PAIRS.iloc[[3, 1, 4]].reset_index(drop=True)
    relabelled.loc[[0, 2], ["chosen", "rejected"]] = relabelled.loc[[0, 2], ["rejected", "chosen"]].to_numpy()
    served_chosen, served_rejected = ref_columns(build_trainer(tiny_llama_path, relabelled, "dpo", 4, CONFIG,
                                                               tmp_path / "c"))
    assert served_chosen == [rejected[3], chosen[1], rejected[4]]
    assert served_rejected == [chosen[3], rejected[1], chosen[4]]


def test_only_missing_pairs_are_computed(tiny_llama_path, tmp_path, monkeypatch):
    build_trainer(tiny_llama_path, PAIRS.iloc[:3], "dpo", 4, CONFIG, tmp_path / "a")
    computed = []
    original = CachedRefDPOTrainer.compute_ref_log_probs

    def counting(self, model, inputs):
        computed.append(inputs["input_ids"].shape[0] // 2)
        return original(self, model, inputs)

    monkeypatch.setattr(CachedRefDPOTrainer, "compute_ref_log_probs", counting)
    build_trainer(tiny_llama_path, PAIRS, "dpo", 4, CONFIG, tmp_path / "b")
    assert sum(computed) == 2  # the two pairs the first run had not seen


def test_dmpo_shifts_the_cached_values_per_run(tiny_llama_path, tmp_path):
    with_pd = PAIRS.assign(pd_term=[0.5, -1.0, 0.0, 2.0, 0.25])
    chosen, rejected = ref_columns(build_trainer(tiny_llama_path, PAIRS, "dpo", 4, CONFIG, tmp_path / "a"))
    trainer = build_trainer(tiny_llama_path, with_pd, "dmpo", 4, CONFIG, tmp_path / "b")
    shifted, dmpo_rejected = ref_columns(trainer)
    assert shifted == pytest.approx([c - d / trainer.beta for c, d in zip(chosen, with_pd["pd_term"])], rel=1e-6)
    assert dmpo_rejected == rejected
    # The cache still holds the true values: a plain DPO run after the DMPO run gets them back.
    assert ref_columns(build_trainer(tiny_llama_path, PAIRS, "dpo", 4, CONFIG, tmp_path / "c"))[0] == chosen


def test_keys_separate_models_precisions_and_tokens(tmp_path):
    a = RefLogpCache("model-a", "float32", tmp_path / "c.sqlite")
    assert a.key([1, 2], [3]) == a.key([1, 2], [3])
    assert len({a.key([1, 2], [3]), a.key([1], [2, 3]), a.key([1, 2], [4]),
                RefLogpCache("model-b", "float32", tmp_path / "c.sqlite").key([1, 2], [3]),
                RefLogpCache("model-a", "bf16", tmp_path / "c.sqlite").key([1, 2], [3])}) == 5
    a.put_many({a.key([1, 2], [3]): -1.5})
    assert a.get_many([a.key([1, 2], [3]), a.key([9], [9])]) == {a.key([1, 2], [3]): -1.5}


def test_truncation_matches_the_collators_keep_start():
    assert truncated([1, 2, 3], [4, 5, 6], max_length=5) == ([1, 2, 3], [4, 5])
    assert truncated([1, 2, 3], [4], max_length=None) == ([1, 2, 3], [4])


def test_completion_only_lm_head_gives_the_same_log_probs(tiny_llama_path, monkeypatch):
    """On CPU the fused LM head projects only the completion tokens; the log-probs are those of all positions."""
    import trl.trainer.utils as trl_utils
    from transformers import AutoModelForCausalLM

    from pdbench.training.train import score_completions_only_on_cpu

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_path)
    trl_utils.add_fused_lm_head(model)
    ids = torch.randint(0, 1000, (2, 12))
    labels = ids.masked_fill(torch.arange(12) < 5, -100)  # a 5-token prompt
    monkeypatch.setattr(trl_utils, "_use_triton", lambda device: False)  # TRL's CPU behaviour: every position
    every_position = model(input_ids=ids, labels=labels, fused_lm_head=True).log_probs
    score_completions_only_on_cpu()
    assert trl_utils._use_triton(torch.device("cpu"))
    completions_only = model(input_ids=ids, labels=labels, fused_lm_head=True).log_probs
    torch.testing.assert_close(completions_only, every_position)
