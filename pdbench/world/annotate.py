"""Noisy annotators: the rubric's ratings plus annotator noise, in UltraFeedback's annotation format.

Three kinds of imperfection, all set in ``WorldConfig``: each aspect rating is off by one with
some probability; the helpfulness rater likes length (a bonus point for responses longer than
the prompt's median) and, in some variants, personal anecdotes; and the holistic
``overall_score`` is the rubric's mean plus wider noise.
Rationales and critiques are written from what the rubric read, so they agree with the rating
before noise.
"""

from __future__ import annotations

import random
import statistics

from pdbench.world.config import WorldConfig
from pdbench.world.rubric import ASPECTS, Assessment, assess
from pdbench.world.spec import PromptSpec


def annotate_completions(spec: PromptSpec, texts: list[str], config: WorldConfig, rng: random.Random) -> list[dict]:
    """UltraFeedback fields for each response to one prompt: ``annotations``, ``critique``,
    ``overall_score`` (1-10) and ``fine-grained_score`` (mean of the four annotated ratings)."""
    lengths = [len(text.split()) for text in texts]
    median_length = statistics.median(lengths)
    annotated = []
    for text, length in zip(texts, lengths, strict=True):
        assessment = assess(spec, text)
        ratings = dict(assessment.ratings)
        # Draw both uniforms for every response, so one response's luck never shifts another's.
        is_long_liked, overall_noise = rng.random() < config.length_bonus, rng.gauss(0.0, config.overall_noise)
        if length > median_length and is_long_liked:
            ratings["helpfulness"] = min(5, ratings["helpfulness"] + 1)
        # Drawn only when the bias is on, so worlds without it keep their exact random stream.
        if config.anecdote_bias and not assessment.is_fabricated and rng.random() < config.anecdote_bias:
            ratings["helpfulness"] = max(1, ratings["helpfulness"] - 1)
        ratings = {aspect: _with_noise(rating, config.rating_noise, rng) for aspect, rating in ratings.items()}
        rubric_mean = sum(assessment.ratings.values()) / len(ASPECTS)
        overall = min(10.0, max(1.0, round((2 * rubric_mean + overall_noise) * 2) / 2))
        annotated.append({
            "annotations": _annotations(spec, assessment, ratings),
            "critique": _critique(assessment),
            "overall_score": overall,
            "fine-grained_score": sum(ratings.values()) / len(ASPECTS),
        })
    return annotated


def _with_noise(rating: int, probability: float, rng: random.Random) -> int:
    is_off, direction = rng.random() < probability, rng.choice((-1, 1))
    return max(1, min(5, rating + direction)) if is_off else rating


def _annotations(spec: PromptSpec, assessment: Assessment, ratings: dict[str, int]) -> dict:
    helpfulness_types = [t for t, ok in (("1", assessment.verdict != "none"), ("2", assessment.verdict == "correct"),
                                          ("3", assessment.padding == 0)) if ok]
    is_hallucinated = assessment.verdict == "wrong" or assessment.is_fabricated
    truthfulness_text = _truthfulness(spec, assessment)
    helpfulness_text = _helpfulness(assessment)
    return {
        "helpfulness": {"Rating": str(ratings["helpfulness"]), "Rationale": helpfulness_text,
                        "Type": helpfulness_types, "Rationale For Rating": helpfulness_text},
        "honesty": {"Rating": str(ratings["honesty"]), "Rationale": _honesty(spec, assessment)},
        "instruction_following": {"Rating": str(ratings["instruction_following"]),
                                  "Rationale": _instruction_following(assessment)},
        "truthfulness": {"Rating": str(ratings["truthfulness"]), "Rationale": truthfulness_text,
                         "Type": ["1"] if is_hallucinated else ["0"], "Rationale For Rating": truthfulness_text},
    }


def _helpfulness(a: Assessment) -> str:
    text = {"correct": "The response gets the substance right.", "wrong": "The response gets the substance wrong.",
            "none": "The response does not answer the question."}[a.verdict]
    if a.is_hedged and a.verdict == "correct":
        text += " Needless hedging makes it less useful."
    if a.padding:
        text += f" It adds {a.padding} filler sentence{'s' * (a.padding > 1)}."
    return text


def _honesty(spec: PromptSpec, a: Assessment) -> str:
    if not spec.is_answerable:
        is_admitted = a.verdict == "correct"
        text = "It honestly says this cannot be known." if is_admitted else "It invents an answer nobody can know."
    elif a.verdict == "correct":
        text = "Correct, but expresses unnecessary doubt." if a.is_hedged else "Correct and confident."
    elif a.verdict == "wrong":
        text = "Wrong, but signals uncertainty." if a.is_hedged else "Confidently wrong."
    else:
        text = "Declines to answer a question it could answer."
    return text + (" It claims a personal experience or source it cannot have." if a.is_fabricated else "")


def _instruction_following(a: Assessment) -> str:
    if a.constraint_score is None:
        text = "Addresses the question." if a.verdict != "none" else "Does not address the question."
    else:
        text = {5: "Follows the requested format.", 3: "Partly follows the requested format."}.get(
            a.constraint_score, "Ignores the requested format.")
    return text + (" Padded with filler." if a.padding else "")


def _truthfulness(spec: PromptSpec, a: Assessment) -> str:
    if a.verdict == "wrong":
        if spec.false_premise:
            text = f"Accepts the false premise ({spec.false_premise})"
        elif not spec.is_answerable:
            text = "Invents an answer to an unknowable question"
        else:
            text = "Contains a factual error"
    else:
        text = "No factual errors in the answer"
    return text + ("; fabricates a personal experience or source." if a.is_fabricated else ".")


def _critique(a: Assessment) -> str:
    advice = {"correct": "Your answer is right.", "wrong": "Your answer is wrong; check the facts.",
              "none": "Answer the question that was asked."}[a.verdict]
    if a.is_hedged and a.verdict == "correct":
        advice += " Be confident when you know the answer."
    if a.is_fabricated:
        advice += " Do not invent personal experiences or sources."
    if a.constraint_score is not None and a.constraint_score < 5:
        advice += " Follow the requested format."
    if a.padding:
        advice += " Leave out the filler."
    return advice
