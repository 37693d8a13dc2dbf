"""Pairwise evaluation of a model against a baseline on named prompt sets (paper §5.1, App. B.2)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from pdbench.eval.config import DecodingConfig
from pdbench.eval.generate import generate_sets
from pdbench.eval.judge_cache import JudgeCache
from pdbench.eval.metrics import average_win, bootstrap_ci, position_consistency, win_score
from pdbench.eval.pairwise import Judge, judge_pairs
from pdbench.eval.verdicts import MAX_INVALID_SHARE, check_invalid_share
from pdbench.results import Pairwise, SetScore

log = logging.getLogger(__name__)


def pairwise_evaluation(
    model_path: str,
    baseline_path: str,
    sets: Mapping[str, Sequence[str]],
    judge: Judge,
    decoding: DecodingConfig,
    cache: JudgeCache | None = None,
    max_workers: int = 8,
    n_boot: int = 1000,
    refresh_generations: bool = False,
    refresh_judge: bool = False,
    baseline_decoding: DecodingConfig | None = None,
    max_invalid_share: float = MAX_INVALID_SHARE,
) -> Pairwise:
    """Generate with both models, judge every pair in both orders, and score each set and AW.

    ``baseline_decoding`` (default: ``decoding``) lets the baseline sample differently.
    Returns (a ``Pairwise``) per-set wins/ties/losses, win score with a bootstrap 95 % CI, invalid verdicts,
    position consistency and mean answer lengths; AW ± std with its CI; the judge's identity;
    the wall-clock seconds spent generating and judging (cache hits cost ~0); and the generations
    (for artifacts). Warns when many verdicts are invalid and raises InvalidVerdictsError above
    ``max_invalid_share`` (see ``pdbench.eval.verdicts.check_invalid_share``).
    """
    cache = cache or JudgeCache(refresh=refresh_judge)
    per_set, outcomes_by_set, samples = {}, {}, {}
    unparsed = []
    started = time.perf_counter()
    # All sets in one pass per model: fewer, fuller batches than set by set.
    model_records = generate_sets(model_path, sets, decoding, force=refresh_generations)
    baseline_records = generate_sets(baseline_path, sets, baseline_decoding or decoding, force=refresh_generations)
    seconds = {"generation": time.perf_counter() - started, "judging": 0.0}
    for name, prompts in sets.items():
        prompts = list(prompts)
        model_answers = [r["output"] for r in model_records[name]]
        baseline_answers = [r["output"] for r in baseline_records[name]]
        started = time.perf_counter()
        judged = judge_pairs(judge, prompts, model_answers, baseline_answers, cache, max_workers, desc=f"judging {name}")
        seconds["judging"] += time.perf_counter() - started
        unparsed += [r.raw for j in judged for r in (j.model_first, j.model_second) if r.scores is None]
        outcomes = [j.outcome for j in judged]
        outcomes_by_set[name] = outcomes
        per_set[name] = SetScore(
            n=len(outcomes),
            wins=outcomes.count("win"),
            ties=outcomes.count("tie"),
            losses=outcomes.count("loss"),
            win_score=win_score(outcomes),
            win_score_ci95=tuple(bootstrap_ci(outcomes, n_boot=n_boot)),
            invalid_verdicts=sum(j.n_invalid for j in judged),
            position_consistency=position_consistency([j.verdicts for j in judged]),
            avg_length=sum(map(len, model_answers)) / len(model_answers),
            baseline_avg_length=sum(map(len, baseline_answers)) / len(baseline_answers),
        )
        samples[name] = [
            {"instruction": p, "model": m, "baseline": b, "outcome": o}
            for p, m, b, o in zip(prompts, model_answers, baseline_answers, outcomes)
        ]
    warning = check_invalid_share(len(unparsed), 2 * sum(row.n for row in per_set.values()), judge.identity,
                                  max_invalid_share, unparsed[0] if unparsed else "")
    if warning:
        log.warning(warning)
    summary = average_win(outcomes_by_set, n_boot=n_boot)
    return Pairwise(sets=per_set, aw=summary["aw"], aw_std=summary["aw_std"], aw_ci95=tuple(summary["aw_ci95"]),
                    judge=judge.identity, decoding=asdict(decoding), seconds=seconds, samples=samples)


def format_table(pairwise: Pairwise) -> str:
    """The per-set table and AW line, as printed by ``pdbench eval`` and ``pdbench run``."""
    lines = [f"{'set':<16}{'n':>5}{'win':>6}{'tie':>6}{'loss':>6}{'score':>8}  {'95% CI':<15}{'invalid':>8}{'pos.cons':>9}{'len':>7}"]
    for name, row in pairwise.sets.items():
        low, high = row.win_score_ci95
        consistency = row.position_consistency
        lines.append(
            f"{name:<16}{row.n:>5}{row.wins:>6}{row.ties:>6}{row.losses:>6}{row.win_score:>8.3f}  "
            f"[{low:.2f}, {high:.2f}]  {row.invalid_verdicts:>6}{'' if consistency is None else f'{consistency:>9.2f}'}"
            f"{row.avg_length:>7.0f}"
        )
    low, high = pairwise.aw_ci95
    lines.append(f"AW = {pairwise.aw:.3f} ± {pairwise.aw_std:.3f}  (95% CI [{low:.3f}, {high:.3f}]; judge {pairwise.judge})")
    lines.extend(TABLE_LEGEND)
    return "\n".join(lines)


TABLE_LEGEND = (
    "  win / tie / loss: the policy's answer against the baseline's; a pair wins when its two verdicts"
    " (answers in both positions) sum above 0.",
    "  score = win score (wins - losses) / n + 1: 2 = always better, 1 = as good as the baseline, 0 = always"
    " worse; 95% CI by bootstrap over the prompts.",
    "  invalid = judge replies that did not parse (their pair counts as a tie); pos.cons = share of pairs whose"
    " two position-swapped verdicts agree; len = the policy's mean answer length in characters.",
    "  AW = average win score: the mean of the sets' scores ± their std across sets (paper §5.1).",
)
"""Printed under the table: what its columns mean."""
