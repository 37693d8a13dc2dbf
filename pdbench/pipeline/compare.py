"""``pdbench eval``: two models' answers judged in both orders, with the judge and settings a run would use."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pdbench.eval.config import AlpacaEvalConfig, DecodingConfig, EvalConfig, JudgeConfig
from pdbench.infra.fileio import write_json
from pdbench.infra.models import check_model_spec, resolve_model_path
from pdbench.results import Pairwise


@dataclass(frozen=True)
class Comparison:
    """What ``pdbench eval`` prints and writes: the pairwise evaluation, AlpacaEval 2 when asked for, and how many
    requests the judge was sent (None for a judge that sends none)."""

    pairwise: Pairwise
    alpaca_eval: dict | None = None
    judge_requests: int | None = None

    def to_dict(self) -> dict:
        """The JSON of ``--out``'s result.json: the pairwise fields at the top, as ``pdbench eval`` always wrote."""
        extra = {"alpaca_eval": self.alpaca_eval} if self.alpaca_eval is not None else {}
        return {**self.pairwise.to_dict(), **extra, "judge_requests": self.judge_requests}


def compare_models(model: str, baseline: str, evaluation: EvalConfig, judge: JudgeConfig, decoding: DecodingConfig,
                   baseline_temperature: float | None = None, force: frozenset[str] = frozenset(),
                   alpaca: AlpacaEvalConfig | None = None, out: Path | None = None) -> Comparison:
    """Pairwise evaluation of ``model`` against ``baseline`` (model specs); ``force`` holds ``generate`` and / or
    ``judge`` to redo cached answers or verdicts. With ``alpaca`` also AlpacaEval-2 WR / LC of ``model`` (on the
    world, against ``baseline``'s answers). Writes result.json and samples.json to ``out`` if given."""
    from pdbench.eval.evaluate import pairwise_evaluation
    from pdbench.eval.setup import alpaca_metrics, build_judge, eval_sets
    from pdbench.infra.quiet import known_warnings_silenced

    check_model_spec(model, "--model")
    check_model_spec(baseline, "--baseline")
    judge_instance = build_judge(judge, evaluation)
    judge_instance.check()
    model_path, baseline_path = resolve_model_path(model), resolve_model_path(baseline)
    baseline_decoding = None if baseline_temperature is None else replace(decoding, temperature=baseline_temperature)
    with judge_instance.serving():
        pairwise = pairwise_evaluation(model_path, baseline_path, eval_sets(evaluation), judge_instance, decoding,
                                       baseline_decoding=baseline_decoding, refresh_generations="generate" in force,
                                       refresh_judge="judge" in force, max_invalid_share=evaluation.max_invalid_share)
        metrics = None
        if alpaca:
            with known_warnings_silenced():
                metrics = alpaca_metrics(evaluation, alpaca, decoding, model_path, baseline_path,
                                         Path(out or ".") / "alpaca_eval", judge_instance)
    result = Comparison(pairwise, metrics, getattr(judge_instance, "requests", None))
    if out:
        write_json(Path(out) / "result.json", result.to_dict())
        write_json(Path(out) / "samples.json", pairwise.samples)
    return result
