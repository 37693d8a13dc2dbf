"""Fixture records in UltraFeedback's schema, written by the tests themselves."""

import random

import pytest

ASPECTS = ("helpfulness", "honesty", "instruction_following", "truthfulness")


def uf_completion(ratings, overall=5.0, response="an answer", list_form=False):
    """One UltraFeedback completion; ``ratings`` maps aspect -> "1".."5" / "N/A"."""
    annotations = {}
    for aspect, rating in ratings.items():
        annotation = {"Rating": rating, "Rationale": "because"}
        annotations[aspect] = [annotation] if list_form else annotation
    return {
        "model": "m",
        "response": response,
        "annotations": annotations,
        "overall_score": overall,
        "fine-grained_score": 0.0,
        "critique": "",
    }


def uf_record(completions, instruction="Say hi."):
    return {"source": "test", "instruction": instruction, "completions": completions, "models": ["m"] * len(completions)}


def random_uf_records(n, seed=0):
    """Records whose aspects disagree often enough for a wide attainable conflict range."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        completions = []
        for j in range(4):
            base = rng.randint(1, 5)
            ratings = {a: str(min(5, max(1, base + rng.choice([-3, -2, -1, 0, 1, 2, 3])))) for a in ASPECTS}
            completions.append(uf_completion(ratings, overall=rng.uniform(1, 10), response=f"resp {i}-{j} " * (j + 1)))
        records.append(uf_record(completions, instruction=f"prompt {i}"))
    return records


@pytest.fixture
def uf_records():
    return random_uf_records(400)
