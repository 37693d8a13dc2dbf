"""The ``pdbench`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pdbench import __version__
from pdbench.data.schema import DataError
from pdbench.selection.registry import UnknownStrategyError


DATASETS = "world | world:VARIANT | ultrafeedback | helpsteer2 | PATH"
"""What --dataset accepts (world variants: ``pdbench data variants``)."""


class _CleanErrors(click.Group):
    """Show data and configuration errors as one clear line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (DataError, ValueError, FileNotFoundError, UnknownStrategyError) as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_CleanErrors, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pdbench")
def main():
    """pdbench: benchmark preference-data selection for LLM alignment (PD selection and baselines).

    \b
    Examples:
      pdbench run --strategy ours --conflict 0.3 --budget 0.3
      pdbench run --strategy rand --preset smoke
      pdbench run --preset paper --strategy ours --dry-run
      pdbench select --strategy ours --budget 0.3 --out runs/ours
      pdbench data build --dataset world --conflict 0.3 --out runs/world-c30
      pdbench strategies list
    """


@main.group()
def data():
    """Build and inspect aspect-labelled preference pairs."""


def _parse_weights(_ctx, _param, value: str | None):
    if not value:
        return None
    try:
        return {name.strip(): float(weight) for name, weight in (item.split("=") for item in value.split(","))}
    except ValueError:
        raise click.BadParameter("expected ASPECT=WEIGHT[,ASPECT=WEIGHT...], e.g. honesty=2,helpfulness=1") from None


@data.command("build")
@click.option("--dataset", default="world", show_default=True,
              help="world | world:VARIANT (see `pdbench data variants`) | ultrafeedback | helpsteer2 | "
                   "PATH to a JSON/JSONL/parquet file (format detected).")
@click.option("--conflict", type=float, default=0.3, show_default=True,
              help="Target share of pairs whose aspect label disagrees with the mean fine-grained score.")
@click.option("--natural", is_flag=True, help="No conflict control: draw each pair's aspect at random.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of pairing and aspect assignment.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True)
@click.option("--aspect-weights", callback=_parse_weights, help="Aspect sampling weights, e.g. honesty=2,truthfulness=1.")
@click.option("--world-prompts", type=int, default=1000, show_default=True, help="Training prompts of the world.")
def data_build(dataset, conflict, natural, seed, out, fmt, aspect_weights, world_prompts):
    """Pair completions, label each pair with one aspect at a controlled conflict level, write the result.

    Writes OUT/pairs.jsonl (or .parquet), OUT/stats.json and OUT/conflict_breakdown.png; for world
    data also OUT/pair_diagnostics.png (what conflicting and consistent pairs teach, by the gold rubric).

    \b
    Examples:
      pdbench data build --dataset world --conflict 0.1 --out runs/world-c10
      pdbench data build --dataset world:positive_control --out runs/pc-c30
      pdbench data build --dataset ultrafeedback --conflict 0.3 --seed 1 --out runs/uf-c30
      pdbench data build --dataset my_ratings.jsonl --natural --out runs/mine
    """
    from pdbench.data.build import build_dataset
    from pdbench.data.stats import format_summary

    _, stats = build_dataset(
        dataset, None if natural else conflict, out, seed=seed, fmt=fmt,
        aspect_weights=aspect_weights, world_prompts=world_prompts,
    )
    click.echo(format_summary(stats))
    plots = ", ".join(str(out / name) for name in ("conflict_breakdown.png", "pair_diagnostics.png") if (out / name).exists())
    click.echo(f"wrote {out}/pairs.{fmt}, {out}/stats.json, {plots}")


@data.command("stats")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def data_stats(path, as_json):
    """Print the statistics of a built dataset (a folder from `data build` or a pairs file).

    \b
    Example:
      pdbench data stats runs/world-c30
    """
    from pdbench.data.build import read_pairs
    from pdbench.data.stats import format_summary, pair_stats

    stats = pair_stats(read_pairs(path))
    click.echo(json.dumps(stats, indent=2) if as_json else format_summary(stats))


@data.command("variants")
def data_variants():
    """List the world's variants (``--dataset world:NAME``), each with its version and purpose.

    \b
    Example:
      pdbench data variants
      pdbench data build --dataset world:no_length_bias --out runs/nolen-c30
    """
    import textwrap

    from pdbench.world.variants import VARIANTS

    for variant in VARIANTS.values():
        name = "world" if variant.name == "default" else f"world:{variant.name}"
        click.echo(f"{name}  (v{variant.version})")
        click.echo(textwrap.indent(textwrap.fill(variant.purpose, 96), "    "))


@main.group("strategies")
def strategies_group():
    """Inspect the strategy registry."""


@strategies_group.command("list")
@click.option("--strategy-path", multiple=True, type=click.Path(file_okay=False),
              help="Extra folder of strategy files (repeatable; also $PDBENCH_STRATEGY_PATH).")
def strategies_list(strategy_path):
    """List every registered strategy: name, kind and what it does.

    \b
    Examples:
      pdbench strategies list
      pdbench strategies list --strategy-path ./my_strategies
    """
    from pdbench.selection.registry import broken_strategies, discover

    for info in discover(strategy_path).values():
        click.echo(f"{info.name:<12} {info.kind:<10} {info.description}")
    for name, problem in broken_strategies().items():
        click.echo(f"{name:<12} {'BROKEN':<10} {problem}")


@main.command("select")
@click.option("--strategy", required=True, help="Registered strategy name (see `pdbench strategies list`).")
@click.option("--conflict", type=click.FloatRange(0, 1), default=0.3, show_default=True, help="Conflict level of the pair set.")
@click.option("--budget", type=click.FloatRange(0, 1, min_open=True), default=0.3, show_default=True,
              help="Selection budget λ in (0, 1].")
@click.option("--dataset", default="world", show_default=True, help=DATASETS)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of pairing, reward models and selection.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--strategy-path", multiple=True, type=click.Path(file_okay=False), help="Extra strategy folder.")
def select(strategy, conflict, budget, dataset, seed, out, strategy_path):
    """Select training pairs with a strategy and export them for any trainer.

    Writes OUT/train.jsonl in TRL's conversational prompt/chosen/rejected format (plus pair_id,
    aspect, is_conflict, relabelled) and the artifacts the strategy used, e.g. OUT/pd.parquet.

    \b
    Examples:
      pdbench select --strategy ours --conflict 0.3 --budget 0.3 --out runs/ours-c30
      pdbench select --strategy rand --budget 0.1 --seed 2 --out runs/rand-b10
    """
    import time

    from pdbench.selection.context import StrategyContext
    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.selection.planning import export_plan, make_plan
    from pdbench.selection.registry import get_strategy

    get_strategy(strategy, strategy_path)  # an unknown or broken strategy fails before the data is built
    started = time.perf_counter()
    pairs, _ = build_pairs(load_records(dataset), conflict, seed=seed, source=dataset)
    built = time.perf_counter()
    context = StrategyContext(pairs, seed=seed)
    plan = make_plan(strategy, pairs, budget, context, strategy_path)
    planned = time.perf_counter()
    written = export_plan(pairs, plan, context, out)
    kept = pairs.iloc[list(plan.rows)]
    click.echo(f"{strategy}: {len(plan.rows)} of {len(pairs)} pairs, {len(plan.relabel)} relabelled, "
               f"objective {plan.objective}; conflict rate of the selection "
               f"{kept['is_conflict'].mean() if len(kept) else float('nan'):.3f} (all pairs {pairs['is_conflict'].mean():.3f})")
    click.echo(f"time: data {built - started:.1f}s, strategy {planned - built:.1f}s")
    for name in sorted(context.used):
        seconds = getattr(context, name).meta.get("seconds")
        if seconds:
            click.echo(f"  {name}: " + ", ".join(f"{k} {v:.1f}s" for k, v in seconds.items()) + " (when first computed)")
    click.echo("wrote " + ", ".join(str(p) for p in written))


@main.command("run")
@click.option("--strategy", default="ours", show_default=True, help="Registered strategy (see `pdbench strategies list`).")
@click.option("--conflict", type=float, help="Conflict level of the pair set.  [preset: 0.3]")
@click.option("--budget", type=float, help="Selection budget λ in (0, 1].  [preset: 0.3]")
@click.option("--seed", type=int, help="Seed.  [preset: 0]")
@click.option("--preset", type=click.Choice(["smoke", "tiny", "paper"]), default="tiny", show_default=True,
              help="smoke: whole pipeline in ~2 min; tiny: world + SmolLM2 on CPU; paper: the paper's setup (GPUs).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="YAML file of RunConfig fields.")
@click.option("--dataset", help=f"{DATASETS} (variants: `pdbench data variants`).")
@click.option("--policy", help="SFT policy: embedded alias, HF id or path.")
@click.option("--sft-dataset", help="Fine-tune --policy on this dataset first (Hub id or file), e.g. teknium/OpenHermes-2.5.")
@click.option("--baseline", help="Pairwise baseline: overall | sft | PATH.")
@click.option("--eval-sets", help="world | paper | comma-separated set names.")
@click.option("--eval-prompts", "eval_prompts_per_set", type=int, help="Prompts per evaluation set (0 = all).")
@click.option("--judge", help="rubric | openai:MODEL.")
@click.option("--judge-base-url", help="OpenAI-compatible endpoint of the judge.")
@click.option("--num-processes", type=int, help="Training processes; > 1 relaunches training under accelerate.")
@click.option("--accelerate-config", help="accelerate config: a shipped name (deepspeed_zero3.yaml ...) or a path.")
@click.option("--force", multiple=True, help="Recompute a cached stage: sft, data, pd, train, baseline, generate, judge.")
@click.option("--strategy-path", multiple=True, type=click.Path(file_okay=False), help="Extra strategy folder.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), help="Where the run's files go.  [runs/<name>]")
@click.option("--experiment", default="pdbench", show_default=True, help="MLflow experiment.")
@click.option("--no-track", is_flag=True, help="Do not log to MLflow.")
@click.option("--dry-run", is_flag=True, help="Print the resolved plan and, for each precondition (judge key and endpoint, "
              "dataset and models, GPUs), ready or not; exit non-zero if one is not. Computes nothing.")
def run(strategy, preset, config_file, force, strategy_path, run_dir, experiment, no_track, dry_run, **overrides):
    """Run one cell of the paper's Table 1: select, train (DPO/DMPO), evaluate, log to MLflow.

    Every stage is cached: re-running the same command after an interruption resumes at the
    first unfinished stage.

    \b
    Examples:
      pdbench run --strategy ours --conflict 0.3 --budget 0.3
      pdbench run --strategy dmpo --conflict 0.1
      pdbench run --strategy rand --preset smoke --seed 1
      pdbench run --preset paper --strategy ours --num-processes 8 --accelerate-config deepspeed_zero3.yaml --dry-run
    """
    from pdbench.pipeline.config import resolve_config

    sft_dataset = overrides.pop("sft_dataset")
    config = resolve_config(preset, config_file, strategy=strategy, sft={"dataset": sft_dataset} if sft_dataset else None,
                            **overrides)
    if dry_run:
        import yaml

        from pdbench.training.launch import accelerate_config_path

        plan = config.to_dict()
        plan["resolved"] = {
            "accelerate_config_file": accelerate_config_path(config.accelerate_config) if config.accelerate_config else None,
            "judge_api_key": f"${config.judge_api_key_env} (value not shown)" if config.judge.startswith("openai:") else None,
            "stages": ["data", "pd (shared artifacts)", "plan", "train", "baseline", "generate", "judge", "metrics", "mlflow"],
        }
        click.echo(yaml.safe_dump(plan, sort_keys=False))
        _preflight(config, strategy_path)
        return
    from pdbench.tracking.publish import LiveTracking
    from pdbench.pipeline.report import format_result
    from pdbench.pipeline.rundir import claim, default_run_dir
    from pdbench.pipeline.runner import run_pipeline

    run_dir = run_dir or default_run_dir(config)
    live = None if no_track else LiveTracking(experiment)
    with claim(run_dir):  # a second process of the same cell stops here
        result = run_pipeline(config, run_dir, frozenset(force), strategy_path, publish=live and live.publish)
        click.echo(format_result(result))
        if live:
            live.close(run_dir)
    click.echo(f"run folder: {run_dir}")


def _preflight(config, strategy_paths) -> None:
    """Print each precondition of the run as ready / NOT READY; exit non-zero if any is not."""
    from pdbench.pipeline.preflight import format_checks, preflight

    checks = preflight(config, strategy_paths)
    click.echo("preconditions:\n" + format_checks(checks))
    missing = [c.name for c in checks if not c.ready]
    if missing:
        raise click.ClickException(f"{len(missing)} precondition(s) not ready: {', '.join(missing)}")


def _track(run_dir: Path, experiment: str) -> bool:
    """Send a finished run folder's record to MLflow and mark it synced; on failure say how to upload later.
    Returns success."""
    from pdbench.tracking.publish import track_run_dir
    from pdbench.pipeline.rundir import mark_synced
    from pdbench.tracking.store import tracking_uri

    try:
        run_id = track_run_dir(run_dir, experiment)
    except Exception as error:  # an unreachable server must not cost the results
        click.echo(f"could not log to MLflow at {tracking_uri()} ({type(error).__name__}: {error}).\n"
                   f"The results are safe in {run_dir}; upload them later with: pdbench sync {run_dir}", err=True)
        return False
    mark_synced(run_dir, run_id, tracking_uri())
    click.echo(f"MLflow run {run_id} in experiment '{experiment}' at {tracking_uri()}  (see: mlflow ui)")
    return True


@main.command("sync")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--experiment", default="pdbench", show_default=True)
def sync(run_dirs, experiment):
    """Upload finished run or sweep folders to MLflow (e.g. after the tracking server was unreachable,
    or a sweep ran with --no-track on a GPU machine that cannot reach it).

    A sweep folder (it holds sweep.json) becomes one parent run with a child per finished cell.
    A folder already uploaded (it holds synced.json) is skipped. Exits non-zero if any upload failed.

    \b
    Examples:
      MLFLOW_TRACKING_URI=http://mlflow.internal:5000 pdbench sync runs/ours-c0.3-b0.3-s0-tiny
      pdbench sync runs/sweep-tiny --experiment table1 && pdbench leaderboard --experiment table1
    """
    from pdbench.pipeline.rundir import check_finished, synced_run_id
    from pdbench.pipeline.sweep import is_sweep_dir, sync_sweep

    failed = []
    for run_dir in run_dirs:
        try:
            if is_sweep_dir(run_dir):
                sync_sweep(run_dir, experiment)
                continue
            check_finished(run_dir)
        except Exception as error:  # one line per folder; the others are still uploaded
            click.echo(f"{run_dir}: {type(error).__name__}: {error}", err=True)
            failed.append(str(run_dir))
            continue
        if synced_run_id(run_dir):
            click.echo(f"{run_dir}: already uploaded as MLflow run {synced_run_id(run_dir)} "
                       f"(delete {run_dir / 'synced.json'} to upload it again)")
        elif not _track(run_dir, experiment):
            failed.append(str(run_dir))
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(run_dirs)} folder(s) not uploaded: {', '.join(failed)}")


@main.command("sweep")
@click.option("--strategies", default="all", show_default=True, help="all | comma-separated strategy names.")
@click.option("--conflicts", default="0.1,0.2,0.3", show_default=True)
@click.option("--budgets", default="0.3", show_default=True)
@click.option("--seeds", default="0", show_default=True)
@click.option("--preset", type=click.Choice(["smoke", "tiny", "paper"]), default="tiny", show_default=True)
@click.option("--config", "config_file", help="YAML file of RunConfig fields (an empty value means none).")
@click.option("--dataset", help=f"{DATASETS}  [preset's]")
@click.option("--sweep-dir", type=click.Path(file_okay=False, path_type=Path), help="State and run folders.  [runs/sweep-<preset>]")
@click.option("--experiment", default="pdbench", show_default=True)
@click.option("--no-track", is_flag=True, help="Do not log to MLflow (upload later with `pdbench sync SWEEP_DIR`).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Cells run in parallel processes (one GPU trains several small policies at once).")
@click.option("--strategy-path", multiple=True, type=click.Path(file_okay=False))
def sweep(strategies, conflicts, budgets, seeds, preset, config_file, dataset, sweep_dir, experiment, no_track, workers,
          strategy_path):
    """Run a grid (Table 1 / Figure 3) as one MLflow parent run with a child run per cell; resumable.

    \b
    Examples:
      pdbench sweep --strategies all --conflicts 0.1,0.2,0.3 --budgets 0.3 --seeds 0,1,2
      pdbench sweep --strategies rand,high,mid,ours --conflicts 0.3 --budgets 0.1,0.2,0.3,0.4,0.5
      pdbench sweep --strategies rand,ours,all --conflicts 0.2,0.3 --preset smoke
      pdbench sweep --strategies sft,overall,all,rand,ours,high --conflicts 0.3 --seeds 0,1,2 \\
                    --dataset world:positive_control --sweep-dir runs/variant-positive_control
      pdbench sweep --strategies all --seeds 0,1,2 --workers 12 --no-track   # a GPU box; then pdbench sync
    """
    from pdbench.pipeline.config import resolve_config
    from pdbench.selection.registry import discover
    from pdbench.pipeline.sweep import run_sweep, sweep_cells

    names = list(discover(strategy_path)) if strategies == "all" else [s.strip() for s in pdbench.strategies.split(",")]
    cells = sweep_cells(names, _floats(conflicts), _floats(budgets), [int(x) for x in seeds.split(",")], strategy_path)
    sweep_dir = sweep_dir or Path("runs") / f"sweep-{preset}"
    state = run_sweep(resolve_config(preset, config_file or None, dataset=dataset), cells, sweep_dir, experiment,
                      not no_track, strategy_path, workers)
    if state["is_tracked"]:
        _leaderboard(experiment, state["parent_run_id"], sweep_dir / "leaderboard")


@main.command("leaderboard")
@click.option("--experiment", default="pdbench", show_default=True)
@click.option("--parent", "parent_run_id", help="Only the cells of this sweep (its parent run id).")
@click.option("--budget", type=float, help="Budget of the selection strategies in Table 1 (default: all).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("leaderboard"), show_default=True)
def leaderboard(experiment, parent_run_id, budget, out):
    """Table 1 from MLflow: strategies x conflict x {WR, LC, AW ± std}, GPU-hours; Markdown, CSV, HTML, PNGs.

    \b
    Examples:
      pdbench leaderboard
      pdbench leaderboard --experiment pdbench --budget 0.3 --out docs/leaderboard
    """
    _leaderboard(experiment, parent_run_id, out, budget)


def _leaderboard(experiment, parent_run_id, out, budget=None):
    from pdbench.leaderboard.table import runs_frame, write_leaderboard
    from pdbench.tracking.store import log_parent_artifacts, search_cell_runs

    frame = runs_frame(search_cell_runs(experiment, parent_run_id))
    files = write_leaderboard(frame, out, budget)
    click.echo((out / "leaderboard.md").read_text())
    click.echo("wrote " + ", ".join(str(f) for f in files))
    if parent_run_id:
        log_parent_artifacts(parent_run_id, files)


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


@main.command("eval")
@click.option("--model", required=True, help="Model to evaluate: embedded alias, HF id or path.")
@click.option("--baseline", required=True, help="Baseline model: embedded alias, HF id or path.")
@click.option("--sets", "eval_sets", default="world", show_default=True, help="world | paper | comma-separated names.")
@click.option("--judge", default="rubric", show_default=True, help="rubric | openai:MODEL.")
@click.option("--judge-base-url", help="OpenAI-compatible endpoint of the judge.")
@click.option("--eval-prompts", "eval_prompts_per_set", type=int, default=40, show_default=True, help="Prompts per set (0 = all).")
@click.option("--max-new-tokens", type=int, default=64, show_default=True)
@click.option("--temperature", type=float, default=0.0, show_default=True, help="0 = greedy.")
@click.option("--top-p", type=float, default=1.0, show_default=True)
@click.option("--baseline-temperature", type=float, help="Sample the baseline differently (default: --temperature).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--alpaca/--no-alpaca", default=False, show_default=True, help="Also compute AlpacaEval-2 WR / LC of --model.")
@click.option("--force", multiple=True, type=click.Choice(["generate", "judge"]),
              help="Generate again / ask the judge again instead of reusing cached answers or verdicts (repeatable).")
@click.option("--max-invalid-share", type=click.FloatRange(0, 1),
              help="Fail when more than this share of judge verdicts cannot be parsed (warns from 5 %).  [default: 0.2]")
@click.option("--judge-timeout", "judge_timeout_s", type=click.FloatRange(min=0, min_open=True),
              help="Seconds one judge request may take.  [default: 120]")
@click.option("--judge-retries", "judge_max_retries", type=click.IntRange(min=0),
              help="Retries of a failed judge request (rate limits, 5xx, timeouts), with backoff.  [default: 6]")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write result.json and samples.json here.")
def eval_command(model, baseline, eval_sets, judge, judge_base_url, eval_prompts_per_set, max_new_tokens, temperature,
                 top_p, baseline_temperature, seed, alpaca, force, max_invalid_share, judge_timeout_s, judge_max_retries,
                 out):
    """Generate with two models, judge every pair in both orders, print win scores and AW.

    Verdicts and answers are cached; a judge reply that cannot be parsed is not, so a re-run after
    fixing the judge asks only for those.

    \b
    Examples:
      pdbench eval --model runs/ours/model --baseline smollm2-135m-instruct
      pdbench eval --model smollm2-135m-instruct --baseline smollm2-135m-instruct --baseline-temperature 1.5
      pdbench eval --model M --baseline B --sets paper --judge openai:gpt-4o
      pdbench eval --model M --baseline B --judge openai:SmolLM2 --judge-base-url http://127.0.0.1:8000/v1
      pdbench eval --model M --baseline B --judge openai:gpt-4o --force judge   # ask the judge again
    """
    from pdbench.eval.evaluate import format_table, pairwise_evaluation
    from pdbench.eval.setup import alpaca_metrics, build_judge
    from pdbench.eval.setup import eval_sets as resolve_sets
    from pdbench.infra.fileio import write_json
    from pdbench.infra.models import check_model_spec, resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.infra.quiet import known_warnings_silenced

    check_model_spec(model, "--model")
    check_model_spec(baseline, "--baseline")
    decoding = {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p, "seed": seed}
    config = resolve_config("tiny", eval_sets=eval_sets, judge=judge, judge_base_url=judge_base_url,
                            eval_prompts_per_set=eval_prompts_per_set, decoding=decoding, policy=baseline,
                            max_invalid_share=max_invalid_share, judge_timeout_s=judge_timeout_s,
                            judge_max_retries=judge_max_retries)
    judge_instance = build_judge(config)
    judge_instance.check()
    from dataclasses import replace

    baseline_decoding = None if baseline_temperature is None else replace(config.decoding, temperature=baseline_temperature)
    result = pairwise_evaluation(resolve_model_path(model), resolve_model_path(baseline), resolve_sets(config),
                                 judge_instance, config.decoding, baseline_decoding=baseline_decoding,
                                 refresh_generations="generate" in force, refresh_judge="judge" in force,
                                 max_invalid_share=config.max_invalid_share)
    click.echo(format_table(result))
    if alpaca:
        with known_warnings_silenced():
            metrics = alpaca_metrics(config, resolve_model_path(model))
        result["alpaca_eval"] = metrics
        click.echo(f"AlpacaEval: WR {metrics['win_rate']:.2f}  LC {metrics['length_controlled_winrate']:.2f}  ({metrics['lc_kind']})")
    requests = getattr(judge_instance, "requests", None)
    if requests is not None:
        click.echo(f"judge requests this run: {requests}")
    if out:
        write_json(out / "result.json", {k: v for k, v in result.items() if k != "samples"})
        write_json(out / "samples.json", result["samples"])


if __name__ == "__main__":
    sys.exit(main())
