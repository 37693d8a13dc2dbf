"""Chat templates for template-less checkpoints: applied once into a model folder, the same way for every stage."""

import json
from pathlib import Path

import pytest

from pdbench.infra.chat_templates import CHAT_TEMPLATES, ChatTemplateError, has_chat_template, own_template, resolve_template
from pdbench.infra.models import templated_model


@pytest.fixture()
def base_folder(tiny_base_path):
    return Path(tiny_base_path)


def test_a_base_checkpoint_without_a_setting_fails_with_one_line(base_folder):
    assert not has_chat_template(base_folder)
    with pytest.raises(ChatTemplateError, match="has no chat template .* set chat_template to one of chatml, llama3"):
        templated_model(str(base_folder), None, "policy")


def test_the_configured_template_is_carried_by_the_folder_and_ends_generation(base_folder, tmp_path, monkeypatch):
    from transformers import AutoTokenizer

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    folder = templated_model(str(base_folder), "chatml", "policy")
    assert own_template(folder) == CHAT_TEMPLATES["chatml"].jinja
    tokenizer = AutoTokenizer.from_pretrained(folder)
    text = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert end in json.loads((tmp_path / folder / "generation_config.json").read_text())["eos_token_id"]
    assert templated_model(str(base_folder), "chatml") == folder  # cached: built once
    assert templated_model(folder, "chatml") == folder  # a folder that already carries it is used as it is


def test_a_template_whose_end_token_the_tokenizer_lacks_is_refused(base_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ChatTemplateError, match="no <\\|eot_id\\|> token"):
        templated_model(str(base_folder), "llama3", "reward model")  # SmolLM2's tokenizer has no Llama 3 tokens


def test_settings_resolve_to_known_templates_or_files(tmp_path):
    assert resolve_template("llama3").end_of_turn == "<|eot_id|>"
    custom = tmp_path / "t.jinja"
    custom.write_text("{{ messages[0]['content'] }}")
    assert resolve_template(str(custom)).jinja == "{{ messages[0]['content'] }}"
    with pytest.raises(ChatTemplateError, match="not a known template"):
        resolve_template("alpaca")
