"""Every shipped config loads: mlproject/*.yaml as RunConfigs, MLproject's entry points, accelerate configs."""

from pathlib import Path

import pytest
import yaml

from pdbench.training.launch import CONFIG_DIR
from pdbench.pipeline.config import resolve_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", sorted((ROOT / "mlproject").glob("*.yaml")), ids=lambda p: p.name)  # not gpu/
def test_mlproject_configs_resolve(path):
    if path.name == "python_env.yaml":
        assert "dependencies" in yaml.safe_load(path.read_text())
        return
    text = path.read_text()
    assert text.startswith("# Purpose:") and "# Command:" in text and "# Cost:" in text
    data = yaml.safe_load(text)
    config = resolve_config(data.pop("preset", "tiny"), path)
    assert config.strategy  # a complete RunConfig


@pytest.mark.parametrize("project", [ROOT, ROOT / "mlproject" / "gpu"], ids=["cpu", "gpu"])
def test_mlproject_entry_points_call_the_cli(project):
    from mlflow.projects._project_spec import load_project

    spec = load_project(str(project))  # MLflow's own reading of the project, environment included
    assert {"main", "sweep"} <= set(spec._entry_points)
    for entry in yaml.safe_load((project / "MLproject").read_text())["entry_points"].values():
        assert entry["command"].startswith("pdbench ")
        for name in entry.get("parameters", {}):
            assert "{" + name + "}" in entry["command"]
    assert spec.env_type == "python_env" and Path(spec.env_config_path).is_file()


def test_the_gpu_project_installs_cuda_torch_and_deepspeed_from_this_repository():
    """`mlflow run mlproject/gpu`: PyPI's torch (CUDA on Linux), not the CPU pin, and pdbench[gpu] from the root."""
    project = ROOT / "mlproject" / "gpu"
    dependencies = yaml.safe_load((project / "python_env.yaml").read_text())["dependencies"]
    assert not any("+cpu" in d or "whl/cpu" in d for d in dependencies)
    assert any(d.startswith("torch") for d in dependencies) and "./pdbench[gpu]" in dependencies
    assert (project / "pdbench" / "pyproject.toml").resolve() == (ROOT / "pyproject.toml").resolve()
    root_deps = yaml.safe_load((ROOT / "mlproject" / "python_env.yaml").read_text())["dependencies"]
    assert "torch==2.13.0+cpu" in root_deps  # the root project stays the CPU one
    extras = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("deepspeed") for d in extras["gpu"])


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_accelerate_configs_parse(path):
    data = yaml.safe_load(path.read_text())
    assert data["distributed_type"] in {"MULTI_GPU", "DEEPSPEED", "FSDP"} and data["num_processes"] >= 2
