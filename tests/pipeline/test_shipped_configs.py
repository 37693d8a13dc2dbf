"""Every shipped config loads: mlproject/*.yaml as RunConfigs, MLproject's entry points, accelerate configs."""

from pathlib import Path

import pytest
import yaml

from pdbench.training.launch import CONFIG_DIR
from pdbench.pipeline.config import resolve_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", sorted((ROOT / "mlproject").glob("*.yaml")), ids=lambda p: p.name)
def test_mlproject_configs_resolve(path):
    if path.name == "python_env.yaml":
        assert "dependencies" in yaml.safe_load(path.read_text())
        return
    text = path.read_text()
    assert text.startswith("# Purpose:") and "# Command:" in text and "# Cost:" in text
    data = yaml.safe_load(text)
    config = resolve_config(data.pop("preset", "tiny"), path)
    assert config.strategy  # a complete RunConfig


def test_mlproject_entry_points_call_the_cli():
    spec = yaml.safe_load((ROOT / "MLproject").read_text())
    assert set(spec["entry_points"]) == {"main", "sweep", "leaderboard"}
    for entry in spec["entry_points"].values():
        assert entry["command"].startswith("pdbench ")
        for name in entry.get("parameters", {}):
            assert "{" + name + "}" in entry["command"]


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_accelerate_configs_parse(path):
    data = yaml.safe_load(path.read_text())
    assert data["distributed_type"] in {"MULTI_GPU", "DEEPSPEED", "FSDP"} and data["num_processes"] >= 2
