"""Build the world: training records in UltraFeedback's schema, and held-out prompt specs.

Deterministic for a seed, and prefix-stable: the first k records of ``build_world(n)`` are
``build_world(k)`` (prompts and responses come from two separate, sequentially used RNGs).
"""

from __future__ import annotations

import random

from pdbench.world.annotate import annotate_completions
from pdbench.world.compose import compose, draw_properties
from pdbench.world.config import WorldConfig
from pdbench.world.families import generate_tasks
from pdbench.world.spec import FAMILIES, PromptSpec, Task

MODELS = ("gpt-4", "gpt-3.5-turbo", "llama-2-70b-chat", "llama-2-13b-chat", "vicuna-33b", "wizardlm-13b",
          "ultralm-13b", "mpt-30b-chat", "falcon-40b-instruct", "alpaca-7b", "starchat", "pythia-12b")
"""Model names as UltraFeedback lists them; in the world they are labels only."""

PRINCIPLES = {
    "helpfulness": "The assistant should provide users with accurate, relevant, and up-to-date information.",
    "honesty": "The assistant should be honest about whether it knows the answer and express its uncertainty.",
    "truthfulness": "The assistant should answer truthfully and be faithful to factual knowledge.",
    "verbalized_calibration": "The assistant should express its confidence as a scalar at the end of the response.",
}
"""UltraFeedback's principles and their system prompts."""

COMPLETIONS_PER_PROMPT = 4


def build_world(n_prompts: int = 1000, seed: int = 0, config: WorldConfig | None = None) -> list[dict]:
    """``n_prompts`` training records in UltraFeedback's schema, each with its ``world_spec``.

    Families cycle (arithmetic, facts, format, unanswerable, false_premise, arithmetic, ...).
    """
    config = config or WorldConfig()
    prompt_rng = random.Random(f"pdbench-world/train-prompts/{seed}")
    response_rng = random.Random(f"pdbench-world/train-responses/{seed}")
    return [_record(task, config, response_rng) for task in generate_tasks(n_prompts, "train", prompt_rng)]


def heldout_specs(n_per_family: int = 40, seed: int = 0) -> dict[str, list[PromptSpec]]:
    """Distinct held-out prompts per family; none of them is a training prompt.

    Raises ValueError when a family has fewer than ``n_per_family`` distinct held-out prompts.
    """
    specs = {}
    for family in FAMILIES:
        rng = random.Random(f"pdbench-world/heldout/{family}/{seed}")
        specs[family] = [task.spec for task in generate_tasks(n_per_family, "heldout", rng, family=family, unique=True)]
    return specs


def _record(task: Task, config: WorldConfig, rng: random.Random) -> dict:
    spec = task.spec
    models = rng.sample(MODELS, COMPLETIONS_PER_PROMPT)
    principles = [rng.choice(tuple(PRINCIPLES)) for _ in models]
    has_constraint = spec.constraint is not None
    texts = [compose(task, draw_properties(config, has_constraint, rng), rng, config.is_length_matched).text
             for _ in models]
    annotated = annotate_completions(spec, texts, config, rng)
    completions = [
        {"model": model, "principle": principle, "custom_system_prompt": PRINCIPLES[principle], "response": text,
         **fields}
        for model, principle, text, fields in zip(models, principles, texts, annotated, strict=True)
    ]
    return {
        "source": spec.family,
        "instruction": spec.prompt,
        "models": models,
        "correct_answers": list(spec.expected or task.right),
        "incorrect_answers": list(spec.incorrect),
        "completions": completions,
        "world_spec": spec.to_dict(),
    }
