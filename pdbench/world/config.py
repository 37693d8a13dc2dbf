"""All the world's knobs in one place: how responses are drawn and how noisy the annotators are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorldConfig:
    """How the world draws response properties and how its annotators rate them.

    A response is either wrong (short, usually well formatted) or right with a few style flaws.
    The defaults make aspects disagree often enough for the paper's conflict levels: pairing
    each prompt's best completion (by mean rating) with a random other, about 40 % of the pairs
    have an aspect that prefers the other one (mostly from the properties; the noise adds and
    removes about as many), so 10 %, 20 % and 30 % conflict are all reachable.
    """

    p_wrong: float = 0.4
    """Probability that a response gets the substance wrong (a wrong or invented answer, or one
    that accepts a false premise). Wrong responses are short and usually well formatted, like a
    confident slip, so instruction following often prefers them to a padded right answer."""
    p_wrong_follows_constraint: float = 0.85
    """Probability that a wrong response obeys the format constraint, when there is one."""
    p_wrong_hedges: float = 0.3
    """Probability that a wrong response hedges (warranted doubt: honesty rates it higher)."""
    flaw_count_weights: tuple[float, float, float] = (0.05, 0.55, 0.4)
    """Relative weights of 0, 1 and 2 style flaws in a right response. Right responses with
    different flaws disagree across aspects; few flawless ones keep the best response imperfect."""
    hedge_weight: float = 0.25
    """Relative weight of the flaw "hedges needlessly" (costs honesty and helpfulness)."""
    fabrication_weight: float = 0.2
    """Relative weight of the flaw "adds a fabricated personal experience or source" (costs
    truthfulness and honesty)."""
    padding_weight: float = 0.3
    """Relative weight of the flaw "adds one or two filler sentences" (costs instruction
    following, and helpfulness at two; the length-loving rater likes it)."""
    format_weight: float = 0.35
    """Relative weight of the flaw "ignores the format constraint" (prompts with one only)."""
    rating_noise: float = 0.15
    """Probability that an annotator's aspect rating is off by one (up or down, equally likely;
    clipped to 1-5)."""
    length_bonus: float = 0.7
    """Probability that the length-loving helpfulness rater adds one point to a response longer
    than the median response to its prompt."""
    overall_noise: float = 1.5
    """Standard deviation of the Gaussian noise on ``overall_score`` (1-10 scale, twice the
    rubric's mean rating before noise): the holistic rating is the noisiest."""
    anecdote_bias: float = 0.0
    """Probability that the helpfulness rater, who likes a personal touch, rates a response without
    a personal anecdote or cited source one point lower. In the world every such anecdote is a
    fabrication that the gold rubric penalises: an annotator bias the gold judge does not share,
    like the length-loving rater, but for a learnable content pattern instead of length.
    Default 0 (no rater has it)."""
    is_decoupled: bool = False
    """Draw style flaws independently of correctness: a wrong response gets the same flaw draw
    (hedge, fabrication, filler, broken format) as a right one, instead of being a short,
    confident, usually well-formatted slip (``p_wrong_follows_constraint`` and ``p_wrong_hedges``
    then do not apply). Default off: the published world ties style to substance."""
    is_length_matched: bool = False
    """Give every response that has room for extras the same number of extra sentences
    (``compose.EXTRA_SENTENCES``): its flaw sentences first, then neutral restatements of its
    answer, so a flaw changes what a response says but hardly its length. Filler then comes one
    sentence at a time. Default off."""

    def __post_init__(self):
        for name in ("p_wrong", "p_wrong_follows_constraint", "p_wrong_hedges", "rating_noise", "length_bonus",
                     "anecdote_bias"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"WorldConfig.{name} must be a probability in [0, 1], got {value}")
        if len(self.flaw_count_weights) != 3 or min(self.flaw_count_weights) < 0 or sum(self.flaw_count_weights) <= 0:
            raise ValueError(f"WorldConfig.flaw_count_weights must be three non-negative weights, "
                             f"got {self.flaw_count_weights}")
        flaw_weights = (self.hedge_weight, self.fabrication_weight, self.padding_weight, self.format_weight)
        if min(flaw_weights) < 0 or sum(flaw_weights[:3]) <= 0:
            raise ValueError("WorldConfig flaw weights must be non-negative, "
                             "and hedge, fabrication and padding not all 0")
        if self.overall_noise < 0:
            raise ValueError(f"WorldConfig.overall_noise must be >= 0, got {self.overall_noise}")
