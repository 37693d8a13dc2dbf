"""An evaluation's prompt sets, judge and AlpacaEval metrics, from eval's own configs.

eval is a leaf of pdbench: it takes paths and ``pdbench.eval.config`` objects, never a run's
configuration, so ``pdbench eval`` and ``pdbench run`` build the same judge from the same JudgeConfig.
"""

from __future__ import annotations

from pdbench.eval.config import AlpacaEvalConfig, DecodingConfig, EvalConfig, JudgeConfig, check_judge_fits
from pdbench.eval.testsets import PAPER_SETS, alpaca_reference_path, load_alpaca_eval, load_test_set


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


def alpaca_sets(evaluation: EvalConfig, alpaca: AlpacaEvalConfig) -> dict[str, list[str]]:
    """The prompt sets AlpacaEval asks the policy: the world's held-out sets (world prompts), else its 805."""
    if evaluation.sets == "world":
        return eval_sets(evaluation)
    return {"alpaca_eval": [r["instruction"] for r in load_alpaca_eval(alpaca.reference_file)]}


def alpaca_metrics(evaluation: EvalConfig, alpaca: AlpacaEvalConfig, decoding: DecodingConfig, policy_path: str,
                   reference_path: str, output_dir, judge=None) -> dict:
    """AlpacaEval-2 WR / LC of ``policy_path``.

    On AlpacaEval's 805 prompts against GPT-4-turbo's answers, or on the world's held-out prompts against the
    answers of ``reference_path`` (the initial policy; the SFT model then scores 50). Annotated by the world's
    rubric (minimal LC, no alpaca_eval annotator), or through ``alpaca_eval.evaluate`` by an alpaca_eval annotator
    or the run's ``judge`` (``pdbench.eval.alpaca.official_alpaca_eval``).
    """
    from pdbench.eval.alpaca import official_alpaca_eval
    from pdbench.infra.cache import cache_root

    sets = alpaca_sets(evaluation, alpaca)
    # The same prompts, set names and decoding as the generation stage's: cache hits.
    ours = _answers(policy_path, sets, decoding, "pdbench-policy")
    if alpaca.is_rubric:
        return _rubric_alpaca(evaluation, sets, ours, _answers(reference_path, sets, decoding, "initial-policy"))
    if evaluation.sets == "world":
        reference_file = _reference_file(_answers(reference_path, sets, decoding, "initial-policy"))
    else:
        reference_file = alpaca_reference_path(alpaca.reference_file)
    metrics = official_alpaca_eval(ours, reference_file, alpaca.annotator, cache_root() / "alpaca_eval", output_dir,
                                   is_official_lc=evaluation.sets != "world", judge=judge)
    return {**metrics, "reference": "initial policy (world)" if evaluation.sets == "world" else "GPT-4 turbo"}


def _answers(model_path: str, sets: dict[str, list[str]], decoding: DecodingConfig, name: str) -> list[dict]:
    """The model's answers to every set, in order, as alpaca_eval's records (``generator`` = ``name``)."""
    from pdbench.eval.generate import generate_sets

    return [{**r, "generator": name} for records in generate_sets(model_path, sets, decoding).values() for r in records]


def _reference_file(records: list[dict]):
    """The reference answers as a JSON file alpaca_eval reads (written once per content, in the cache)."""
    import json

    from pdbench.infra.cache import cache_root, content_key
    from pdbench.infra.fileio import write_text

    path = cache_root() / "alpaca_eval" / "references" / f"{content_key('reference', records)}.json"
    if not path.exists():
        write_text(path, json.dumps(records, ensure_ascii=False, indent=1))
    return path


def _rubric_alpaca(evaluation: EvalConfig, sets: dict, ours: list[dict], reference: list[dict]) -> dict:
    """WR / LC on world prompts, the gold rubric deciding each (policy, initial policy) pair; minimal LC."""
    from pdbench.eval.alpaca import minimal_length_controlled, preference_annotations
    from pdbench.world import mean_score

    limit = evaluation.prompts_per_set or None
    specs = [spec for family, family_specs in world_specs(evaluation).items() for spec in family_specs[:limit]]
    reference = [r["output"] for r in reference]
    model = [r["output"] for r in ours]
    preferences = []
    for spec, a, b in zip(specs, model, reference, strict=True):
        score_a, score_b = mean_score(spec, a), mean_score(spec, b)
        preferences.append(2.0 if score_a > score_b else 1.0 if score_a < score_b else 1.5)
    prompts = [p for name in sets for p in sets[name]]
    metrics = minimal_length_controlled(preference_annotations(prompts, reference, model, preferences, "policy", "rubric"))
    metrics["reference"] = "initial policy (world)"
    return metrics


def world_specs(evaluation: EvalConfig):
    """The world's held-out prompt specs per family (``prompts_per_set`` each; 40 when it is 0 = all)."""
    from pdbench.world import heldout_specs

    return heldout_specs(n_per_family=evaluation.prompts_per_set or 40, seed=0)
