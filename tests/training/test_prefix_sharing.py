"""Prefix-shared DPO: the packed layout, and the same log-probs, loss and gradients as TRL's own unshared path."""

from contextlib import nullcontext

import pandas as pd
import pytest
import torch
from trl import DPOTrainer
from trl.trainer.dpo_trainer import DataCollatorForPreference

from pdbench.training.config import TrainConfig
from pdbench.training.prefix_sharing import (CHOSEN, PADDING, REJECTED, SHARED, allowed, pack_pairs,
                                             resolve_prefix_sharing, sharing_prefixes, unsupported_reason)
from pdbench.training.train import build_trainer

PAIRS = pd.DataFrame({
    "prompt": ["What is 2 + 2?", "Name a planet.", "Capital of France?", "Say hi."],
    "chosen": ["4", "Mars.", "Paris, the capital of France.", "Hi!"],
    "rejected": ["5, I think, but I am not sure at all.", "Mars, or the Sun.", "Lyon.", "Hi! Hello there, friend."],
})
"""Pairs whose answers also share first tokens beyond the prompt ("Mars", "Hi!"), one chosen a prefix of its
rejected ("Hi!"), and lengths that differ, so that rows are padded."""


@pytest.fixture(autouse=True)
def scratch_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))


def test_pairs_pack_one_row_each_with_restarted_positions_and_unpack_exactly():
    collate = DataCollatorForPreference(pad_token_id=0)
    batch = collate([{"prompt_ids": [1, 2, 3], "chosen_ids": [4, 5], "rejected_ids": [6]},
                     {"prompt_ids": [7, 8], "chosen_ids": [9], "rejected_ids": [9, 10]}])  # chosen: a prefix
    packed = pack_pairs(batch["input_ids"], batch["attention_mask"])
    S, C, R, P = SHARED, CHOSEN, REJECTED, PADDING
    assert packed.segments.tolist() == [[S, S, S, C, C, R], [S, S, S, R, P, P]]
    is_padding = packed.segments == PADDING  # whatever a padding position holds is never attended by a real token
    assert packed.input_ids.masked_fill(is_padding, 0).tolist() == [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 0, 0]]
    assert packed.position_ids.masked_fill(is_padding, 0).tolist() == [[0, 1, 2, 3, 4, 3], [0, 1, 2, 3, 0, 0]]
    # Back in TRL's layout every real position holds its own token (pads are never scored).
    back = packed.input_ids.flatten()[packed.unpack_index]
    assert torch.equal(back * batch["attention_mask"], batch["input_ids"])


def test_the_mask_is_causal_except_that_rejected_never_sees_chosen():
    segments = torch.tensor([[SHARED, SHARED, CHOSEN, CHOSEN, REJECTED, REJECTED, PADDING]])
    mask = allowed(segments)[0]
    assert mask[5].tolist() == [True, True, False, False, True, True, False]  # the prompt, itself: not chosen
    assert mask[3].tolist() == [True, True, True, True, False, False, False]  # chosen: plainly causal
    assert mask[6].all()  # a padding query attends somewhere (no empty softmax row)


def log_probs(trainer, batch, shared: bool):
    """Per-pair (chosen, rejected) log-probs by TRL's own code, with or without shared prefixes."""
    with torch.no_grad(), sharing_prefixes(trainer.model) if shared else nullcontext():
        return torch.stack(DPOTrainer.compute_ref_log_probs(trainer, trainer.model, batch))


def trainer_and_batch(model_path, tmp_path, precision="fp32"):
    config = TrainConfig(per_device_batch_size=4, batch_size=4, max_length=128, precision=precision,
                         prefix_sharing="on")
    trainer = build_trainer(model_path, PAIRS, "dpo", 4, config, tmp_path, use_ref_cache=False)
    assert trainer.prefix_sharing == "on"
    return trainer, trainer.data_collator([trainer.train_dataset[i] for i in range(len(PAIRS))])


@pytest.mark.parametrize("model", ["tiny_llama_path", "smollm2_path"])  # GQA (4 heads, 2 kv); SmolLM2 itself
def test_fp32_log_probs_loss_and_gradients_are_trls(model, request, tmp_path):
    trainer, batch = trainer_and_batch(request.getfixturevalue(model), tmp_path)
    assert batch["attention_mask"].sum() > pack_pairs(batch["input_ids"], batch["attention_mask"]).segments.ne(
        PADDING).sum()  # something is shared
    unshared, shared = log_probs(trainer, batch, False), log_probs(trainer, batch, True)
    torch.testing.assert_close(shared, unshared, rtol=1e-5, atol=1e-4)

    with torch.no_grad():  # away from the reference, so the loss and its gradients are not at the symmetric point
        for parameter in trainer.model.parameters():
            parameter.add_(1e-3 * torch.randn_like(parameter))
    trainer.model.train()

    def loss_and_gradients(compute_loss):
        trainer.model.zero_grad()
        loss = compute_loss(trainer.model, batch)
        loss.backward()
        return loss.item(), {n: p.grad.clone() for n, p in trainer.model.named_parameters()}

    trl_loss, trl_gradients = loss_and_gradients(lambda m, b: DPOTrainer._compute_loss(trainer, m, b, False))
    loss, gradients = loss_and_gradients(trainer.compute_loss)  # pdbench's trainer: shared
    assert abs(trl_loss - 0.6931) > 1e-3
    assert loss == pytest.approx(trl_loss, abs=1e-6)
    for name, gradient in gradients.items():
        torch.testing.assert_close(gradient, trl_gradients[name], rtol=1e-3, atol=1e-6, msg=name)


def test_bf16_log_probs_differ_by_rounding_only(smollm2_path, tmp_path):
    """bf16 autocast rounds each path its own way: the two differ by no more than the unshared path moves when
    the same pairs are batched differently, and both stay as close to the fp32 values."""
    trainer, batch = trainer_and_batch(smollm2_path, tmp_path, "bf16")
    unshared, shared = log_probs(trainer, batch, False), log_probs(trainer, batch, True)  # TRL autocasts
    tokens = batch["completion_mask"].sum(dim=1).reshape(2, -1)
    per_token = ((shared - unshared).abs() / tokens).max().item()
    assert per_token < 0.05  # nats per completion token (measured: see docs/cost.md)


def test_eager_attention_shares_exactly_too(tiny_llama_path, tmp_path, monkeypatch):
    trainer, batch = trainer_and_batch(tiny_llama_path, tmp_path)
    trainer.model.config._attn_implementation = "eager"  # the additive float mask instead of SDPA's booleans
    torch.testing.assert_close(log_probs(trainer, batch, True), log_probs(trainer, batch, False), rtol=1e-5, atol=1e-4)


def test_models_that_cannot_take_the_mask_fall_back_and_say_why(tiny_llama_path, tmp_path):
    from transformers import AutoModelForCausalLM, MistralConfig, MistralForCausalLM

    mistral = MistralForCausalLM(MistralConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                               num_attention_heads=2, num_key_value_heads=1, sliding_window=32))
    assert unsupported_reason(mistral) == "sliding-window attention"
    llama = AutoModelForCausalLM.from_pretrained(tiny_llama_path)
    assert unsupported_reason(llama) is None
    llama.config._attn_implementation = "flash_attention_2"
    assert "takes no custom mask" in unsupported_reason(llama)


def test_a_fallback_is_recorded(tiny_llama_path, tmp_path, monkeypatch):
    monkeypatch.setattr("pdbench.training.train.unsupported_reason", lambda model: "a reason")
    config = TrainConfig(per_device_batch_size=4, batch_size=4, max_length=128, precision="fp32", prefix_sharing="on")
    assert build_trainer(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path).prefix_sharing == "off: a reason"


def test_auto_shares_on_the_cpu_only(monkeypatch):
    assert resolve_prefix_sharing("auto") is True  # this CPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_prefix_sharing("auto") is False  # not measured on a GPU yet
    assert resolve_prefix_sharing("on") is True and resolve_prefix_sharing("off") is False
    with pytest.raises(ValueError, match="prefix_sharing"):
        resolve_prefix_sharing("yes")


def test_a_bad_setting_is_refused_by_the_run_configuration():
    from pdbench.pipeline.config import ConfigError, resolve_config

    with pytest.raises(ConfigError, match="train.prefix_sharing: must be auto, on or off"):
        resolve_config("tiny", train={"prefix_sharing": "yes"})


def test_the_trained_stage_key_holds_sharing_and_off_keeps_the_keys_from_before(monkeypatch, tmp_path):
    from pdbench.infra.cache import content_key, frame_fingerprint, stage_dir
    from pdbench.pipeline import stages
    from pdbench.pipeline.config import resolve_config
    from pdbench.selection.plan import Plan
    from pdbench.training.precision import resolve_precision

    monkeypatch.setattr(stages, "_model_identity", lambda path: path)
    pairs, plan = pd.DataFrame({"prompt": ["p"], "chosen": ["c"], "rejected": ["r"]}), Plan(rows=(0,))

    def folder(setting: str):
        return stages._trained_folder(resolve_config("tiny", train={"prefix_sharing": setting}), "policy", pairs, plan)

    config = resolve_config("tiny")
    train = {k: v for k, v in config.train.to_dict().items() if k != "prefix_sharing"}  # as keyed before issue 29
    before = stage_dir("trained", content_key(
        "train", "policy", frame_fingerprint(pairs, ["prompt", "chosen", "rejected"]), plan.objective, [],
        {**train, "precision": resolve_precision(train["precision"])}, config.num_processes))
    assert folder("off") == before
    assert folder("on") != before and folder("auto") == folder("on")  # auto: on, on this CPU


def test_a_reference_model_kept_in_memory_shares_too(tiny_llama_path, tmp_path):
    """Without precomputed reference log-probs TRL forwards a reference model beside the policy in every step."""
    from pdbench.training.train import train_policy

    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=2, max_length=128, max_steps=1,
                         warmup_ratio=0.0, precision="fp32", precompute_ref_log_probs=False, prefix_sharing="on")
    outcome = train_policy(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path)
    assert outcome["prefix_sharing"] == "on" and outcome["global_step"] == 1
    assert abs(outcome["log_history"][0]["loss"] - 0.6931) < 1e-3  # the first step's policy is its reference
