"""Is everything a run needs in place? ``pdbench run --dry-run`` checks; ``pdbench prepare`` fetches.

One list of preconditions per configuration (``preconditions``), each checked cheaply before any compute:
the strategy; the extras the launch needs (DeepSpeed); every asset — dataset, SFT data, models, the paper's
test sets, AlpacaEval's reference answers and its official LC's ``df_gamed.csv`` — present locally, in the
Hugging Face cache or buildable here; chat templates present or configured; the judge's and AlpacaEval's key
variables and the judge's endpoint; the servers' executables; the devices and their memory against an
estimate. GPU clusters' compute nodes are often offline: ``pdbench prepare --preset paper`` on a machine with
internet fetches every asset that can be fetched into the caches the run reads, and the dry run names that
command next to each missing one.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

HUB_TIMEOUT_S = 10.0
"""How long one Hub metadata request may take."""
TRAINING_BYTES_PER_PARAM = 16
"""Mixed-precision AdamW: bf16 weights and gradients (2 + 2), fp32 master weights (4), Adam's two moments (8)."""
ACTIVATION_MARGIN = 1.25
"""Activations, buffers and fragmentation on top of the sharded states (an estimate, not a measurement)."""


@dataclass(frozen=True)
class Check:
    """One precondition of a run."""

    name: str
    """What was checked, e.g. ``judge endpoint``."""
    ready: bool
    """Whether it holds."""
    detail: str
    """What was found (never a secret's value)."""
    fetch: Callable[[], str] | None = None
    """How ``pdbench prepare`` makes it ready (downloads, builds); None when only the user can."""


def preconditions(config, strategy_paths: Iterable[str] = ()) -> list[Check]:
    """Every precondition of a run of ``config``, in pipeline order."""
    checks = [_strategy(config.strategy, strategy_paths), _extras(config)]
    checks += [_dataset("dataset", config.dataset, config.world_prompts)]
    if config.sft.dataset:
        checks.append(_dataset("SFT dataset", config.sft.dataset, config.world_prompts))
    for what, spec, needs_template in _models(config):
        checks.append(_model(what, spec))
        if needs_template:
            checks.append(_template(what, spec, config.chat_template))
    if config.eval_sets != "world":
        checks += _test_sets(config)
    if config.alpaca_eval:
        checks += _alpaca(config)
    checks += _judge(config)
    if config.decoding.server:
        checks.append(_server("generation server", config.decoding.server))
    return [*checks, _devices(config), *_memory(config)]


def blocking_problems(config) -> list[str]:
    """The preconditions a run checks itself before it computes anything (``pdbench run`` without ``--dry-run``):
    those it could not get past later — AlpacaEval's key, the servers' executables, the launch's extras, a local
    model without a chat template — all offline and instant; assets that are fetched on first use are not here."""
    checks = [_extras(config)]
    if config.alpaca_eval:
        checks += [c for c in _alpaca(config) if c.name == "AlpacaEval annotator key"]
    if config.decoding.server:
        checks.append(_server("generation server", config.decoding.server))
    for what, spec, needs_template in _models(config):
        if needs_template and _is_local(spec):
            checks.append(_template(what, spec, config.chat_template))
    return [f"{c.name}: {c.detail}" for c in checks if not c.ready]


def _is_local(spec: str) -> bool:
    from pdbench.infra.models import is_embedded

    return is_embedded(spec) or Path(spec).expanduser().is_dir()


def format_checks(checks: list[Check]) -> str:
    """One line per check: ``ready`` or ``NOT READY``, its name and what was found."""
    return "\n".join(f"  {'ready' if c.ready else 'NOT READY':<10} {c.name}: {c.detail}" for c in checks)


def dry_run(config, strategy_paths: Iterable[str] = ()) -> tuple[str, list[str]]:
    """What ``pdbench run --dry-run`` prints (the resolved configuration, the stages, each precondition) and the
    names of the preconditions that are not ready."""
    import yaml

    from pdbench.pipeline.progress import stage_names
    from pdbench.training.launch import accelerate_config_path

    plan = config.to_dict()
    plan["resolved"] = {
        "accelerate_config_file": accelerate_config_path(config.accelerate_config) if config.accelerate_config else None,
        "judge_api_key": f"${config.judge.api_key_env} (value not shown)" if config.judge.kind == "openai"
        and not config.judge.serve else None,
        "stages": stage_names(config),
    }
    checks = preconditions(config, strategy_paths)
    text = yaml.safe_dump(plan, sort_keys=False) + "preconditions:\n" + format_checks(checks)
    if any(not c.ready and c.fetch for c in checks):
        text += f"\n  (`pdbench prepare --preset {config.preset}` with the same options fetches what it can, on a " \
                "machine that reaches the Hugging Face Hub)"
    return text, [c.name for c in checks if not c.ready]


def prepare(config, echo: Callable[[str], None] = print) -> list[str]:
    """``pdbench prepare``: make every fetchable asset of ``config`` ready (downloads into the caches a run reads,
    builds the world's files); returns the names of the preconditions still not ready."""
    missing = []
    for check in preconditions(config):
        if not check.ready and check.fetch is not None:
            echo(f"  fetching   {check.name}: {check.detail}")
            try:
                check = Check(check.name, True, check.fetch())
            except Exception as error:  # a download that fails: say which, go on with the others
                check = Check(check.name, False, f"{type(error).__name__}: {str(error)[:200]}")
        echo(format_checks([check]))
        if not check.ready:
            missing.append(check.name)
    return missing


def _strategy(name: str, paths) -> Check:
    from pdbench.selection.registry import get_strategy

    try:
        info = get_strategy(name, paths)
    except (KeyError, ValueError) as error:
        return Check("strategy", False, str(error))
    return Check("strategy", True, f"{name} ({info.kind})")


def _extras(config) -> Check:
    """The packages the launch needs beyond the core install (DeepSpeed for a DeepSpeed accelerate config)."""
    from pdbench.training.launch import accelerate_config_path

    try:
        path = accelerate_config_path(config.accelerate_config)
    except FileNotFoundError as error:
        return Check("accelerate config", False, str(error))
    needs = ["deepspeed"] if path and _read_yaml(path).get("distributed_type") == "DEEPSPEED" else []
    needs += ["peft"] if config.train.use_lora else []
    missing = [name for name in needs if importlib.util.find_spec(name) is None]
    if missing:
        return Check("extras", False, f"{', '.join(missing)} not installed: pip install \"pdbench[gpu]\"")
    return Check("extras", True, ", ".join(needs) + " installed" if needs else "none needed")


def _dataset(what: str, spec: str, world_prompts: int) -> Check:
    from pdbench.data.loading import HUB_DATASETS
    from pdbench.world.export import export_file, parse_export

    if spec == "world" or spec.startswith("world:"):
        return Check(what, True, "the built-in world")
    if parse_export(spec):
        return Check(what, True, f"{spec} (the world exported, written on first use)",
                     fetch=lambda: str(export_file(spec, world_prompts)))
    if Path(spec).exists():
        return Check(what, Path(spec).is_file(), f"{spec} ({'a local file' if Path(spec).is_file() else 'a folder, not a file'})")
    repo = HUB_DATASETS.get(spec, spec)
    return _on_hub(what, repo, "dataset", fetch=lambda: _fetch_dataset(repo))


def _models(config) -> list[tuple[str, str, bool]]:
    """(what, spec, whether it needs a chat template) for every model the run loads."""
    models = [("policy", config.policy, True)]
    if config.baseline not in ("overall", "sft"):
        models.append(("baseline", config.baseline, False))
    models.append(("reward model", config.pd.lm_model, True) if config.pd.backend == "lm"
                  else ("sentence encoder", config.pd.encoder, False))
    if config.judge.serve:
        models.append(("judge model", config.judge.model, False))
    return models


def _model(what: str, spec: str) -> Check:
    from pdbench.infra.models import check_model_spec, is_embedded, resolve_model_path

    try:
        check_model_spec(spec, what)
    except (FileNotFoundError, ModuleNotFoundError) as error:
        return Check(what, False, str(error))
    if is_embedded(spec):
        return Check(what, True, f"{spec} (embedded in an installed package)", fetch=lambda: resolve_model_path(spec))
    if Path(spec).expanduser().exists():
        return Check(what, True, f"{spec} (a local model folder)")
    return _on_hub(what, spec, "model", fetch=lambda: _fetch_model(spec))


def _template(what: str, spec: str, setting: str | None) -> Check:
    """A configured template, or one the model's tokenizer files carry (locally or in the Hub cache)."""
    from pdbench.infra.chat_templates import ChatTemplateError, has_chat_template, resolve_template
    from pdbench.infra.models import EMBEDDED_WITHOUT_TEMPLATE, is_embedded

    name = f"chat template ({what})"
    if setting:
        try:
            resolve_template(setting)
        except ChatTemplateError as error:
            return Check(name, False, str(error))
        return Check(name, True, f"{setting} (configured)")
    if is_embedded(spec):  # known without converting it (a check must stay cheap)
        has_one = spec not in EMBEDDED_WITHOUT_TEMPLATE
    else:
        folder = spec if Path(spec).expanduser().is_dir() else _hub_snapshot(spec)
        if folder is None:
            return Check(name, False, f"{spec}: cannot tell offline (its tokenizer is not in the Hugging Face cache); "
                                      "set chat_template or fetch the model first")
        has_one = has_chat_template(Path(folder).expanduser())
    if has_one:
        return Check(name, True, f"{spec} has one")
    return Check(name, False, f"{spec} has none (a base checkpoint?): set chat_template (chatml, llama3 or a .jinja file)")


def _test_sets(config) -> list[Check]:
    from pdbench.eval.testsets import PAPER_SETS, load_test_set, locate

    names = list(PAPER_SETS) if config.eval_sets == "paper" else [n.strip() for n in config.eval_sets.split(",")]
    checks = []
    for name in names:
        spec = PAPER_SETS.get(name)
        if spec is None:
            checks.append(Check(f"test set {name}", False, f"unknown; known: {', '.join(PAPER_SETS)}"))
            continue
        found = locate(spec.file)
        checks.append(Check(f"test set {name}", found is not None,
                            f"{found}" if found else f"{spec.file} not in $PDBENCH_EVAL_DIR or the cache",
                            fetch=lambda name=name: f"{len(load_test_set(name))} prompts"))
    return checks


def _alpaca(config) -> list[Check]:
    from pdbench.infra.quiet import known_warnings_silenced
    from pdbench.eval.testsets import ALPACA_REFERENCE_FILE, alpaca_reference_path, locate

    checks = []
    alpaca = config.alpaca
    if alpaca.is_named:
        has_key = bool(os.environ.get(alpaca.api_key_env))
        checks.append(Check("AlpacaEval annotator key", has_key,
                            f"${alpaca.api_key_env} is {'set' if has_key else 'not set'} ({alpaca.annotator})"))
    if config.eval_sets == "world":
        return checks
    found = Path(alpaca.reference_file) if alpaca.reference_file else locate(ALPACA_REFERENCE_FILE)
    checks.append(Check("AlpacaEval reference answers", bool(found and found.is_file()),
                        str(found) if found and found.is_file() else f"{ALPACA_REFERENCE_FILE} not found",
                        fetch=lambda: str(alpaca_reference_path(alpaca.reference_file))))
    from pdbench.eval.alpaca import df_gamed_path

    with known_warnings_silenced():  # alpaca_eval's import warns about pkg_resources
        gamed = df_gamed_path()
    checks.append(Check("AlpacaEval official LC (df_gamed.csv)", gamed is not None,
                        gamed or "not in alpaca_eval's cache: the run would report the minimal LC instead",
                        fetch=_fetch_df_gamed))
    return checks


def _judge(config) -> list[Check]:
    judge = config.judge
    if judge.kind == "rubric":
        return [Check("judge", True, f"{judge.name} (in process, nothing to reach)")]
    if judge.serve:
        return [_server("judge server", judge.serve)]
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


def _server(what: str, setting: str) -> Check:
    from pdbench.eval.serving import server_command, server_problem

    problem = server_problem(setting)
    return Check(what, problem is None, problem or f"{server_command(setting, '{model}', 0)[0]} ({setting})")


def _devices(config) -> Check:
    import torch

    present = torch.cuda.device_count()
    if config.num_processes <= 1:
        return Check("devices", True, f"1 training process ({present} GPU(s) present)")
    if present == 0:
        return Check("devices", True, f"{config.num_processes} CPU processes (no GPU: torch.distributed over gloo)")
    return Check("devices", present >= config.num_processes, f"{config.num_processes} GPU(s) needed, {present} present")


def _memory(config) -> list[Check]:
    """Training memory of the policy and the reward model against the devices', from their configs' sizes: an
    estimate (16 bytes a parameter, sharded over the processes under ZeRO-3, plus a quarter), not a measurement."""
    import torch

    checks = []
    sharded = "zero3" in (config.accelerate_config or "") or "fsdp" in (config.accelerate_config or "")
    for what, spec in [("policy", config.policy)] + ([("reward model", config.pd.lm_model)] if config.pd.backend == "lm" else []):
        params = _parameters(spec)
        if params is None:
            continue
        need = params * TRAINING_BYTES_PER_PARAM * ACTIVATION_MARGIN / (config.num_processes if sharded else 1)
        if torch.cuda.is_available():
            have = min(torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count()))
            where = "per GPU"
        else:
            import psutil

            need *= config.num_processes if sharded else 1  # every CPU process shares this machine's memory
            have, where = psutil.virtual_memory().total, "of this machine's memory"
        checks.append(Check(f"memory ({what})", need <= have, f"about {need / 2**30:.1f} GiB needed {where} to train "
                            f"{params / 1e9:.2f} B parameters, {have / 2**30:.1f} GiB there (an estimate)"))
    return checks


def _parameters(spec: str) -> int | None:
    """A causal LM's parameter count from its config.json (local, embedded or in the Hub cache), else None."""
    from pdbench.infra.models import is_embedded, resolve_model_path

    folder = resolve_model_path(spec) if is_embedded(spec) else spec if Path(spec).is_dir() else _hub_snapshot(spec)
    config_file = Path(folder) / "config.json" if folder else None
    if config_file is None or not config_file.is_file():
        return None
    c = json.loads(config_file.read_text())
    try:
        hidden, layers, vocab = c["hidden_size"], c["num_hidden_layers"], c["vocab_size"]
    except KeyError:
        return None
    heads = c.get("num_attention_heads", 1)
    kv = c.get("num_key_value_heads", heads) * c.get("head_dim", hidden // heads)
    per_layer = 2 * hidden * hidden + 2 * hidden * kv + 3 * hidden * c.get("intermediate_size", 4 * hidden)
    return layers * per_layer + vocab * hidden * (1 if c.get("tie_word_embeddings") else 2)


def _on_hub(what: str, repo: str, kind: str, fetch: Callable[[], str]) -> Check:
    """In the local Hugging Face cache, or known to the Hub (one metadata request)."""
    from huggingface_hub import HfApi, try_to_load_from_cache

    cached = try_to_load_from_cache(repo, "config.json" if kind == "model" else "README.md", repo_type=kind)
    if isinstance(cached, str):
        return Check(what, True, f"{repo} (in the local Hugging Face cache)", fetch=fetch)
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return Check(what, False, f"{repo}: not in the local Hugging Face cache, and HF_HUB_OFFLINE=1", fetch=fetch)
    api = HfApi()
    try:
        (api.model_info if kind == "model" else api.dataset_info)(repo, timeout=HUB_TIMEOUT_S)
    except Exception as error:  # offline, unknown repo, gated without a token: all mean "not ready"
        return Check(what, False, f"{repo}: not in the local Hugging Face cache and the Hub did not confirm it "
                                  f"({type(error).__name__}); download it or pass a local path", fetch=fetch)
    return Check(what, True, f"{repo} (on the Hugging Face Hub; downloaded on first use)", fetch=fetch)


def _hub_snapshot(repo: str) -> str | None:
    """The local snapshot folder of a Hub model, if its config is in the Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(repo, "config.json")
    return str(Path(cached).parent) if isinstance(cached, str) else None


def _fetch_dataset(repo: str) -> str:
    import datasets

    data = datasets.load_dataset(repo, split="train")  # what the run loads, into the cache it reads
    return f"{repo}: {len(data):,} rows in the Hugging Face cache"


def _fetch_model(repo: str) -> str:
    from huggingface_hub import snapshot_download

    return f"{repo}: {snapshot_download(repo)}"


def _fetch_df_gamed() -> str:
    from alpaca_eval import constants
    from huggingface_hub import hf_hub_download

    return hf_hub_download("tatsu-lab/alpaca_eval", "df_gamed.csv", repo_type="dataset",
                           cache_dir=constants.DEFAULT_CACHE_DIR)


def _read_yaml(path: str) -> dict:
    import yaml

    return yaml.safe_load(Path(path).read_text()) or {}
