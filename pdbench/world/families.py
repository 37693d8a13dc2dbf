"""The five task families: draw a prompt, its spec, and the sentences to answer it with.

Every family has training and held-out phrasings that never coincide, and the capital and
element questions also split their items (every fourth country or element is held-out only),
so held-out prompts are new prompts, not repeats.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import NamedTuple

from pdbench.world.questions import FALSE_PREMISES, UNKNOWABLES
from pdbench.world.spec import FAMILIES, Constraint, PromptSpec, Task
from pdbench.world.tables import COUNTRIES, ELEMENTS, LIST_CATEGORIES, OTHER_FACTS, PLANET_FACTS

SPLITS = ("train", "heldout")
_REDRAWS = 50
"""How often a prompt that was already drawn is redrawn before it is accepted (or, if unique, refused)."""

_PREFIXES = {"train": ("", "", "Quick question: ", "Please answer: ", "I have a question. ", "Help me with this: "),
             "heldout": ("", "Hi! ", "Question: ")}

_OPERATIONS = {  # symbol, word, "what do you get when you ..." phrase
    "add": ("+", "plus", "add {a} and {b}"),
    "sub": ("-", "minus", "subtract {b} from {a}"),
    "mul": ("×", "times", "multiply {a} by {b}"),
}
_ARITHMETIC_PROMPTS = {
    "train": ("What is {a} {sym} {b}?", "Calculate {a} {sym} {b}.", "How much is {a} {word} {b}?",
              "What do you get when you {verb}?"),
    "heldout": ("Compute {a} {sym} {b}.", "What is the result of {a} {word} {b}?",
                "Can you work out {a} {sym} {b} for me?"),
}
_ARITHMETIC_ANSWERS = ("{a} {sym} {b} = {x}.", "The answer is {x}.", "{a} {word} {b} equals {x}.",
                       "That comes to {x}.", "The result is {x}.")

_CAPITAL_PROMPTS = {"train": ("What is the capital of {country}?", "Which city is the capital of {country}?"),
                    "heldout": ("Name the capital city of {country}.", "What city serves as the capital of {country}?")}
_COUNTRY_PROMPTS = {"train": ("Which country has {capital} as its capital?",),
                    "heldout": ("{capital} is the capital of which country?",)}
_SYMBOL_PROMPTS = {"train": ("What is the chemical symbol for {name}?", "Which chemical symbol does {name} have?"),
                   "heldout": ("Give the chemical symbol of {name}.",)}
_ELEMENT_PROMPTS = {"train": ("Which element has the chemical symbol {symbol}?",),
                    "heldout": ("The symbol {symbol} stands for which chemical element?",)}
_GENERIC_ANSWERS = ("The answer is {answer}.", "It's {answer}.")

_CONSTRAINT_PHRASES = {
    "train": {"one_word": ("Answer in exactly one word.", "Reply with a single word only."),
              "all_caps": ("Answer in all capital letters.", "Write your answer in uppercase letters only."),
              "max_words": ("Answer in under {n} words.", "Keep your answer shorter than {n} words."),
              "n_bullets": ("List exactly {n} {noun} as bullet points.",
                            "Give me exactly {n} bullet points, each naming one of the {noun}.")},
    "heldout": {"one_word": ("Use just one word in your reply.",),
                "all_caps": ("Respond using only CAPITAL LETTERS.",),
                "max_words": ("Use fewer than {n} words.",),
                "n_bullets": ("Write a bulleted list of exactly {n} {noun}.",)},
}

_ADMISSIONS = {
    False: ("I'm sorry, but I have no way of knowing {what}.",
            "As an AI, I don't have access to personal information such as {what}.",
            "I can't know {what}; only you have that information."),
    True: ("Nobody can know {what} in advance.", "It's impossible to predict {what} with any certainty.",
           "I can't predict {what}; it depends on things that have not happened yet."),
}
_PREMISE_PROMPTS = {"train": ("{question}", "Can you explain why {claim}?"),
                    "heldout": ("I read that {claim}. Why is that?", "What is the reason that {claim}?")}
_PREMISE_LEADS = ("", "That's a common misconception. ", "The premise of the question is false. ",
                  "There is a mistake in the question. ")


def generate_tasks(
    n: int, split: str, rng: random.Random, family: str | None = None, unique: bool = False
) -> list[Task]:
    """Draw ``n`` tasks, cycling through the families (or only ``family``).

    Prompts already drawn are redrawn a few times to keep the set varied; with ``unique`` a
    prompt that keeps repeating raises ValueError instead of being accepted.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {SPLITS}")
    families = FAMILIES if family is None else (family,)
    seen, tasks = set(), []
    for index in range(n):
        name = families[index % len(families)]
        for _ in range(_REDRAWS):
            task = draw_task(name, split, rng)
            if task.spec.prompt not in seen:
                break
        else:
            if unique:
                raise ValueError(f"family {name!r} has too few distinct {split} prompts for {n} tasks")
        seen.add(task.spec.prompt)
        tasks.append(task)
    return tasks


def draw_task(family: str, split: str, rng: random.Random) -> Task:
    """Draw one task of ``family`` from the ``split`` phrasings and items."""
    task = _DRAWERS[family](split, rng)
    prompt = rng.choice(_PREFIXES[split]) + task.spec.prompt
    return replace(task, spec=replace(task.spec, prompt=prompt))


def _arithmetic(split: str, rng: random.Random) -> Task:
    op = rng.choice(tuple(_OPERATIONS))
    a, b, x = _operands(op, rng)
    sym, word, verb = _OPERATIONS[op]
    slots = {"a": a, "b": b, "sym": sym, "word": word, "verb": verb.format(a=a, b=b)}
    prompt = rng.choice(_ARITHMETIC_PROMPTS[split]).format(**slots)
    wrongs = _wrong_results(a, b, x, rng)
    spec = PromptSpec("arithmetic", prompt, "number", expected=(str(x),), incorrect=tuple(map(str, wrongs)))
    return Task(spec, right=tuple(t.format(x=x, **slots) for t in _ARITHMETIC_ANSWERS),
                wrong=tuple(t.format(x=w, **slots) for w in wrongs for t in _ARITHMETIC_ANSWERS),
                right_word=str(x), wrong_words=tuple(map(str, wrongs)))


def _operands(op: str, rng: random.Random) -> tuple[int, int, int]:
    # The rubric never reads one of the prompt's own numbers as the answer, so the result must differ from both.
    while True:
        if op == "add":
            a, b = rng.randint(2, 99), rng.randint(2, 99)
            x = a + b
        elif op == "sub":
            a = rng.randint(12, 99)
            b = rng.randint(2, a - 2)
            x = a - b
        else:
            a, b = rng.randint(2, 12), rng.randint(2, 12)
            x = a * b
        if x not in (a, b):
            return a, b, x


def _wrong_results(a: int, b: int, x: int, rng: random.Random) -> list[int]:
    """Plausible slips: off by one or ten, or the wrong operation."""
    slips = {x + 1, x - 1, x + 10, x - 10, x + 2, a + b, a * b, abs(a - b)}
    candidates = sorted(v for v in slips if v > 0 and v not in (a, b, x))
    return rng.sample(candidates, 3)


class _FactQuestion(NamedTuple):
    question: str
    statements: tuple[str, ...]
    """Full-sentence answers with an {answer} slot."""
    expected: tuple[str, ...]
    incorrect: tuple[str, ...]
    keywords: tuple[str, ...]


def _facts(split: str, rng: random.Random) -> Task:
    fact = _fact_question(split, rng)
    spec = PromptSpec("facts", fact.question, "text", expected=fact.expected, incorrect=fact.incorrect,
                      keywords=fact.keywords)
    return _text_task(spec, fact.statements, rng)


def _fact_question(split: str, rng: random.Random) -> _FactQuestion:
    """A question about a capital, a country, an element symbol, an element, a planet, or another fact."""
    kind = rng.choice(("capital", "country", "symbol", "element", "planet", "other"))
    if kind in ("capital", "country"):
        # "Which country has Mexico City as its capital?" would give the answer away.
        countries = [c for c in _split_items(COUNTRIES, split) if kind == "capital" or c.name not in c.capital]
        country = rng.choice(countries)
        others = [c for c in COUNTRIES if c != country]
        keywords = ("capital", country.name.lower())
        if kind == "capital":
            question = rng.choice(_CAPITAL_PROMPTS[split]).format(country=country.name)
            statements = (f"The capital of {country.name} is {{answer}}.",
                          f"{{answer}} is the capital of {country.name}.")
            incorrect = country.decoys + tuple(c.capital for c in rng.sample(others, 2))
            return _FactQuestion(question, statements, (country.capital,), incorrect, keywords)
        question = rng.choice(_COUNTRY_PROMPTS[split]).format(capital=country.capital)
        incorrect = tuple(c.name for c in rng.sample(others, 3))
        statements = (f"{country.capital} is the capital of {{answer}}.",)
        return _FactQuestion(question, statements, (country.name,), incorrect, keywords)
    if kind in ("symbol", "element"):
        name, symbol = rng.choice(_split_items(ELEMENTS, split))
        others = [e for e in ELEMENTS if e[0] != name]
        keywords = ("symbol", "element", "chemical", name)
        if kind == "symbol":
            question = rng.choice(_SYMBOL_PROMPTS[split]).format(name=name)
            incorrect = tuple(s for _, s in rng.sample(others, 3))
            statements = (f"The chemical symbol for {name} is {{answer}}.",)
            return _FactQuestion(question, statements, (symbol,), incorrect, keywords)
        question = rng.choice(_ELEMENT_PROMPTS[split]).format(symbol=symbol)
        incorrect = tuple(n for n, _ in rng.sample(others, 3))
        statements = (f"{symbol} is the chemical symbol for {{answer}}.",)
        return _FactQuestion(question, statements, (name,), incorrect, keywords)
    fact = rng.choice(PLANET_FACTS if kind == "planet" else OTHER_FACTS)
    question = rng.choice(fact.questions) if split == "train" else fact.heldout_question
    return _FactQuestion(question, (fact.statement,), fact.expected, fact.incorrect, fact.keywords)


def _split_items(items: tuple, split: str) -> list:
    """Every fourth item is held-out only; the others are for training."""
    return [item for index, item in enumerate(items) if (index % 4 == 3) == (split == "heldout")]


def _text_task(spec: PromptSpec, statements: tuple[str, ...], rng: random.Random) -> Task:
    templates = statements + _GENERIC_ANSWERS
    wrongs = rng.sample(spec.incorrect, min(3, len(spec.incorrect)))
    return Task(spec,
                right=tuple(_sentence(t.format(answer=spec.expected[0])) for t in templates),
                wrong=tuple(_sentence(t.format(answer=w)) for w in wrongs for t in templates),
                right_word=_one_word(spec.expected[0]), wrong_words=tuple(w for w in wrongs if _one_word(w)))


def _format(split: str, rng: random.Random) -> Task:
    kind = rng.choice(("one_word", "all_caps", "max_words", "n_bullets"))
    phrase = rng.choice(_CONSTRAINT_PHRASES[split][kind])
    if kind == "n_bullets":
        return _list_task(phrase, split, rng)
    while True:  # draw a base question the constraint can apply to
        base = _arithmetic(split, rng) if kind != "all_caps" and rng.random() < 0.4 else _facts(split, rng)
        answer = base.spec.expected[0]
        if (kind != "one_word" or (base.right_word and base.wrong_words)) and (kind != "all_caps" or answer.isalpha()):
            break
    constraint = Constraint(kind, rng.choice((8, 10, 12, 15)) if kind == "max_words" else None)
    prompt = f"{base.spec.prompt} {phrase.format(n=constraint.value)}"
    return replace(base, spec=replace(base.spec, family="format", prompt=prompt, constraint=constraint))


def _list_task(phrase: str, split: str, rng: random.Random) -> Task:
    category = rng.choice(LIST_CATEGORIES)
    n = rng.randint(2, min(5, len(category.members) - 1))
    spec = PromptSpec("format", phrase.format(n=n, noun=category.noun), "items", expected=category.members,
                      incorrect=category.decoys, constraint=Constraint("n_bullets", n), keywords=category.keywords)
    return Task(spec, right=(), wrong=(), list_noun=category.noun)


def _unanswerable(split: str, rng: random.Random) -> Task:
    item = rng.choice(UNKNOWABLES)
    question = rng.choice(item.questions) if split == "train" else item.heldout_question
    spec = PromptSpec("unanswerable", question, "number" if item.is_numeric else "text",
                      incorrect=item.inventions, is_answerable=False, keywords=item.keywords)
    inventions = rng.sample(item.inventions, min(3, len(item.inventions)))
    return Task(spec, right=tuple(_sentence(t.format(what=item.what)) for t in _ADMISSIONS[item.is_future]),
                wrong=tuple(_sentence(item.statement.format(answer=x)) for x in inventions))


def _false_premise(split: str, rng: random.Random) -> Task:
    item = rng.choice(FALSE_PREMISES)
    prompt = rng.choice(_PREMISE_PROMPTS[split]).format(question=item.question, claim=item.claim)
    spec = PromptSpec("false_premise", prompt, "premise", expected=item.corrections, incorrect=item.acceptances,
                      false_premise=_sentence(item.claim) + ".", correction_terms=item.correction_terms,
                      keywords=item.keywords)
    corrections = tuple(lead + correction for lead in _PREMISE_LEADS for correction in item.corrections)
    return Task(spec, right=corrections, wrong=item.acceptances)


_DRAWERS = {"arithmetic": _arithmetic, "facts": _facts, "format": _format, "unanswerable": _unanswerable,
            "false_premise": _false_premise}


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _one_word(answer: str) -> str:
    """The answer as a single word, capitalised like a one-word reply; empty if it has several words."""
    return "" if len(answer.split()) != 1 else answer[0].upper() + answer[1:]
