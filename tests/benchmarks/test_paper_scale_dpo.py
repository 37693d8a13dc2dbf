"""benchmarks/paper_scale_dpo.py: the model-FLOPs count its MFU rests on, and the shapes it builds."""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from paper_scale_dpo import SHAPES, model_flops, shared_prefix_flops  # noqa: E402


def test_model_flops_counts_body_head_on_completions_and_attention():
    shape = {"params_b": 1.0, "hidden": 10, "vocab": 100, "layers": 2}
    body = 1e9 - 100 * 10
    expected = 6 * body * 8 + 6 * 100 * 10 * 5 + 12 * 2 * 10 * 8**2
    assert model_flops(shape, prompt=3, completion=5) == pytest.approx(expected)
    # Prompt tokens skip the LM head: moving a token from completion to prompt saves its 6·V·d.
    assert model_flops(shape, 4, 4) == pytest.approx(expected - 6 * 100 * 10)


def test_a_shared_prefix_is_counted_once():
    shape = {"params_b": 1.0, "hidden": 10, "vocab": 100, "layers": 2}
    body, p, c, r = 1e9 - 100 * 10, 3, 5, 4
    # One packed row: every token's layers once, the LM head on both answers, attention blocks
    # (prompt ‖ chosen)² and (prompt ‖ rejected)² with the prompt's own block once.
    packed = 6 * body * (p + c + r) + 6 * 100 * 10 * (c + r) + 12 * 2 * 10 * ((p + c) ** 2 + (p + r) ** 2 - p**2)
    assert model_flops(shape, p, c) + model_flops(shape, p, r) - shared_prefix_flops(shape, p) == pytest.approx(packed)


@pytest.mark.parametrize("name, billions", [("llama-3.2-3b", 3.21), ("llama-3.1-8b", 8.03)])
def test_the_shapes_are_the_paper_models_sizes(name, billions):
    from transformers import LlamaConfig, LlamaForCausalLM

    with torch.device("meta"):  # no memory: only the parameter count is read
        model = LlamaForCausalLM(LlamaConfig(**SHAPES[name]))
    assert sum(p.numel() for p in model.parameters()) / 1e9 == pytest.approx(billions, abs=0.01)
