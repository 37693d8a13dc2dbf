"""The world: a small, seeded generator of UltraFeedback-style preference data, and its gold judge.

Prompts come from five task families (arithmetic, facts, format constraints, unanswerable
questions, false premises) and carry a machine-checkable ``PromptSpec``. Responses are composed
from controlled properties (right or wrong, follows the format or not, hedges, fabricates,
pads), so aspects genuinely disagree. ``rate`` is the noise-free rubric that rates any text —
composed or generated — on UltraFeedback's four aspects; annotators add noise and a length bias.

    records = build_world(n_prompts=1000, seed=0)      # UltraFeedback schema + "world_spec"
    tests = heldout_specs(n_per_family=40)             # {family: [PromptSpec, ...]}
    rate(tests["arithmetic"][0], "17 + 25 = 42")       # {"helpfulness": 5, ...}
"""

from pdbench.world.build import build_world, heldout_specs
from pdbench.world.config import WorldConfig
from pdbench.world.rubric import ASPECTS, Assessment, assess, mean_score, rate
from pdbench.world.spec import FAMILIES, Constraint, PromptSpec

__all__ = [
    "ASPECTS", "FAMILIES", "Assessment", "Constraint", "PromptSpec", "WorldConfig",
    "assess", "build_world", "heldout_specs", "mean_score", "rate",
]
