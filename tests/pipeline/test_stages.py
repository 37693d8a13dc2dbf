"""The cached stages: a local dataset file's pairs follow its content; the initial policy says when it was converted."""

import json

import pytest

from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.stages import initial_policy_stage, pairs_stage
from tests.data.conftest import random_uf_records


@pytest.fixture(autouse=True)
def scratch_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))


def test_an_edited_dataset_file_gets_new_pairs_and_the_stage_says_why(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in random_uf_records(60)))
    config = resolve_config("smoke", dataset=str(path), conflict=0.2)
    first, record = pairs_stage(config)
    assert not record["cached"] and "note" not in record
    assert pairs_stage(config)[1]["cached"]  # the same content: reused
    path.write_text(path.read_text().replace("resp 0-0", "resp 0-0 edited"))
    edited, record = pairs_stage(config)
    assert not record["cached"] and record["note"] == f"the content of {path} changed since its pairs were last built"
    assert edited["chosen"].str.contains("edited").any() and not first["chosen"].str.contains("edited").any()
    assert pairs_stage(config)[1]["cached"]


def test_the_initial_policy_is_computed_when_the_embedded_model_is_converted(monkeypatch, tmp_path):
    from pdbench.infra import models

    conversions = []

    def fake_conversion(gguf_path, target):
        conversions.append(target)
        target.mkdir(parents=True)
        (target / models._MARKER).write_text("{}")
        (target / "chat_template.jinja").write_text("{{ messages }}")  # the real conversion keeps SmolLM2's

    monkeypatch.setattr(models, "_package_dir", lambda alias: tmp_path)
    monkeypatch.setattr(models, "_convert_gguf", fake_conversion)
    config = resolve_config("smoke")
    _, record = initial_policy_stage(config)
    assert not record["cached"] and len(conversions) == 1  # it used to say "reused from cache"
    _, record = initial_policy_stage(config)
    assert record["cached"] and len(conversions) == 1
