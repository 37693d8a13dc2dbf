"""``pdbench run --dry-run``: is everything the run needs in place? One line per precondition.

Checked cheaply, before any compute: the strategy, the judge (its key variable, one request to its
endpoint), the dataset and every model (local path, embedded package, local Hugging Face cache,
else one metadata request to the Hub) and the devices training needs against those present.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HUB_TIMEOUT_S = 10.0
"""How long one Hub metadata request may take."""


@dataclass(frozen=True)
class Check:
    """One precondition of a run."""

    name: str
    """What was checked, e.g. ``judge endpoint``."""
    ready: bool
    """Whether it holds."""
    detail: str
    """What was found (never a secret's value)."""


def preflight(config, strategy_paths: Iterable[str] = ()) -> list[Check]:
    """Every precondition of a run of ``config``, in pipeline order."""
    models = [("policy", config.policy)]
    if config.baseline not in ("overall", "sft"):
        models.append(("baseline", config.baseline))
    models.append(("reward model", config.pd.lm_model if config.pd.backend == "lm" else config.pd.encoder))
    data = [("dataset", config.dataset)] + ([("SFT dataset", config.sft.dataset)] if config.sft.dataset else [])
    return [_strategy(config.strategy, strategy_paths), *_judge(config),
            *(_dataset(what, spec) for what, spec in data), *(_model(what, spec) for what, spec in models),
            _devices(config)]


def format_checks(checks: list[Check]) -> str:
    """One line per check: ``ready`` or ``NOT READY``, its name and what was found."""
    return "\n".join(f"  {'ready' if c.ready else 'NOT READY':<10} {c.name}: {c.detail}" for c in checks)


def dry_run(config, strategy_paths: Iterable[str] = ()) -> tuple[str, list[str]]:
    """What ``pdbench run --dry-run`` prints (the resolved configuration, the stages, each precondition) and the
    names of the preconditions that are not ready."""
    import yaml

    from pdbench.pipeline.runner import stage_names
    from pdbench.training.launch import accelerate_config_path

    plan = config.to_dict()
    plan["resolved"] = {
        "accelerate_config_file": accelerate_config_path(config.accelerate_config) if config.accelerate_config else None,
        "judge_api_key": f"${config.judge.api_key_env} (value not shown)" if config.judge.kind == "openai" else None,
        "stages": stage_names(config),
    }
    checks = preflight(config, strategy_paths)
    text = yaml.safe_dump(plan, sort_keys=False) + "preconditions:\n" + format_checks(checks)
    return text, [c.name for c in checks if not c.ready]


def _strategy(name: str, paths) -> Check:
    from pdbench.selection.registry import get_strategy

    try:
        info = get_strategy(name, paths)
    except (KeyError, ValueError) as error:
        return Check("strategy", False, str(error))
    return Check("strategy", True, f"{name} ({info.kind})")


def _judge(config) -> list[Check]:
    judge = config.judge
    if judge.kind == "rubric":
        return [Check("judge", True, f"{judge.name} (in process, nothing to reach)")]
    from pdbench.eval.judges.openai_judge import OPENAI_BASE_URL, JudgeConfigError, is_local
    from pdbench.eval.setup import build_judge

    url = judge.base_url or OPENAI_BASE_URL
    is_on_this_machine = is_local(judge.base_url)
    has_key = bool(os.environ.get(judge.api_key_env))
    checks = [Check("judge key", has_key or is_on_this_machine,
                    f"${judge.api_key_env} is {'set' if has_key else 'not set'}"
                    + (" (a local endpoint needs none)" if is_on_this_machine and not has_key else ""))]
    try:
        build_judge(judge, config.evaluation).check()
    except JudgeConfigError as error:
        checks.append(Check("judge endpoint", False, str(error)))
    else:
        checks.append(Check("judge endpoint", True, f"{url} answered"))
    return checks


def _dataset(what: str, spec: str) -> Check:
    from pdbench.data.loading import HUB_DATASETS

    if spec == "world":
        return Check(what, True, "the built-in world")
    if Path(spec).exists():
        return Check(what, Path(spec).is_file(), f"{spec} ({'a local file' if Path(spec).is_file() else 'a folder, not a file'})")
    return _on_hub(what, HUB_DATASETS.get(spec, spec), "dataset")


def _model(what: str, spec: str) -> Check:
    from pdbench.infra.models import check_model_spec, is_embedded

    try:
        check_model_spec(spec, what)
    except (FileNotFoundError, ModuleNotFoundError) as error:
        return Check(what, False, str(error))
    if is_embedded(spec):
        return Check(what, True, f"{spec} (embedded in an installed package)")
    if Path(spec).expanduser().exists():
        return Check(what, True, f"{spec} (a local model folder)")
    return _on_hub(what, spec, "model")


def _on_hub(what: str, repo: str, kind: str) -> Check:
    """In the local Hugging Face cache, or known to the Hub (one metadata request)."""
    from huggingface_hub import HfApi, try_to_load_from_cache

    cached = try_to_load_from_cache(repo, "config.json" if kind == "model" else "README.md", repo_type=kind)
    if isinstance(cached, str):
        return Check(what, True, f"{repo} (in the local Hugging Face cache)")
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return Check(what, False, f"{repo}: not in the local Hugging Face cache, and HF_HUB_OFFLINE=1")
    api = HfApi()
    try:
        (api.model_info if kind == "model" else api.dataset_info)(repo, timeout=HUB_TIMEOUT_S)
    except Exception as error:  # offline, unknown repo, gated without a token: all mean "not ready"
        return Check(what, False, f"{repo}: not in the local Hugging Face cache and the Hub did not confirm it "
                                  f"({type(error).__name__}); download it or pass a local path")
    return Check(what, True, f"{repo} (on the Hugging Face Hub; downloaded on first use)")


def _devices(config) -> Check:
    import torch

    from pdbench.training.launch import accelerate_config_path

    present = torch.cuda.device_count()
    if config.num_processes <= 1:
        return Check("devices", True, f"1 training process ({present} GPU(s) present)")
    try:
        path = accelerate_config_path(config.accelerate_config)
    except FileNotFoundError as error:
        return Check("devices", False, str(error))
    accelerate = _read_yaml(path) if path else {}
    if accelerate.get("use_cpu"):
        return Check("devices", True, f"{config.num_processes} CPU processes ({path})")
    needed = max(config.num_processes, int(accelerate.get("num_processes") or 0))
    source = f" ({Path(path).name} asks for {accelerate['num_processes']})" if accelerate.get("num_processes") else ""
    return Check("devices", present >= needed, f"{needed} GPU(s) needed{source}, {present} present")


def _read_yaml(path: str) -> dict:
    import yaml

    return yaml.safe_load(Path(path).read_text()) or {}
