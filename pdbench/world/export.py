"""The world written out in the public formats the paper's setup reads: UltraFeedback and OpenHermes-2.5.

The ``paper-mini`` preset runs the paper's code paths offline on these files instead of the Hub's
datasets: ``world@ultrafeedback`` is the world's training records as an UltraFeedback JSONL file (read
back by the UltraFeedback loader, like ``openbmb/UltraFeedback``), ``world@openhermes`` an instruction
file in OpenHermes-2.5's ShareGPT layout (``conversations`` of ``from`` / ``value`` turns) for the SFT
stage. A variant exports the same way (``world:decoupled@ultrafeedback``). Files are written once into
the cache, keyed by what determines them; ``pdbench data export`` writes one where you want it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pdbench.infra.cache import content_key, stage_dir, stage_lock
from pdbench.infra.fileio import write_text
from pdbench.world.build import build_world
from pdbench.world.variants import parse_world_dataset

FORMATS = ("ultrafeedback", "openhermes")
"""What the world can be exported as."""
EXPORT_VERSION = 1
"""Bumped whenever an export's content changes for the same inputs (it is part of the cache key)."""
SFT_PROMPTS = 2000
"""Conversations in ``world@openhermes`` (the SFT stage's ``max_samples`` takes fewer)."""
SFT_SEED = 1
"""The SFT conversations come from other prompts than the preference data (seed 0)."""


def parse_export(spec: str) -> tuple[str, str] | None:
    """``(world dataset, format)`` for a spec such as ``world@ultrafeedback``; None for any other spec."""
    if "@" not in spec:
        return None
    world, fmt = spec.rsplit("@", 1)
    if parse_world_dataset(world) is None:
        return None
    if fmt not in FORMATS:
        raise ValueError(f"{spec}: the world exports as {' or '.join(FORMATS)}, not {fmt!r}")
    return world, fmt


def export_file(spec: str, world_prompts: int = 1000) -> Path:
    """The cached file for an export spec (``world[:VARIANT]@FORMAT``), written on first use."""
    world, fmt = parse_export(spec) or (None, None)
    if world is None:
        raise ValueError(f"{spec}: not a world export (world[:VARIANT]@{'|'.join(FORMATS)})")
    variant = parse_world_dataset(world)
    n_prompts = world_prompts if fmt == "ultrafeedback" else SFT_PROMPTS
    folder = stage_dir("exports", content_key("export", EXPORT_VERSION, variant.identity(), fmt, n_prompts))
    path = folder / f"{world.replace(':', '-')}-{fmt}.jsonl"
    with stage_lock(folder):
        if not path.exists():
            write_export(path, world, fmt, n_prompts)
    return path


def write_export(path: Path, world: str, fmt: str, n_prompts: int) -> Path:
    """Write ``n_prompts`` world records in ``fmt`` to ``path`` (JSON Lines, atomically)."""
    variant = parse_world_dataset(world)
    if fmt == "ultrafeedback":
        rows = [ultrafeedback_record(r) for r in build_world(n_prompts, seed=0, config=variant.config)]
    else:
        rows = [openhermes_record(r) for r in build_world(n_prompts, seed=SFT_SEED, config=variant.config)]
    write_text(Path(path), "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return Path(path)


def ultrafeedback_record(record: dict) -> dict:
    """A world record as UltraFeedback publishes one (the world's own spec left out)."""
    return {key: value for key, value in record.items() if key != "world_spec"}


def openhermes_record(record: dict) -> dict:
    """An instruction and its best-rated answer (by mean fine-grained rating), as an OpenHermes-2.5 row."""
    best = max(record["completions"], key=lambda c: c["fine-grained_score"])
    return {
        "conversations": [{"from": "human", "value": record["instruction"]}, {"from": "gpt", "value": best["response"]}],
        "source": f"pdbench-world/{record['source']}",
    }
