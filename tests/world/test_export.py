"""The world as UltraFeedback and OpenHermes-2.5 files, read back by the UltraFeedback loader and the SFT stage."""

import json

import pytest

from pdbench.data.loading import load_records
from pdbench.world.export import export_file, parse_export


def test_the_ultrafeedback_export_reads_back_like_the_world(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))
    path = export_file("world@ultrafeedback", world_prompts=30)
    first = json.loads(path.read_text().splitlines()[0])
    assert {"instruction", "completions", "models", "source"} <= set(first) and "world_spec" not in first
    exported = load_records("world@ultrafeedback", world_prompts=30)
    direct = load_records("world", world_prompts=30)
    assert [r.prompt for r in exported] == [r.prompt for r in direct]
    assert export_file("world@ultrafeedback", world_prompts=30) == path  # written once


def test_the_openhermes_export_is_sharegpt_conversations(tmp_path, monkeypatch):
    from pdbench.training.sft import to_messages

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))
    row = json.loads(export_file("world@openhermes").read_text().splitlines()[0])
    assert [turn["from"] for turn in row["conversations"]] == ["human", "gpt"]
    assert to_messages(row)[1]["role"] == "assistant"


def test_export_specs():
    assert parse_export("world:decoupled@ultrafeedback") == ("world:decoupled", "ultrafeedback")
    assert parse_export("world") is None and parse_export("me@host.jsonl") is None
    with pytest.raises(ValueError, match="exports as ultrafeedback or openhermes"):
        parse_export("world@alpaca")
