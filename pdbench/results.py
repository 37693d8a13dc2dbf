"""A finished run's result, typed: what ``pdbench run`` returns, writes to ``result.json``, prints, tracks and ranks.

The report, the tracking record, the leaderboard's folder reader and the sweep read these attributes instead of
a dict by key, so a renamed or missing field fails here, in one place, with the file and field named. The JSON
layout of ``result.json`` is unchanged (``to_dict`` writes it, ``from_dict`` reads it), so run folders and the
committed experiment cells written by earlier versions still read; fields added later are optional.

It sits below evaluation, tracking and the leaderboard (which all read it); of pdbench it imports only infra.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

BEHAVIOUR, BEHAVIOUR_VS_SFT = "behaviour.", "behaviour_vs_sft."
"""The metric-key prefixes of a cell's behaviour profile and of its change against SFT (``behaviour_metrics``)."""


class ResultFileError(ValueError):
    """A result.json that is not a finished run's result: names the file and the field."""


@dataclass(frozen=True)
class SetScore:
    """One test set's pairwise outcome, policy against baseline, both answer orders judged."""

    n: int
    wins: int
    ties: int
    losses: int
    win_score: float
    """(wins - losses) / n + 1: 2 always better, 1 as good as the baseline, 0 always worse."""
    win_score_ci95: tuple[float, float]
    """Bootstrap over the set's prompts."""
    invalid_verdicts: int
    """Judge replies that did not parse (their pair counts as a tie)."""
    position_consistency: float | None
    """Share of pairs whose two position-swapped verdicts agree (None without valid pairs)."""
    avg_length: float
    """The policy's mean answer length in characters."""
    baseline_avg_length: float | None = None
    """The baseline's (absent from results written before it was kept)."""


@dataclass(frozen=True)
class Pairwise:
    """The pairwise evaluation (paper §5.1): per-set win scores and their average, AW, with its spread."""

    sets: dict[str, SetScore]
    aw: float
    aw_std: float
    """Std of the sets' win scores (the paper's ±: across test sets, not seeds)."""
    aw_ci95: tuple[float, float]
    judge: str
    """The judge's identity (model, endpoint kind, prompt version)."""
    decoding: dict | None = None
    seconds: dict | None = None
    """Generation and judging wall-clock of this evaluation."""
    samples: dict[str, list[dict]] = field(default_factory=dict, repr=False, compare=False)
    """Per set: instruction, both answers and the outcome; written to samples.json, not to result.json."""

    @property
    def answer_chars(self) -> float:
        """The policy's mean answer length over the sets (characters)."""
        return _mean(row.avg_length for row in self.sets.values())

    @property
    def baseline_answer_chars(self) -> float | None:
        """The baseline's, when every set recorded it."""
        rows = self.sets.values()
        return None if any(r.baseline_avg_length is None for r in rows) else _mean(r.baseline_avg_length for r in rows)

    @property
    def invalid_verdicts(self) -> int:
        return sum(row.invalid_verdicts for row in self.sets.values())

    def to_dict(self) -> dict:
        """result.json's ``pairwise`` (without the samples)."""
        return {name: value for name, value in asdict(self).items() if name != "samples"}

    @classmethod
    def from_dict(cls, data: dict) -> Pairwise:
        sets = {name: _build(SetScore, row, f"pairwise.sets.{name}") for name, row in data["sets"].items()}
        return _build(cls, {**data, "sets": sets}, "pairwise")


@dataclass(frozen=True)
class PlanSummary:
    """What the strategy selected."""

    rows: int
    """Pairs trained on."""
    relabelled: int
    """Pairs whose chosen and rejected answers the strategy swapped."""
    objective: str
    selected_conflict_rate: float | None
    """Share of the selected pairs whose aspects conflict (None when nothing was selected)."""


@dataclass(frozen=True)
class DeviceHours:
    """Device-hours (GPU-hours on GPUs) per part: wall-clock x devices (``pdbench.pipeline.runner.gpu_hours``)."""

    selection: float
    training: float
    evaluation: float
    total: float
    device: str
    """The device that trained (or evaluated, for strategies that do not train): ``cpu`` or a GPU's name."""
    sft: float | None = None
    """The SFT stages' (absent from results written before they were counted)."""

    @property
    def unit(self) -> str:
        return "GPU-hours" if self.device != "cpu" else "device-hours (cpu)"


@dataclass(frozen=True)
class RunResult:
    """One cell's result. ``alpaca_eval``, ``behaviour``, ``taught``, ``costs`` and ``paths`` stay the free-form
    records their stages write (each read by key in one place: the report, the tracking record)."""

    config: dict
    """The run's configuration as ``RunConfig.to_dict`` wrote it."""
    plan: PlanSummary
    pairwise: Pairwise
    gpu_hours: DeviceHours
    costs: dict
    """Per stage: seconds, devices, device, cached, and the stage's own extras."""
    alpaca_eval: dict | None = None
    """AlpacaEval 2: ``win_rate``, ``length_controlled_winrate``, ``lc_kind`` and where they came from."""
    behaviour: dict | None = None
    """On the world: the policy's behaviour profile and its change against SFT."""
    taught: dict | None = None
    """On the world: what the trained-on pairs teach, by the gold rubric (all / conflicting / consistent)."""
    paths: dict | None = None
    """Which code path each stage ran (absent from results written before it was kept)."""
    policy_path: str = ""
    baseline_path: str = ""

    @property
    def strategy(self) -> str:
        return self.config["strategy"]

    @property
    def wr(self) -> float | None:
        """AlpacaEval 2's win rate (None when not run or not annotated)."""
        return (self.alpaca_eval or {}).get("win_rate")

    @property
    def lc(self) -> float | None:
        """AlpacaEval 2's length-controlled win rate."""
        return (self.alpaca_eval or {}).get("length_controlled_winrate")

    @property
    def training_record(self) -> dict:
        """The training stage's cost record (empty when nothing was trained)."""
        return self.costs.get("training") or {}

    @property
    def precision(self) -> str | None:
        """The arithmetic the cell's models trained in, ``bf16`` or ``fp32`` (``train.precision: auto`` resolves per
        machine): its policy's DPO, or for a cell that trains no DPO (``sft``) that of the baseline it is scored
        against; None in results that predate the record."""
        records = (self.costs.get(stage) for stage in ("training", "baseline"))
        return next((r["precision"] for r in records if isinstance(r, dict) and r.get("precision")), None)

    @property
    def behaviour_metrics(self) -> dict[str, float]:
        """``behaviour``, flat: ``behaviour.<property>`` (the policy's profile by the world's gold rubric) and
        ``behaviour_vs_sft.<property>`` (its change against SFT), as MLflow and ``folder_cells`` name them; empty
        off the world."""
        behaviour = self.behaviour or {}
        return {f"{prefix}{name}": value
                for who, prefix in (("policy", BEHAVIOUR), ("policy_vs_sft", BEHAVIOUR_VS_SFT))
                for name, value in behaviour.get(who, {}).items()}

    def to_dict(self) -> dict:
        """The JSON of result.json."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(plan=asdict(self.plan), pairwise=self.pairwise.to_dict(), gpu_hours=asdict(self.gpu_hours))
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunResult:
        """Raises ResultFileError naming the first missing or malformed field."""
        if not isinstance(data, dict):
            raise ResultFileError(f"expected a JSON object, got {type(data).__name__}")
        for name in ("pairwise", "plan", "gpu_hours"):
            if not isinstance(data.get(name), dict):
                raise ResultFileError(f"field {name!r} is missing" if name not in data else f"field {name!r} is not an object")
        if not isinstance(data["pairwise"].get("sets"), dict):
            raise ResultFileError("field 'pairwise.sets' is missing or not an object")
        return _build(cls, {**data, "plan": _build(PlanSummary, data["plan"], "plan"),
                            "pairwise": Pairwise.from_dict(data["pairwise"]),
                            "gpu_hours": _build(DeviceHours, data["gpu_hours"], "gpu_hours")}, "")

    @classmethod
    def read(cls, path: Path) -> RunResult:
        """A run folder's result.json (or the file itself); one line naming the file and field when it is not one."""
        path = Path(path)
        path = path / "result.json" if path.is_dir() else path
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            raise ResultFileError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
        except ResultFileError as error:
            raise ResultFileError(f"{path}: {error}") from None

    def write(self, run_dir: Path) -> None:
        """``run_dir/result.json`` and, when the evaluation kept them, ``run_dir/samples.json``."""
        from pdbench.infra.fileio import write_json

        write_json(Path(run_dir) / "result.json", self.to_dict())
        if self.pairwise.samples:
            write_json(Path(run_dir) / "samples.json", self.pairwise.samples)


def _build(cls, data: dict, where: str):
    """``cls(**data)`` for the fields it knows (later versions may add fields); a missing one is named."""
    known = {f.name for f in fields(cls)}
    missing = [f.name for f in fields(cls) if f.name not in data and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        raise ResultFileError(f"field {'.'.join(filter(None, [where, missing[0]]))!r} is missing")
    values = {name: value for name, value in data.items() if name in known}
    for name in ("win_score_ci95", "aw_ci95"):
        if name in values:
            values[name] = tuple(values[name])
    return cls(**values)


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)

