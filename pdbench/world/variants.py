"""Named, versioned variants of the world: the same prompts and gold rubric, other annotators or responses.

A variant is picked wherever a dataset is chosen, as ``world:NAME`` (``--dataset world:decoupled``,
``dataset: world:decoupled`` in YAML, ``-P dataset=...`` under ``mlflow run``, ``pdbench sweep
--dataset ...``). ``world`` alone is the published default world, byte-identical to the one the
results in docs/results-tiny.md were measured on. A variant's config is frozen once results
exist: a change is a new name (or a bumped ``version``), never an edit, so cached stages and
published cells stay valid. docs/experiments/world-variants.md gives each variant's pair
diagnostics and the predictions made before any strategy was trained on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pdbench.world.config import WorldConfig

PREFIX = "world"


@dataclass(frozen=True)
class WorldVariant:
    """A world config with a name, a version and the question it exists to answer."""

    name: str
    version: int
    config: WorldConfig
    purpose: str

    def identity(self) -> dict:
        """What determines the variant's records (cache keys include it)."""
        return {"name": self.name, "version": self.version, "config": asdict(self.config)}


VARIANTS = {
    variant.name: variant
    for variant in (
        WorldVariant("default", 1, WorldConfig(), "The published world: style tied to substance (wrong answers are "
                     "short, confident slips), a length-loving helpfulness rater, annotator noise."),
        WorldVariant("no_length_bias", 1, WorldConfig(length_bonus=0.0),
                     "The default world without its length-loving helpfulness rater: is the annotators' shared "
                     "length bias what makes high-consensus pairs teach verbosity?"),
        WorldVariant("decoupled", 1, WorldConfig(is_decoupled=True),
                     "Style flaws drawn independently of correctness: wrong answers are no longer shorter and "
                     "better formatted, so a conflict's substance error does not come with a style advantage."),
        WorldVariant("positive_control", 1,
                     WorldConfig(p_wrong=0.0, flaw_count_weights=(0.5, 0.5, 0.0), hedge_weight=0.0,
                                 fabrication_weight=1.0, padding_weight=0.0, format_weight=0.0, length_bonus=0.0,
                                 anecdote_bias=0.8, is_length_matched=True),
                     "The paper's premise on what a small policy can learn. Every answer is right and the only "
                     "flaw is a fabricated anecdote or source (a learnable sentence pattern that the gold rubric "
                     "penalises); a helpfulness rater who likes anecdotes makes the conflicts, so conflicting "
                     "pairs teach fabrication and consistent pairs teach against it, and length matching keeps "
                     "the two groups' length differences equal. If `ours` cannot beat `rand` here, the harness "
                     "or the tiny setup is too weak to show the paper's effect."),
    )
}
"""Every variant by name; ``world`` means ``default``."""


def parse_world_dataset(dataset: str) -> WorldVariant | None:
    """The variant a dataset name picks (``world`` or ``world:NAME``), or None for other datasets.

    Raises ValueError naming the known variants for an unknown ``world:NAME``.
    """
    if dataset == PREFIX:
        return VARIANTS["default"]
    if not dataset.startswith(f"{PREFIX}:"):
        return None
    name = dataset.split(":", 1)[1]
    if name not in VARIANTS:
        raise ValueError(f"unknown world variant {name!r}; known: {', '.join(VARIANTS)} (as world:NAME)")
    return VARIANTS[name]
