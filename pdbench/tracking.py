"""MLflow tracking: the one module that imports mlflow.

Runs carry tags (strategy, conflict, budget, seed, preset, dataset, judge, package versions,
git SHA) so the MLflow UI and ``pdbench leaderboard`` can group them. The tracking URI is
MLflow's own default (``sqlite:///mlflow.db`` in the working directory for MLflow >= 3.7) unless
``MLFLOW_TRACKING_URI`` says otherwise. API keys are never logged: only the *name* of the
environment variable that holds one is a parameter.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import mlflow

EXPERIMENT = "pdbench"
TRACKED_PACKAGES = ("pdbench", "torch", "transformers", "trl", "accelerate", "mlflow", "alpaca-eval")


def flatten(values: Mapping, prefix: str = "") -> dict[str, object]:
    """{"train": {"beta": 0.1}} -> {"train.beta": 0.1}."""
    flat = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape a result."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def git_sha() -> str:
    """The commit of the pdbench checkout, or "unknown" outside a git checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def log_run(
    run_name: str, params: Mapping, metrics: Mapping[str, float], tags: Mapping[str, str],
    artifacts: Mapping[str, Path], experiment: str = EXPERIMENT, parent_run_id: str | None = None,
    system_metrics: list[dict] = (),
) -> str:
    """Log one finished run; returns its run id. ``artifacts`` maps artifact folder -> local file or folder;
    ``system_metrics`` are samples taken during training (``t`` in seconds + ``system/...`` values)."""
    if not os.environ.get("MLFLOW_RUN_ID"):
        # Under `mlflow run` the run (and its experiment) already exist: log into that one.
        mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=run_name, nested=parent_run_id is not None, parent_run_id=parent_run_id,
                          log_system_metrics=False) as run:
        mlflow.log_params({k: _param(v) for k, v in flatten(params).items()})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None and v == v})
        for step, reading in enumerate(system_metrics):
            mlflow.log_metrics({k: float(v) for k, v in reading.items() if k != "t"}, step=step)
        mlflow.set_tags({**{f"pkg.{k}": v for k, v in package_versions().items()}, "git_sha": git_sha(), **tags})
        for folder, path in artifacts.items():
            path = Path(path)
            if path.is_dir():
                mlflow.log_artifacts(str(path), artifact_path=folder)
            elif path.exists():
                mlflow.log_artifact(str(path), artifact_path=folder)
        return run.info.run_id


def tracking_uri() -> str:
    """Where runs go (for printing)."""
    return mlflow.get_tracking_uri()


def _param(value) -> str:
    text = "None" if value is None else str(value)
    return text[:6000]  # MLflow's param value limit


def start_parent_run(run_name: str, params: Mapping, tags: Mapping[str, str], experiment: str = EXPERIMENT,
                     run_id: str | None = None) -> str:
    """Create (or reopen, given ``run_id``) a sweep's parent run; returns its id. The run is left open-ended."""
    if run_id is None:
        mlflow.set_experiment(experiment)
    with mlflow.start_run(run_id=run_id, run_name=None if run_id else run_name) as run:
        if run_id is None:
            mlflow.log_params({k: _param(v) for k, v in flatten(params).items()})
            mlflow.set_tags({**tags, "pdbench.kind": "sweep", "git_sha": git_sha()})
        return run.info.run_id


def log_parent_artifacts(run_id: str, paths: list[Path]) -> None:
    """Attach leaderboard files to a sweep's parent run."""
    with mlflow.start_run(run_id=run_id):
        for path in paths:
            mlflow.log_artifact(str(path), artifact_path="leaderboard")


def search_cell_runs(experiment: str = EXPERIMENT, parent_run_id: str | None = None):
    """Finished single-cell runs (not sweep parents) of an experiment as a pandas DataFrame."""
    filters = ["tags.strategy != ''"]
    if parent_run_id:
        filters.append(f"tags.mlflow.parentRunId = '{parent_run_id}'")
    runs = mlflow.search_runs(experiment_names=[experiment], filter_string=" and ".join(filters),
                              output_format="pandas")
    return runs
