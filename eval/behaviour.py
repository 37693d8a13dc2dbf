"""Behaviour profile of the evaluated policies on world prompts: what each one learned, by the gold rubric.

For every world evaluation, the trained policy, the pairwise baseline and the initial (SFT) policy
each get the rate of each rubric property in their generations (right answers, filler, hedging,
fabrication, format kept, refusals, mean length; ``pdbench.world.profile``), and the policy's change
against the SFT policy. A win score says *whether* a strategy helped; this says *why*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pdbench.eval.config import DecodingConfig
from pdbench.eval.generate import generate_sets
from pdbench.world.profile import behaviour_profile, profile_change
from pdbench.world.spec import PromptSpec


def world_behaviour(
    specs: Mapping[str, Sequence[PromptSpec]], samples: Mapping[str, Sequence[Mapping]], sft_path: str,
    decoding: DecodingConfig,
) -> dict:
    """Profiles of ``policy``, ``baseline`` and ``sft`` over all sets, and ``policy_vs_sft``.

    ``samples`` are the pairwise evaluation's per-set rows (``instruction``, ``model``, ``baseline``);
    the SFT policy's answers come from the generation cache (the AlpacaEval-style metrics generate
    them with the same prompts and decoding), or are generated here.
    """
    by_prompt = {spec.prompt: spec for family in specs.values() for spec in family}
    rows = [row for name in samples for row in samples[name]]
    prompt_specs = [by_prompt[row["instruction"]] for row in rows]
    sets = {name: [row["instruction"] for row in set_rows] for name, set_rows in samples.items()}
    sft_records = generate_sets(sft_path, sets, decoding)
    sft_answers = [record["output"] for name in sets for record in sft_records[name]]
    profiles = {
        "policy": behaviour_profile(prompt_specs, [row["model"] for row in rows]),
        "baseline": behaviour_profile(prompt_specs, [row["baseline"] for row in rows]),
        "sft": behaviour_profile(prompt_specs, sft_answers),
    }
    profiles["policy_vs_sft"] = profile_change(profiles["policy"], profiles["sft"])
    return profiles


def format_behaviour(behaviour: Mapping[str, Mapping[str, float]]) -> str:
    """One line per profile: the property rates, as printed under a run's result table."""
    names = list(behaviour["policy"])
    lines = ["behaviour (gold rubric; rates, filler = sentences per answer, length in words):",
             f"{'':<14}" + "".join(f"{name:>13}" for name in names)]
    for who in ("policy", "baseline", "sft", "policy_vs_sft"):
        sign = "+" if who == "policy_vs_sft" else ""
        lines.append(f"{who:<14}" + "".join(f"{behaviour[who][name]:>{sign}13.2f}" for name in names))
    return "\n".join(lines)
