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


if __name__ == "__main__":
    sys.exit(main())
