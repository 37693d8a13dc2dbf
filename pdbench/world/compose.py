"""Compose a response from controlled properties.

A response is the task's right or wrong sentence, optionally wrapped in a hedge, followed by a
fabricated personal experience and filler sentences, then shaped to obey or break the format
constraint. Where the constraint leaves no room for an extra (a one-word reply cannot hedge) the
extra is left out, and the returned properties say what the text really has.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from pdbench.world.config import WorldConfig
from pdbench.world.signals import normalise, words
from pdbench.world.spec import Task

HEDGE_OPENERS = ("I'm not completely sure about this.", "I think this is right, but I'm not certain.",
                 "If I remember correctly, here is the answer.")
HEDGE_CLOSERS = ("But I could be wrong about this.", "I'm not totally sure, though.",
                 "Please double-check, as I'm not entirely sure.")
FABRICATIONS = (
    "I remember my teacher explaining exactly this to me when I was a child.",
    "When I visited a science museum last summer, a guide told me the same thing.",
    "According to a recent study by the Global Knowledge Institute, most people get this wrong.",
    "I checked this myself last week, so I am completely certain.",
    "My grandfather, who was a professor, used to ask me this every Sunday.",
    "When I travelled around the world last year, I confirmed this in person.",
)
"""Fabricated personal experiences and sources: an assistant has none of these."""
FILLERS = (
    "I hope this helps!", "Let me know if you have any other questions.", "Feel free to ask me anything else.",
    "Thanks for asking such an interesting question.", "Learning something new keeps the mind sharp.",
    "It is always a good idea to stay curious.", "That is a great question that many people ask.",
    "Curiosity is the first step towards knowledge.", "I am always happy to help with questions like this.",
)
"""Off-topic filler sentences (four words or more, no digits, no topic words)."""
LONG_LEADS = ("To give you a complete and accurate answer to your question, here it is:",
              "After thinking carefully about everything you asked me, I can tell you this:")
"""Lead-ins that make an answer too long for an "under N words" constraint, without filler."""
NEUTRAL_LEADS = ("In short:", "To sum up:")
"""How a neutral restatement of the answer opens (length-matched worlds): it repeats the answer,
so the rubric reads nothing new in it — no filler, no hedge, no change of verdict."""
EXTRA_SENTENCES = 2
"""Extra sentences of every response with room for them, in a length-matched world."""
_BULLETS = ("-", "*", "•")


@dataclass(frozen=True)
class Properties:
    """What a composed response does."""

    is_correct: bool = True
    """Gets the substance right: states an accepted answer (all list items valid); on an
    unanswerable prompt, admits it cannot know; on a false-premise prompt, corrects the premise."""
    follows_constraint: bool = True
    """Obeys the format constraint (ignored when the prompt has none)."""
    hedges: bool = False
    """Adds an unwarranted expression of doubt."""
    fabricates: bool = False
    """Adds a fabricated personal experience or source."""
    padding: int = 0
    """Number of off-topic filler sentences (0-2)."""


@dataclass(frozen=True)
class Composed:
    """A composed response."""

    text: str
    properties: Properties
    """The properties the text really has (extras a constraint had no room for are dropped)."""


def draw_properties(config: WorldConfig, has_constraint: bool, rng: random.Random) -> Properties:
    """Draw one response's properties: a confident slip, or a right answer with a few style flaws
    (with ``config.is_decoupled``: right or wrong, then the same flaw draw for both)."""
    if config.is_decoupled:
        is_correct = rng.random() >= config.p_wrong
        return replace(_draw_flaws(config, has_constraint, rng), is_correct=is_correct)
    if rng.random() < config.p_wrong:
        return Properties(is_correct=False, follows_constraint=rng.random() < config.p_wrong_follows_constraint,
                          hedges=rng.random() < config.p_wrong_hedges)
    return _draw_flaws(config, has_constraint, rng)


def _draw_flaws(config: WorldConfig, has_constraint: bool, rng: random.Random) -> Properties:
    """A right response with 0-2 style flaws drawn with the config's weights."""
    weights = {"hedges": config.hedge_weight, "fabricates": config.fabrication_weight, "padding": config.padding_weight,
               "breaks_format": config.format_weight if has_constraint else 0.0}
    flaws = set()
    for _ in range(rng.choices((0, 1, 2), weights=config.flaw_count_weights)[0]):
        names = [name for name in weights if name not in flaws and weights[name] > 0]
        if not names:  # fewer flaw kinds available than drawn (e.g. only filler without a constraint)
            break
        flaws.add(rng.choices(names, weights=[weights[name] for name in names])[0])
    if "padding" not in flaws:
        padding = 0
    else:  # a length-matched world has room for one filler sentence beside another flaw
        padding = 1 if config.is_length_matched else rng.choice((1, 2))
    return Properties(is_correct=True, follows_constraint="breaks_format" not in flaws, hedges="hedges" in flaws,
                      fabricates="fabricates" in flaws, padding=padding)


def compose(task: Task, properties: Properties, rng: random.Random, is_length_matched: bool = False) -> Composed:
    """Write a response to ``task`` with the given properties (``is_length_matched``: see WorldConfig)."""
    constraint = task.spec.constraint
    kind = None if constraint is None else constraint.kind
    if kind == "n_bullets":
        return _compose_list(task, properties, rng, is_length_matched)
    if kind == "one_word" and properties.follows_constraint:
        word = task.right_word if properties.is_correct else rng.choice(task.wrong_words)
        bare = replace(properties, hedges=False, fabricates=False, padding=0)
        return Composed(word + rng.choice(("", ".")), bare)
    options = task.right if properties.is_correct else task.wrong
    if kind == "max_words" and properties.follows_constraint:
        options = [s for s in options if _n_words(s) < constraint.value] or [min(options, key=_n_words)]
    core = rng.choice(options)
    if kind == "max_words" and not properties.follows_constraint:
        core = f"{rng.choice(LONG_LEADS)} {core}"
    sentences = _with_extras(core, properties, rng, _restatement(core, rng) if is_length_matched else None)
    if kind == "max_words" and properties.follows_constraint:
        sentences, properties = _fit_under(sentences, properties, constraint.value)
    text = " ".join(sentences)
    if kind == "all_caps" and properties.follows_constraint:
        text = text.upper()
    return Composed(text, properties)


def _with_extras(core: str, properties: Properties, rng: random.Random, neutral: str | None = None) -> list[str]:
    """The core answer with the hedge, fabrication and filler sentences the properties ask for;
    given a ``neutral`` sentence, it fills the extras up to ``EXTRA_SENTENCES`` (length matching)."""
    sentences = [core]
    if properties.hedges:
        if rng.random() < 0.5:
            sentences.insert(0, rng.choice(HEDGE_OPENERS))
        else:
            sentences.append(rng.choice(HEDGE_CLOSERS))
    if properties.fabricates:
        sentences.append(rng.choice(FABRICATIONS))
    fillers = rng.sample(FILLERS, properties.padding)
    if fillers and rng.random() < 0.3:  # some fillers open the answer ("That is a great question ...")
        sentences.insert(0, fillers.pop())
    sentences += fillers
    if neutral is not None:
        sentences += [neutral] * max(0, 1 + EXTRA_SENTENCES - len(sentences))
    return sentences


def _restatement(core: str, rng: random.Random) -> str:
    """A neutral sentence that repeats the answer (length-matched worlds)."""
    return f"{rng.choice(NEUTRAL_LEADS)} {core[0].lower()}{core[1:]}"


def _fit_under(sentences: list[str], properties: Properties, limit: int) -> tuple[list[str], Properties]:
    """Drop extras (neutral restatements, filler, fabrication, hedge) until the text has fewer than ``limit`` words."""
    def n_words():
        return _n_words(" ".join(sentences))

    sentences = [s for s in sentences if not s.startswith(NEUTRAL_LEADS)] if n_words() >= limit else sentences
    for filler in [s for s in sentences if s in FILLERS]:
        if n_words() < limit:
            break
        sentences.remove(filler)
        properties = replace(properties, padding=properties.padding - 1)
    for extras, flag in ((FABRICATIONS, "fabricates"), (HEDGE_OPENERS + HEDGE_CLOSERS, "hedges")):
        if n_words() >= limit:
            sentences = [s for s in sentences if s not in extras]
            properties = replace(properties, **{flag: False})
    return sentences, properties


def _compose_list(task: Task, properties: Properties, rng: random.Random, is_length_matched: bool) -> Composed:
    spec, n = task.spec, task.spec.constraint.value
    style = "bullets" if properties.follows_constraint else rng.choice(("numbered", "miscount", "prose"))
    count = n + rng.choice((-1, 1)) if style == "miscount" else n
    items = rng.sample(spec.expected, count)
    if not properties.is_correct:
        items[rng.randrange(count)] = rng.choice(spec.incorrect)
    if style == "prose":
        prose = f"{', '.join(items[:-1])} and {items[-1]} are {task.list_noun}."
        body = [prose[0].upper() + prose[1:]]
    else:
        marker = rng.choice(_BULLETS)
        lines = [f"{i}. {item}" if style == "numbered" else f"{marker} {item}" for i, item in enumerate(items, 1)]
        body = [f"Here are {count} {task.list_noun}:", *lines]
    neutral = f"{rng.choice(NEUTRAL_LEADS)} that makes {count} {task.list_noun}." if is_length_matched else None
    return Composed("\n".join(_with_extras("\n".join(body), properties, rng, neutral)), properties)


def _n_words(text: str) -> int:
    """Words as the rubric counts them."""
    return len(words(normalise(text)))
