"""benchmarks/paper_scale_dpo.py: the model-FLOPs count its MFU rests on, and the shapes it builds."""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from paper_scale_dpo import SHAPES, model_flops  # noqa: E402


def test_model_flops_counts_body_head_on_completions_and_attention():
    shape = {"params_b": 1.0, "hidden": 10, "vocab": 100, "layers": 2}
    body = 1e9 - 100 * 10
    expected = 6 * body * 8 + 6 * 100 * 10 * 5 + 12 * 2 * 10 * 8**2
    assert model_flops(shape, prompt=3, completion=5) == pytest.approx(expected)
    # Prompt tokens skip the LM head: moving a token from completion to prompt saves its 6·V·d.
    assert model_flops(shape, 4, 4) == pytest.approx(expected - 6 * 100 * 10)


@pytest.mark.parametrize("name, billions", [("llama-3.2-3b", 3.21), ("llama-3.1-8b", 8.03)])
def test_the_shapes_are_the_paper_models_sizes(name, billions):
    from transformers import LlamaConfig, LlamaForCausalLM

    with torch.device("meta"):  # no memory: only the parameter count is read
        model = LlamaForCausalLM(LlamaConfig(**SHAPES[name]))
    assert sum(p.numel() for p in model.parameters()) / 1e9 == pytest.approx(billions, abs=0.01)
