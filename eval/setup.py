"""Evaluation sets, judge and AlpacaEval metrics of a run, from its RunConfig."""

from __future__ import annotations

from pdbench.eval.testsets import PAPER_SETS, load_alpaca_eval, load_test_set


def eval_sets(config) -> dict[str, list[str]]:
    """Named prompt lists: the world's held-out families, the paper's five sets, or chosen names."""
    limit = config.eval_prompts_per_set or None
    if config.eval_sets == "world":
        return {family: [s.prompt for s in specs[:limit]] for family, specs in world_specs(config).items()}
    names = list(PAPER_SETS) if config.eval_sets == "paper" else [n.strip() for n in config.eval_sets.split(",")]
    return {name: load_test_set(name)[:limit] for name in names}


def build_judge(config):
    """The run's judge: ``rubric`` (world prompts) or ``openai:MODEL`` at ``judge_base_url``."""
    if config.judge == "rubric":
        from pdbench.eval.judges.rubric_judge import RubricJudge

        if config.eval_sets != "world":
            raise ValueError("the rubric judge only rates world prompts; use --judge openai:MODEL for the paper's sets")
        specs = {s.prompt: s for family in world_specs(config).values() for s in family}
        return RubricJudge(specs)
    if config.judge.startswith("openai:"):
        from pdbench.eval.judges.openai_judge import OpenAIJudge, OpenAIJudgeConfig

        return OpenAIJudge(OpenAIJudgeConfig(model=config.judge.split(":", 1)[1], base_url=config.judge_base_url,
                                             api_key_env=config.judge_api_key_env, timeout_s=config.judge_timeout_s,
                                             max_retries=config.judge_max_retries))
    raise ValueError(f"unknown judge {config.judge!r}; use rubric or openai:MODEL")


def alpaca_metrics(config, policy_path: str) -> dict:
    """AlpacaEval-2 WR / LC: official on the 805 prompts (paper scale), minimal-LC on world prompts (tiny)."""
    from pdbench.eval.alpaca import minimal_length_controlled, preference_annotations
    from pdbench.eval.generate import generate_sets
    from pdbench.pipeline.stages import initial_policy_stage

    if config.eval_sets != "world":
        return _official(config, policy_path)
    # The world has no GPT-4 reference answers; the initial (SFT) policy's answers play the
    # reference, so WR / LC measure the change alignment made (the SFT model scores 50).
    from pdbench.world import mean_score

    reference_path, _ = initial_policy_stage(config)
    limit = config.eval_prompts_per_set or None
    specs_by_family = {family: specs[:limit] for family, specs in world_specs(config).items()}
    sets = {family: [s.prompt for s in specs] for family, specs in specs_by_family.items()}
    # Same prompts, set names and decoding as the pairwise evaluation: the policy's answers are cache
    # hits; the reference's are one pooled pass the first time.
    ours_by_family = generate_sets(policy_path, sets, config.decoding)
    ref_by_family = generate_sets(reference_path, sets, config.decoding)
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


def _official(config, policy_path: str) -> dict:
    import os

    from pdbench.eval.alpaca import official_alpaca_eval
    from pdbench.eval.generate import generate
    from pdbench.infra.cache import cache_root

    references = load_alpaca_eval()
    outputs = generate(policy_path, [r["instruction"] for r in references], config.decoding, "alpaca_eval",
                       generator_name="pdbench-policy")
    annotator = os.environ.get("PDBENCH_ALPACA_ANNOTATOR", "weighted_alpaca_eval_gpt4_turbo")
    return official_alpaca_eval(outputs, references, annotator, cache_root() / "alpaca_eval", cache_root() / "alpaca_eval" / "out")


def world_specs(config):
    from pdbench.world import heldout_specs

    return heldout_specs(n_per_family=config.eval_prompts_per_set or 40, seed=0)
