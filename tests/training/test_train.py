import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from pdbench.training.train import DMPOTrainer, TrainConfig, dpo_args, preference_dataset, train_policy

PAIRS = pd.DataFrame({
    "prompt": ["What is 2 + 2?", "Name a planet.", "Capital of France?", "Say hi."],
    "chosen": ["4", "Mars.", "Paris.", "Hi!"],
    "rejected": ["5, I think, but I am not sure at all.", "The Sun.", "Lyon, obviously.", "No."],
    "pd_term": [-0.8, 0.3, 1.2, -0.1],
})


@pytest.mark.parametrize("use_prefix_sharing", [False, True])
def test_dmpo_loss_equals_equation_2(tiny_llama_path, tmp_path, use_prefix_sharing):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOTrainer

    beta, kappa = 0.1, 4
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_path)
    # fp32: the identity is checked to 1e-4, tighter than bf16 arithmetic
    config = TrainConfig(beta=beta, per_device_batch_size=4, max_length=128, precision="fp32")
    args = dpo_args(config, tmp_path, "dmpo", kappa)
    trainer = DMPOTrainer(model=model, args=args, train_dataset=preference_dataset(PAIRS), processing_class=tokenizer,
                          use_prefix_sharing=use_prefix_sharing)
    assert trainer.prefix_sharing == ("on" if use_prefix_sharing else "off")
    assert trainer.beta == pytest.approx(kappa * beta)
    with torch.no_grad():  # move the policy away from the reference so the margin is not zero
        for parameter in trainer.model.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    examples = [trainer.train_dataset[i] for i in range(len(PAIRS))]
    batch = trainer.data_collator(examples)
    loss = trainer.compute_loss(trainer.model, batch).item()

    policy_chosen, policy_rejected = trainer.compute_ref_log_probs(trainer.model, batch)
    pd_term = torch.tensor(PAIRS["pd_term"].to_numpy(), dtype=torch.float32)
    ref_chosen = batch["ref_chosen_logps"] + pd_term / (kappa * beta)  # undo the shift: the true reference
    ref_rejected = batch["ref_rejected_logps"]
    margin = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected))
    expected = -F.logsigmoid(kappa * margin + pd_term).mean().item()
    assert loss == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert abs(margin).sum() > 0  # the check is not trivially about a zero margin
    # Shared or not, the loss is the one TRL's own unshared forward gives on the same batch.
    assert loss == pytest.approx(DPOTrainer._compute_loss(trainer, trainer.model, batch, False).item(), abs=1e-6)


def test_a_dpo_step_changes_trainable_parameters(tiny_llama_path, tmp_path):
    from transformers import AutoModelForCausalLM

    before = AutoModelForCausalLM.from_pretrained(tiny_llama_path).state_dict()
    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=4, max_length=128, max_steps=1,
                         warmup_ratio=0.0)
    saved = train_policy(tiny_llama_path, PAIRS.drop(columns="pd_term"), "dpo", 4, config, tmp_path)["model"]
    after = AutoModelForCausalLM.from_pretrained(saved).state_dict()
    changed = [name for name in before if not torch.equal(before[name], after[name])]
    assert len(changed) > len(before) // 2


def test_bad_objective_fails_fast(tiny_llama_path, tmp_path):
    with pytest.raises(ValueError, match="pd_term"):
        train_policy(tiny_llama_path, PAIRS.drop(columns="pd_term"), "dmpo", 4, TrainConfig(), tmp_path)


def test_lora_trains_adapters_and_saves_a_merged_model(tiny_llama_path, tmp_path):
    pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    before = AutoModelForCausalLM.from_pretrained(tiny_llama_path).state_dict()
    config = TrainConfig(learning_rate=1e-2, batch_size=4, per_device_batch_size=4, max_length=128, max_steps=1,
                         warmup_ratio=0.0, use_lora=True, lora_r=4)
    saved = train_policy(tiny_llama_path, PAIRS.drop(columns="pd_term"), "dpo", 4, config, tmp_path)["model"]
    after = AutoModelForCausalLM.from_pretrained(saved).state_dict()
    assert set(after) == set(before)  # merged back: a plain model, no adapter keys
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    assert any("q_proj" in name for name in changed)  # the adapters moved the linear layers …
    assert not any("norm" in name or "embed" in name for name in changed)  # … and nothing else
