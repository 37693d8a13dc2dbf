"""Shared fixtures: a tiny random Llama that uses the embedded SmolLM2 tokenizer (real code, small size)."""

import pytest


@pytest.fixture(scope="session")
def smollm2_path():
    """The converted embedded SmolLM2 folder (converted once per machine into the user cache)."""
    pytest.importorskip("gguf")
    from pdbench.infra.models import resolve_model_path

    try:
        return resolve_model_path("smollm2-135m-instruct")
    except ModuleNotFoundError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def tiny_llama_path(tmp_path_factory, smollm2_path):
    """A 2-layer, 64-wide random LlamaForCausalLM with SmolLM2's tokenizer and chat template."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(smollm2_path)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-llama")
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="session")
def tiny_base_path(tmp_path_factory, tiny_llama_path):
    """The tiny Llama saved without a chat template: a base checkpoint, as the paper's Llamas are."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tmp_path_factory.mktemp("tiny-base")
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama_path)
    tokenizer.chat_template = None
    tokenizer.save_pretrained(folder)
    AutoModelForCausalLM.from_pretrained(tiny_llama_path).save_pretrained(folder)
    return str(folder)
