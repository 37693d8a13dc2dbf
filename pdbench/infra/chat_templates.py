"""Chat templates for checkpoints that have none (the paper's base Llamas), applied once, the same way everywhere.

SFT, reward-model training, DPO and generation (in process or by a server that pdbench starts) all
read the template from the model folder's tokenizer, so pdbench never patches a tokenizer in memory:
``pdbench.infra.models.templated_model`` gives a folder whose tokenizer carries the template (the model's own, or the one
configured). When one is configured and the folder lacks it, that is a cached folder of symbolic links
to the model's files with the tokenizer saved again with the template, and the template's end-of-turn
token added to ``generation_config.json``'s end tokens, so generation stops where a turn ends. The SFT
stage saves its tokenizer, template included, with its checkpoint.

Named templates: ``chatml`` (``<|im_start|>role ... <|im_end|>``, the format of OpenHermes-2.5 and of
SmolLM2) and ``llama3`` (Meta's Llama 3 turn format, whose special tokens every Llama 3 tokenizer has,
base checkpoints included). Or a path to a ``.jinja`` file (its turns should end with the tokenizer's
end-of-sequence token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ChatTemplate:
    """A named chat template."""

    jinja: str
    """The template (Jinja, as transformers' ``apply_chat_template`` reads it)."""
    end_of_turn: str | None
    """The special token that closes an assistant turn (a stop token for generation); None = the tokenizer's EOS."""


CHAT_TEMPLATES: dict[str, ChatTemplate] = {
    "chatml": ChatTemplate(
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
        "<|im_end|>",
    ),
    "llama3": ChatTemplate(
        "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
        " + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
        "<|eot_id|>",
    ),
}
"""Templates known by name (``chat_template: chatml`` ...)."""


class ChatTemplateError(ValueError):
    """A model without a chat template and none configured, or a template its tokenizer cannot carry."""


def resolve_template(setting: str) -> ChatTemplate:
    """The template a ``chat_template`` setting names: a known name or a ``.jinja`` file."""
    if setting in CHAT_TEMPLATES:
        return CHAT_TEMPLATES[setting]
    path = Path(setting).expanduser()
    if path.is_file():
        return ChatTemplate(path.read_text(encoding="utf-8"), None)
    raise ChatTemplateError(f"chat_template {setting!r}: not a known template ({', '.join(CHAT_TEMPLATES)}) "
                            "and no such .jinja file")


def has_chat_template(model_dir: str | Path) -> bool:
    """Whether a local model folder's tokenizer carries a chat template (read from its files, nothing loaded)."""
    return bool(own_template(model_dir))


def own_template(model_dir: str | Path) -> str | None:
    """The chat template a local model folder's tokenizer files carry, if any."""
    folder = Path(model_dir)
    if (folder / "chat_template.jinja").is_file():
        return (folder / "chat_template.jinja").read_text(encoding="utf-8")
    if (folder / "chat_template.json").is_file():
        return json.loads((folder / "chat_template.json").read_text(encoding="utf-8")).get("chat_template")
    config = folder / "tokenizer_config.json"
    return json.loads(config.read_text(encoding="utf-8")).get("chat_template") if config.is_file() else None

