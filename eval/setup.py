"""An evaluation's prompt sets, judge and AlpacaEval metrics, from eval's own configs.

eval is a leaf of pdbench: it takes paths and ``pdbench.eval.config`` objects, never a run's
configuration, so ``pdbench eval`` and ``pdbench run`` build the same judge from the same JudgeConfig.
"""

from __future__ import annotations

import os

from pdbench.eval.config import DecodingConfig, EvalConfig, JudgeConfig, check_judge_fits
from pdbench.eval.testsets import PAPER_SETS, load_alpaca_eval, load_test_set


def eval_sets(evaluation: EvalConfig) -> dict[str, list[str]]:
    """Named prompt lists: the world's held-out families, the paper's five sets, or chosen names."""
    limit = evaluation.prompts_per_set or None
    if evaluation.sets == "world":
        return {family: [s.prompt for s in specs[:limit]] for family, specs in world_specs(evaluation).items()}
    names = list(PAPER_SETS) if evaluation.sets == "paper" else [n.strip() for n in evaluation.sets.split(",")]
    return {name: load_test_set(name)[:limit] for name in names}


def build_judge(judge: JudgeConfig, evaluation: EvalConfig):
    """The judge ``judge`` describes: the world rubric (world prompts only) or an OpenAI-compatible model."""
    check_judge_fits(judge, evaluation)
    if judge.kind == "rubric":
        from pdbench.eval.judges.rubric_judge import RubricJudge

        return RubricJudge({s.prompt: s for family in world_specs(evaluation).values() for s in family})
    from pdbench.eval.judges.openai_judge import OpenAIJudge

    return OpenAIJudge(judge)


def alpaca_metrics(evaluation: EvalConfig, decoding: DecodingConfig, policy_path: str, reference_path: str) -> dict:
    """AlpacaEval-2 WR / LC of ``policy_path``: official on the 805 prompts (paper's sets), minimal-LC on world
    prompts, where the answers of ``reference_path`` (the initial policy) play GPT-4's reference answers."""
    from pdbench.eval.alpaca import minimal_length_controlled, preference_annotations
    from pdbench.eval.generate import generate_sets

    if evaluation.sets != "world":
        return _official(decoding, policy_path)
    # The world has no GPT-4 reference answers; the initial (SFT) policy's answers play the
    # reference, so WR / LC measure the change alignment made (the SFT model scores 50).
    from pdbench.world import mean_score

    limit = evaluation.prompts_per_set or None
    specs_by_family = {family: specs[:limit] for family, specs in world_specs(evaluation).items()}
    sets = {family: [s.prompt for s in specs] for family, specs in specs_by_family.items()}
    # Same prompts, set names and decoding as the pairwise evaluation: the policy's answers are cache
    # hits; the reference's are one pooled pass the first time.
    ours_by_family = generate_sets(policy_path, sets, decoding)
    ref_by_family = generate_sets(reference_path, sets, decoding)
    prompts, model, reference, preferences = [], [], [], []
    for family, specs in specs_by_family.items():
        ours = [r["output"] for r in ours_by_family[family]]
        ref = [r["output"] for r in ref_by_family[family]]
        for spec, a, b in zip(specs, ours, ref):
            score_a, score_b = mean_score(spec, a), mean_score(spec, b)
            preferences.append(2.0 if score_a > score_b else 1.0 if score_a < score_b else 1.5)
        prompts += sets[family]
        model += ours
        reference += ref
    metrics = minimal_length_controlled(preference_annotations(prompts, reference, model, preferences, "policy", "rubric"))
    metrics["reference"] = "initial policy (world)"
    return metrics


def _official(decoding: DecodingConfig, policy_path: str) -> dict:
    from pdbench.eval.alpaca import official_alpaca_eval
    from pdbench.eval.generate import generate
    from pdbench.infra.cache import cache_root

    references = load_alpaca_eval()
    outputs = generate(policy_path, [r["instruction"] for r in references], decoding, "alpaca_eval",
                       generator_name="pdbench-policy")
    annotator = os.environ.get("PDBENCH_ALPACA_ANNOTATOR", "weighted_alpaca_eval_gpt4_turbo")
    return official_alpaca_eval(outputs, references, annotator, cache_root() / "alpaca_eval", cache_root() / "alpaca_eval" / "out")


def world_specs(evaluation: EvalConfig):
    """The world's held-out prompt specs per family (``prompts_per_set`` each; 40 when it is 0 = all)."""
    from pdbench.world import heldout_specs

    return heldout_specs(n_per_family=evaluation.prompts_per_set or 40, seed=0)
