"""The ``pdbench`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pdbench import __version__
from pdbench.data.schema import DataError


class _CleanErrors(click.Group):
    """Show data and configuration errors as one clear line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (DataError, ValueError, FileNotFoundError) as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_CleanErrors, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pdbench")
def main():
    """pdbench: benchmark preference-data selection for LLM alignment (PD selection and baselines).

    \b
    Examples:
      pdbench data build --dataset world --conflict 0.3 --out runs/world-c30
      pdbench data stats runs/world-c30
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
              help="world | ultrafeedback | helpsteer2 | PATH to a JSON/JSONL/parquet file (format detected).")
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

    Writes OUT/pairs.jsonl (or .parquet), OUT/stats.json and OUT/conflict_breakdown.png.

    \b
    Examples:
      pdbench data build --dataset world --conflict 0.1 --out runs/world-c10
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
    click.echo(f"wrote {out}/pairs.{fmt}, {out}/stats.json, {out}/conflict_breakdown.png")


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
    from pdbench.registry import discover

    for info in discover(strategy_path).values():
        click.echo(f"{info.name:<12} {info.kind:<10} {info.description}")


@main.command("select")
@click.option("--strategy", required=True, help="Registered strategy name (see `pdbench strategies list`).")
@click.option("--conflict", type=float, default=0.3, show_default=True, help="Conflict level of the pair set.")
@click.option("--budget", type=float, default=0.3, show_default=True, help="Selection budget λ in (0, 1].")
@click.option("--dataset", default="world", show_default=True, help="world | ultrafeedback | helpsteer2 | PATH.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of pairing, reward models and selection.")
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

    from pdbench.context import StrategyContext
    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.planning import export_plan, make_plan

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


if __name__ == "__main__":
    sys.exit(main())
