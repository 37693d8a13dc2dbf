"""The ``pdbench`` commands: each parses its options and makes one call into the pipeline."""

from __future__ import annotations

from pathlib import Path

import click

from pdbench import __version__
from pdbench.cli.data import data
from pdbench.cli.options import (CELL_OPTIONS, CONFIG_OPTION, DATASETS, JUDGE_OPTIONS, STRATEGY_PATH_OPTION,
                                 TRACKING_OPTIONS, CleanErrors, preset_option)


@click.group(cls=CleanErrors, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pdbench")
def main():
    """pdbench: benchmark preference-data selection for LLM alignment (PD selection and baselines).

    \b
    Examples:
      pdbench run --strategy ours --conflict 0.3 --budget 0.3
      pdbench run --strategy rand --preset smoke
      pdbench run --preset paper --strategy ours --dry-run
      pdbench prepare --preset paper
      pdbench run --preset paper-mini --strategy ours
      pdbench select --strategy ours --budget 0.3 --out runs/ours
      pdbench data build --dataset world --conflict 0.3 --out runs/world-c30
      pdbench strategies list
    """


main.add_command(data)


@main.group("strategies")
def strategies_group():
    """Inspect the strategy registry."""


@strategies_group.command("list")
@STRATEGY_PATH_OPTION
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
@CELL_OPTIONS
@preset_option("Settings the pairs and reward models come from (as for `pdbench run`).")
@CONFIG_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@STRATEGY_PATH_OPTION
def select(strategy, preset, config_file, out, strategy_path, **overrides):
    """Select training pairs with a strategy and export them for any trainer.

    The pairs come from the same cached stage as `pdbench run` with the same settings, so this is the
    selection such a run trains on. Writes OUT/train.jsonl in TRL's conversational
    prompt/chosen/rejected format (plus pair_id, aspect, is_conflict, relabelled) and the artifacts
    the strategy used, e.g. OUT/pd.parquet.

    \b
    Examples:
      pdbench select --strategy ours --conflict 0.3 --budget 0.3 --out runs/ours-c30
      pdbench select --strategy rand --budget 0.1 --seed 2 --out runs/rand-b10
    """
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.select import format_selection, select_pairs

    config = resolve_config(preset, config_file, strategy=strategy, **overrides)
    click.echo(format_selection(select_pairs(config, out, strategy_path)))


@main.command("run")
@click.option("--strategy", default="ours", show_default=True, help="Registered strategy (see `pdbench strategies list`).")
@CELL_OPTIONS
@preset_option("smoke: whole pipeline in ~2 min; tiny: world + SmolLM2 on CPU; paper: the paper's setup (GPUs).")
@CONFIG_OPTION
@click.option("--policy", help="SFT policy: embedded alias, HF id or path.")
@click.option("--sft-dataset", help="Fine-tune --policy on this dataset first (Hub id or file), e.g. teknium/OpenHermes-2.5.")
@click.option("--chat-template", help="Chat template for checkpoints without one: chatml | llama3 | a .jinja file.")
@click.option("--baseline", help="Pairwise baseline: overall | sft | PATH.")
@click.option("--eval-sets", help="world | paper | comma-separated set names.")
@click.option("--eval-prompts", "eval_prompts_per_set", type=int, help="Prompts per evaluation set (0 = all).")
@JUDGE_OPTIONS
@click.option("--num-processes", type=int, help="Training processes; > 1 relaunches training under accelerate.")
@click.option("--accelerate-config", help="accelerate config: a shipped name (deepspeed_zero3.yaml ...) or a path.")
@click.option("--force", multiple=True, help="Recompute a cached stage: sft, data, pd, train, baseline, generate, judge.")
@STRATEGY_PATH_OPTION
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), help="Where the run's files go.  [runs/<name>]")
@TRACKING_OPTIONS
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
    overrides["judge"] = _judge_override(overrides.pop("judge"), base_url=overrides.pop("judge_base_url"))
    config = resolve_config(preset, config_file, strategy=strategy, sft={"dataset": sft_dataset} if sft_dataset else None,
                            **overrides)
    if dry_run:
        from pdbench.pipeline.preflight import dry_run as describe

        text, missing = describe(config, strategy_path)
        click.echo(text)
        if missing:
            raise click.ClickException(f"{len(missing)} precondition(s) not ready: {', '.join(missing)}")
        return
    from pdbench.pipeline.runner import run_cell

    run_cell(config, run_dir, frozenset(force), strategy_path, experiment=None if no_track else experiment)


def _judge_override(name: str | None, **fields) -> dict | None:
    """``--judge NAME`` (replaces the preset's judge) and single-field flags such as ``--judge-base-url``, as one
    RunConfig override (see ``pdbench.pipeline.config.resolve_config``)."""
    from pdbench.eval.config import load_judge

    override = {**(load_judge(name) if name else {}), **{k: v for k, v in fields.items() if v is not None}}
    return override or None


@main.command("prepare")
@click.option("--strategy", default="ours", show_default=True, help="The strategy the runs will use (its checks only).")
@preset_option("The preset whose assets to fetch (paper: UltraFeedback, OpenHermes-2.5, both Llamas, the test sets ...).")
@CONFIG_OPTION
@click.option("--policy", help="SFT policy: embedded alias, HF id or path.")
@click.option("--dataset", help=f"{DATASETS}  [preset's]")
@click.option("--eval-sets", help="world | paper | comma-separated set names.")
def prepare(strategy, preset, config_file, **overrides):
    """Fetch every asset a preset needs, once, on a machine that reaches the Hugging Face Hub.

    Downloads the datasets and models into the Hugging Face cache, the paper's test sets and AlpacaEval's
    reference answers into pdbench's cache, and alpaca_eval's df_gamed.csv (its official LC); builds the world's
    files for paper-mini. Then prints each precondition as `pdbench run --dry-run` does and exits non-zero
    if one is still not ready (a key variable, GPUs ...). Copy the caches to offline nodes, or share them.

    \b
    Examples:
      pdbench prepare --preset paper
      HF_HOME=/shared/hf PDBENCH_CACHE_DIR=/shared/pdbench pdbench prepare --preset paper --config my.yaml
      pdbench prepare --preset paper-mini
    """
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.preflight import prepare as fetch

    missing = fetch(resolve_config(preset, config_file, strategy=strategy, **overrides), echo=click.echo)
    if missing:
        raise click.ClickException(f"{len(missing)} precondition(s) not ready: {', '.join(missing)}")


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
    from pdbench.pipeline.tracked import sync_folders

    failed = sync_folders(run_dirs, experiment)
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(run_dirs)} folder(s) not uploaded: {', '.join(failed)}")


@main.command("sweep")
@click.option("--strategies", default="all", show_default=True, help="all (every strategy) | comma-separated names; `all,` is the `all` strategy alone.")
@click.option("--conflicts", default="0.1,0.2,0.3", show_default=True)
@click.option("--budgets", default="0.3", show_default=True)
@click.option("--seeds", default="0", show_default=True)
@preset_option("The cells' settings (see `pdbench run --help`).")
@click.option("--config", "config_file", help="YAML file of RunConfig fields (an empty value means none).")
@click.option("--dataset", help=f"{DATASETS}  [preset's]")
@click.option("--sweep-dir", type=click.Path(file_okay=False, path_type=Path), help="State and run folders.  [runs/sweep-<preset>]")
@TRACKING_OPTIONS
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Cells run in parallel processes (one GPU trains several small policies at once). With --engine ray: "
                   "CPU cells per node (each gets the node's cores / N); GPU cells are as many as the GPUs hold.")
@click.option("--engine", type=click.Choice(["pool", "ray"]), default="pool", show_default=True,
              help="pool: worker processes on this machine. ray: each cell a Ray task asking for its GPUs and CPUs, "
                   "queued over a Ray cluster (--ray-address) or a Ray started here; needs pdbench[ray].")
@click.option("--ray-address", help="With --engine ray: auto (the cluster this machine is a node of), ray://HOST:PORT "
                                    "or HOST:PORT.  [a Ray running here, else a local one]")
@click.option("--gpus-per-cell", type=float, help="With --engine ray: GPUs per cell: its num_processes, or a fraction "
                                                  "of one GPU for one-process cells (0.25 = 4 per GPU); 0 = CPUs only.  "
                                                  "[num_processes on a cluster with GPUs, else 0]")
@click.option("--cpus-per-cell", type=float, help="With --engine ray: CPU cores (and threads) per cell.  [1 beside GPUs; "
                                                  "on CPUs a node's cores / --workers]")
@click.option("--max-retries", type=click.IntRange(min=0), help="With --engine ray: retries of a cell whose worker or "
                                                                "node died; each resumes from the cached stages.  [3]")
@STRATEGY_PATH_OPTION
def sweep(strategies, conflicts, budgets, seeds, preset, config_file, dataset, sweep_dir, experiment, no_track, workers,
          engine, ray_address, gpus_per_cell, cpus_per_cell, max_retries, strategy_path):
    """Run a grid (Table 1 / Figure 3) as one MLflow parent run with a child run per cell; resumable.

    \b
    Examples:
      pdbench sweep --strategies all --conflicts 0.1,0.2,0.3 --budgets 0.3 --seeds 0,1,2
      pdbench sweep --strategies rand,high,mid,ours --conflicts 0.3 --budgets 0.1,0.2,0.3,0.4,0.5
      pdbench sweep --strategies rand,ours,all --conflicts 0.2,0.3 --preset smoke
      pdbench sweep --strategies sft,overall,all,rand,ours,high --conflicts 0.3 --seeds 0,1,2 \\
                    --dataset world:positive_control --sweep-dir runs/variant-positive_control
      pdbench sweep --strategies all --seeds 0,1,2 --workers 12 --no-track   # a GPU box; then pdbench sync
      pdbench sweep --strategies rand,ours,all --preset smoke --engine ray --workers 2      # a local Ray
      pdbench sweep --strategies all --seeds 0,1,2 --engine ray --gpus-per-cell 0.25       # 4 tiny cells per GPU
      pdbench sweep --preset paper --strategies all --engine ray --ray-address auto \\
                    --sweep-dir /shared/runs/paper   # on a node of a GPU cluster: 8 GPUs per cell
    """
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.sweep import RayOptions, run_grid

    ray_only = {"--ray-address": ray_address, "--gpus-per-cell": gpus_per_cell, "--cpus-per-cell": cpus_per_cell,
                "--max-retries": max_retries}
    if engine != "ray" and any(v is not None for v in ray_only.values()):
        given = ", ".join(name for name, value in ray_only.items() if value is not None)
        raise click.UsageError(f"{given} apply to --engine ray only")
    given = {"address": ray_address, "gpus_per_cell": gpus_per_cell, "cpus_per_cell": cpus_per_cell,
             "max_retries": max_retries}
    ray = RayOptions(**{name: value for name, value in given.items() if value is not None}) if engine == "ray" else None
    files = run_grid(resolve_config(preset, config_file or None, dataset=dataset), strategies, conflicts, budgets, seeds,
                     sweep_dir or Path("runs") / f"sweep-{preset}", None if no_track else experiment, strategy_path,
                     workers, ray)
    _show_leaderboard(files)


@main.command("leaderboard")
@click.option("--experiment", default="pdbench", show_default=True)
@click.option("--parent", "parent_run_id", help="Only the cells of this sweep (its parent run id).")
@click.option("--budget", type=float, help="Budget of the selection strategies in Table 1 (default: all).")
@click.option("--compare", help="Comma-separated strategies: compare only pairs involving these (default: every pair).")
@click.option("--target", type=click.FloatRange(min=0, min_open=True), default=0.05, show_default=True,
              help="The AW difference whose seed count each comparison shows, with its seeds as the pilot.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("leaderboard"), show_default=True)
def leaderboard(experiment, parent_run_id, budget, compare, target, out):
    """Table 1 from MLflow: strategies x conflict x {WR, LC, AW ± std}, GPU-hours; Markdown, CSV, HTML, PNGs.

    Below it, the strategies compared pairwise on AW, paired by seed: the difference with its 95% CI and p,
    the minimum detectable difference (α 0.05, power 0.8) for the seeds that ran, and the seeds --target needs.

    \b
    Examples:
      pdbench leaderboard
      pdbench leaderboard --experiment pdbench --budget 0.3 --out docs/leaderboard
      pdbench leaderboard --compare ours --target 0.05
    """
    from pdbench.pipeline.report import leaderboard_from_mlflow

    _show_leaderboard(leaderboard_from_mlflow(experiment, parent_run_id, out, budget, _names(compare), target))


@main.command("power")
@click.option("--sd", type=click.FloatRange(min=0), required=True,
              help="Standard deviation of the per-seed paired differences, from a pilot (a comparison's 'sd').")
@click.option("--target", type=click.FloatRange(min=0, min_open=True), default=0.05, show_default=True,
              help="The difference to detect.")
@click.option("--seeds", default="3,5,10,20,30", show_default=True, help="Comma-separated seed counts to show the MDD of.")
def power(sd, target, seeds):
    """How many seeds a difference needs: the minimum detectable difference (paired t-test, two-sided α 0.05,
    power 0.8) at a pilot's spread for several seed counts, and the seeds --target needs.

    The spread is the sample sd of a comparison's per-seed differences: `sd` in the leaderboard's
    comparisons.csv, or `std_diff` in benchmarks/tiny_claims.py's output.

    \b
    Examples:
      pdbench power --sd 0.082                  # the default world's pooled paired sd of AW at 30 % conflict
      pdbench power --sd 0.046 --target 0.03 --seeds 3,10
    """
    from pdbench.pipeline.report import format_power

    click.echo(format_power(sd, target, [int(x) for x in seeds.split(",") if x.strip()]))


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def _show_leaderboard(files: list[Path]) -> None:
    for file in files:
        if file.name in ("leaderboard.md", "comparisons.md"):
            click.echo(file.read_text())
    if files:
        click.echo("wrote " + ", ".join(str(f) for f in files))


@main.command("eval")
@click.option("--model", required=True, help="Model to evaluate: embedded alias, HF id or path.")
@click.option("--baseline", required=True, help="Baseline model: embedded alias, HF id or path.")
@preset_option("Where every default below comes from (the settings `pdbench run` evaluates with).")
@click.option("--sets", "eval_sets", help="world | paper | comma-separated names.  [preset's]")
@JUDGE_OPTIONS
@click.option("--judge-timeout", "judge_timeout_s", type=float, help="Seconds one judge request may take.  [the judge's]")
@click.option("--judge-retries", "judge_max_retries", type=int,
              help="Retries of a failed judge request (rate limits, 5xx, timeouts), with backoff.  [the judge's]")
@click.option("--eval-prompts", "eval_prompts_per_set", type=int, help="Prompts per set (0 = all).  [preset's]")
@click.option("--max-new-tokens", type=int, help="Longest answer in tokens.  [preset's]")
@click.option("--temperature", type=float, help="0 = greedy.  [preset's]")
@click.option("--top-p", type=float, help="Nucleus sampling mass.  [preset's]")
@click.option("--seed", type=int, help="Sampling seed.  [preset's]")
@click.option("--baseline-temperature", type=float, help="Sample the baseline differently (default: --temperature).")
@click.option("--alpaca/--no-alpaca", default=False, show_default=True, help="Also compute AlpacaEval-2 WR / LC of --model.")
@click.option("--force", multiple=True, type=click.Choice(["generate", "judge"]),
              help="Generate again / ask the judge again instead of reusing cached answers or verdicts (repeatable).")
@click.option("--max-invalid-share", type=float,
              help="Fail when more than this share of judge verdicts cannot be parsed (warns from 5 %).  [preset's]")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write result.json and samples.json here.")
def eval_command(model, baseline, preset, judge, judge_base_url, judge_timeout_s, judge_max_retries, max_new_tokens,
                 temperature, top_p, seed, baseline_temperature, alpaca, force, out, **evaluation):
    """Generate with two models, judge every pair in both orders, print win scores and AW.

    Verdicts and answers are cached; a judge reply that cannot be parsed is not, so a re-run after
    fixing the judge asks only for those.

    \b
    Examples:
      pdbench eval --model runs/ours/model --baseline smollm2-135m-instruct
      pdbench eval --model smollm2-135m-instruct --baseline smollm2-135m-instruct --baseline-temperature 1.5
      pdbench eval --model M --baseline B --sets paper --judge qwen-max       # the paper's judge
      pdbench eval --model M --baseline B --sets paper --judge openai:gpt-4o
      pdbench eval --model M --baseline B --judge local-serve                  # a local `transformers serve`
      pdbench eval --model M --baseline B --judge openai:gpt-4o --force judge  # ask the judge again
    """
    from pdbench.eval.evaluate import format_table
    from pdbench.pipeline.compare import compare_models
    from pdbench.pipeline.report import format_alpaca
    from pdbench.pipeline.config import resolve_config

    decoding = {"max_new_tokens": max_new_tokens, "temperature": temperature, "top_p": top_p, "seed": seed}
    config = resolve_config(preset, decoding={k: v for k, v in decoding.items() if v is not None},
                            judge=_judge_override(judge, base_url=judge_base_url, timeout_s=judge_timeout_s,
                                                  max_retries=judge_max_retries), **evaluation)
    result = compare_models(model, baseline, config.evaluation, config.judge, config.decoding, baseline_temperature,
                            frozenset(force), config.alpaca if alpaca else None, out)
    click.echo(format_table(result.pairwise))
    if result.alpaca_eval is not None:
        click.echo(format_alpaca(result.alpaca_eval))
    if result.judge_requests is not None:
        click.echo(f"judge requests this run: {result.judge_requests}")

