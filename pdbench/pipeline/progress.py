"""What a run prints about itself: each stage's name, whether it was reused from the cache or
computed, how long it took, and an estimate of what remains.

Estimates come from this machine's own timings: every computed stage records its seconds per unit
of work (per trained pair, say) and its work in the cache folder, keyed by preset, so the next run of
the same preset can say how long its remaining stages will take (a stage whose work is not known yet
is assumed to be as large as last time). Within a run, the policy's training rate also estimates the
baseline's training, so even a first run has an estimate for the longest stage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from pdbench.infra.fileio import write_json

PROGRESS_STAGES = ("initial_policy", "pairs", "selection", "training", "baseline", "generation", "evaluation")
"""The stages every run goes through, in order (``stage_names`` adds the optional ones)."""


def stage_names(config) -> list[str]:
    """The stages a run of ``config`` goes through and prints, in order: then ``alpaca_eval`` when it computes
    WR / LC, and ``behaviour`` on the world."""
    return [*PROGRESS_STAGES, *(["alpaca_eval"] if config.alpaca_eval else []),
            *(["behaviour"] if config.eval_sets == "world" else [])]


SAME_RATE = {"baseline": "training"}
"""Stages whose work is the same kind as another's (the baseline is DPO training too)."""


@dataclass
class Stage:
    """One stage as it runs; the stage's body sets ``cached`` when it reused its output."""

    name: str
    work: float = 1.0
    """Units of work (pairs to train on, ...); estimates scale with it."""
    cached: bool = False
    seconds: float = 0.0
    note: str = ""
    """Why the stage was computed, when that is news (the body sets it): printed after the outcome."""


@dataclass
class Progress:
    """Prints stages as they start and finish; ``on_finish(stage)`` hears of each finished stage."""

    stages: list[str]
    timings_file: Path | None = None
    """Seconds per unit of work of each stage, from earlier runs on this machine (``None``: none kept)."""
    preset: str = ""
    echo: Callable[[str], None] = click.echo
    on_finish: Callable[[Stage], None] | None = None
    work: dict[str, float] = field(default_factory=dict)
    """Units of work of each stage, as soon as the run knows them (pairs to train on, prompts to answer);
    0 = nothing to compute (reused from the cache)."""
    _done: list[str] = field(default_factory=list)
    _started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time the body as stage ``name`` (its work from ``work``, else 1); print its outcome and the time left."""
        stage = Stage(name, self.work.get(name, 1.0))
        self.echo(f"[{len(self._done) + 1}/{len(self.stages)}] {name} ...")
        started = time.perf_counter()
        yield stage
        stage.seconds = time.perf_counter() - started
        self._done.append(name)
        if not stage.cached:
            self._record(stage)
        how = ("reused from cache" if stage.cached else "computed") + (f" ({stage.note})" if stage.note else "")
        self.echo(f"[{len(self._done)}/{len(self.stages)}] {name}: {how} in {duration(stage.seconds)}"
                  f"  (elapsed {duration(time.perf_counter() - self._started)}{self._left()})")
        if self.on_finish:
            self.on_finish(stage)

    def _left(self) -> str:
        # Stages known to have no work (reused from the cache) cost nothing and are left out.
        remaining = [s for s in self.stages if s not in self._done and self.work.get(s, 1.0) > 0]
        if not remaining:
            return ""
        timings = self._timings()
        known = [s for s in remaining if _rate_key(s) in timings]
        unknown = ", ".join(s for s in remaining if s not in known)
        if not known:
            return f"; time left unknown: {unknown} not yet timed on this machine"
        seconds = sum(self._estimate(s, timings) for s in known)
        return f"; about {duration(seconds)} left" + (f" + {unknown} (not yet timed on this machine)" if unknown else "")

    def _estimate(self, name: str, timings: dict) -> float:
        """Seconds per unit of work x the stage's work (as much as last time, while it is not known yet)."""
        timing = timings[_rate_key(name)]
        return timing["per_unit"] * self.work.get(name, timings.get(name, timing)["work"])

    def _timings(self) -> dict[str, dict]:
        if self.timings_file is None or not self.timings_file.exists():
            return {}
        recorded = json.loads(self.timings_file.read_text()).get(self.preset, {})
        return {name: timing for name, timing in recorded.items() if isinstance(timing, dict)}  # older formats: ignored

    def _record(self, stage: Stage) -> None:
        if self.timings_file is None or stage.work <= 0:
            return
        timings = json.loads(self.timings_file.read_text()) if self.timings_file.exists() else {}
        timings.setdefault(self.preset, {})[_rate_key(stage.name)] = {"per_unit": stage.seconds / stage.work,
                                                                      "work": stage.work}
        write_json(self.timings_file, timings)


def _rate_key(name: str) -> str:
    return SAME_RATE.get(name, name)


def duration(seconds: float) -> str:
    """3.2 s, 4 min 05 s, 1 h 02 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
