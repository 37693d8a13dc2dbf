"""``pdbench data``: build and inspect aspect-labelled preference pairs, list the world's variants."""

from __future__ import annotations

import json
from pathlib import Path

import click

@click.group()
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


@data.command("export")
@click.option("--dataset", default="world", show_default=True,
              help="world | world:VARIANT (see `pdbench data variants`).")
@click.option("--format", "fmt", type=click.Choice(["ultrafeedback", "openhermes"]), required=True,
              help="ultrafeedback: the world's training records as openbmb/UltraFeedback rows (preference data); "
                   "openhermes: instruction / best-answer conversations as OpenHermes-2.5 rows (SFT).")
@click.option("--prompts", type=int, help="Records to write (default: 1000 for ultrafeedback, the training "
                                          "prompts of `run`; 2000 for openhermes, from other prompts).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output JSONL file.")
def data_export(dataset, fmt, prompts, out):
    """Write the world in a public format, for the paper's own loaders or other tools.

    These are the files the `paper-mini` preset reads as `world@ultrafeedback` and `world@openhermes` (from the
    cache); `--dataset FILE` of `run` / `data build`, or `sft.dataset: FILE`, reads a written one back.

    \b
    Examples:
      pdbench data export --format ultrafeedback --out runs/world-ultrafeedback.jsonl
      pdbench data export --dataset world:decoupled --format openhermes --out runs/decoupled-openhermes.jsonl
      pdbench data build --dataset runs/world-ultrafeedback.jsonl --conflict 0.3 --out runs/uf-world-c30
    """
    from pdbench.world.export import SFT_PROMPTS, parse_export, write_export

    try:
        if parse_export(f"{dataset}@{fmt}") is None:
            raise ValueError(f"--dataset {dataset}: only the world exports (world or world:VARIANT)")
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--dataset") from None
    count = prompts or (1000 if fmt == "ultrafeedback" else SFT_PROMPTS)
    if count < 1:
        raise click.BadParameter(f"must be at least 1, got {count}", param_hint="--prompts")
    write_export(out, dataset, fmt, count)
    click.echo(f"wrote {out}: {count} {fmt} records of {dataset}")
