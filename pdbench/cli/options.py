"""Options and error handling shared by the commands."""

from __future__ import annotations

import click

from pdbench.data.schema import DataError
from pdbench.eval.config import shipped_judges
from pdbench.infra.fileio import OutOfSpaceError, is_out_of_space
from pdbench.pipeline.config import PRESETS
from pdbench.selection.registry import UnknownStrategyError

DATASETS = "world | world:VARIANT | ultrafeedback | helpsteer2 | PATH"
"""What --dataset accepts (world variants: ``pdbench data variants``)."""


def _options(*options):
    """Several click options as one decorator (options shared by commands are written once)."""
    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


def preset_option(help_text: str):
    """``--preset`` (default ``tiny``), described for the command at hand."""
    return click.option("--preset", type=click.Choice(list(PRESETS)), default="tiny", show_default=True, help=help_text)


CONFIG_OPTION = click.option("--config", "config_file", type=click.Path(dir_okay=False),
                             help="YAML file of RunConfig fields (empty: none, as MLproject entry points pass it).")
STRATEGY_PATH_OPTION = click.option("--strategy-path", multiple=True, type=click.Path(file_okay=False),
                                    help="Extra folder of strategy files (repeatable; also $PDBENCH_STRATEGY_PATH).")
CELL_OPTIONS = _options(
    click.option("--conflict", type=float, help="Conflict level of the pair set.  [preset: 0.3]"),
    click.option("--budget", type=float, help="Selection budget λ in (0, 1].  [preset: 0.3]"),
    click.option("--seed", type=int, help="Seed of pairing, reward models, selection and training.  [preset: 0]"),
    click.option("--dataset", help=f"{DATASETS} (variants: `pdbench data variants`).  [preset's]"),
)
JUDGE_OPTIONS = _options(
    click.option("--judge", help="rubric | openai:MODEL | a judge YAML file | a shipped judge "
                                 f"({', '.join(shipped_judges())}).  [preset's]"),
    click.option("--judge-base-url", help="OpenAI-compatible endpoint of the judge.  [the judge's]"),
)
TRACKING_OPTIONS = _options(
    click.option("--experiment", default="pdbench", show_default=True, help="MLflow experiment."),
    click.option("--no-track", is_flag=True, help="Do not log to MLflow (upload later with `pdbench sync FOLDER`)."),
)


class CleanErrors(click.Group):
    """Show data, configuration and environment errors (a full disk, a failed training process, an unreachable
    tracking server) as one clear line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (DataError, ValueError, FileNotFoundError, UnknownStrategyError, OutOfSpaceError, ChildProcessError,
                ConnectionError) as error:
            raise click.ClickException(str(error)) from error
        except Exception as error:
            if is_out_of_space(error):  # a full disk seen where no write of pdbench's named its file
                raise click.ClickException(f"no space left on the device: {_first_line(error)}") from error
            raise


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"
