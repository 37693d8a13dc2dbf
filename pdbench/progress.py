"""What a run prints about itself: each stage's name, whether it was reused from the cache or
computed, how long it took, and an estimate of what remains.

Estimates come from this machine's own timings: every computed stage records its seconds per unit
of work (per trained pair, say) in the cache folder, keyed by preset, so the next run of the same
preset can say how long its remaining stages will take. Within a run, the policy's training rate
also estimates the baseline's training, so even a first run has an estimate for the longest stage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from pdbench.fileio import write_json

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
    """Known work of stages not yet started (e.g. the baseline's pairs), for the estimate."""
    _done: list[str] = field(default_factory=list)
    _started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str, work: float = 1.0) -> Iterator[Stage]:
        """Time the body as stage ``name``; print its outcome and the estimated time left."""
        stage = Stage(name, work)
        self.echo(f"[{len(self._done) + 1}/{len(self.stages)}] {name} ...")
        started = time.perf_counter()
        yield stage
        stage.seconds = time.perf_counter() - started
        self._done.append(name)
        if not stage.cached:
            self._record_rate(stage)
        how = "reused from cache" if stage.cached else "computed"
        self.echo(f"[{len(self._done)}/{len(self.stages)}] {name}: {how} in {duration(stage.seconds)}"
                  f"  (elapsed {duration(time.perf_counter() - self._started)}{self._left()})")
        if self.on_finish:
            self.on_finish(stage)

    def _left(self) -> str:
        # Stages known to have no work (reused from the cache) cost nothing and are left out.
        remaining = [s for s in self.stages if s not in self._done and self.work.get(s, 1.0) > 0]
        if not remaining:
            return ""
        rates = self._rates()
        known = [s for s in remaining if _rate_key(s) in rates]
        unknown = ", ".join(s for s in remaining if s not in known)
        if not known:
            return f"; time left unknown: {unknown} not yet timed on this machine"
        seconds = sum(rates[_rate_key(s)] * self.work.get(s, 1.0) for s in known)
        return f"; about {duration(seconds)} left" + (f" + {unknown} (not yet timed on this machine)" if unknown else "")

    def _rates(self) -> dict[str, float]:
        if self.timings_file is None or not self.timings_file.exists():
            return {}
        return json.loads(self.timings_file.read_text()).get(self.preset, {})

    def _record_rate(self, stage: Stage) -> None:
        if self.timings_file is None or stage.work <= 0:
            return
        timings = json.loads(self.timings_file.read_text()) if self.timings_file.exists() else {}
        timings.setdefault(self.preset, {})[_rate_key(stage.name)] = stage.seconds / stage.work
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
