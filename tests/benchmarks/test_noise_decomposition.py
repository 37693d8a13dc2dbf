"""benchmarks/noise_decomposition.py: the variance parts of a paired difference, and the committed cells' numbers."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import noise_decomposition as nd  # noqa: E402

DECOUPLED = ROOT / "docs" / "experiments" / "world-variants" / "cells" / "decoupled"


def _scores(d: np.ndarray) -> dict:
    """Per-prompt scores whose a - b is ``d`` (seed x family x prompt)."""
    return {**{("a", s): d[s] for s in range(len(d))}, **{("b", s): np.zeros_like(d[s]) for s in range(len(d))}}


def test_prompt_effects_shared_by_every_seed_are_persistent_not_seed_noise():
    prompt_effects = np.random.default_rng(0).normal(size=(2, 50))  # 2 families x 50 prompts
    parts = nd.decompose(_scores(np.stack([prompt_effects] * 3)), "a", "b")
    assert parts.seed_var == pytest.approx(0) and parts.transient_var == pytest.approx(0, abs=1e-12)
    assert parts.persistent_var == pytest.approx(parts.prompt_var) and parts.prompt_var > 0


def test_the_parts_add_up_and_recover_a_known_mixture():
    rng = np.random.default_rng(1)
    seeds, families, prompts = 3, 2, 4000
    d = (rng.normal(0, 1.0, (1, families, prompts)) + rng.normal(0, 2.0, (seeds, families, prompts))
         + np.array([0.3, -0.1, 0.5])[:, None, None])
    parts = nd.decompose(_scores(d), "a", "b")
    scale = prompts * families**2 / families  # the variance of a mean over F families of n prompts: sigma^2 / (F n)
    assert parts.persistent_var * scale == pytest.approx(1.0, rel=0.1)
    assert parts.transient_var * scale == pytest.approx(4.0, rel=0.05)
    assert parts.prompt_var == pytest.approx(parts.persistent_var + parts.transient_var)
    assert parts.seed_var == pytest.approx(np.var(d.mean(axis=(1, 2)), ddof=1))
    assert parts.sd_at((prompts * 4,) * families) ** 2 == pytest.approx(parts.seed_level_var + parts.transient_var / 4)


def test_a_second_training_order_that_changes_nothing_adds_nothing_and_a_shift_adds_its_square():
    d = np.random.default_rng(2).normal(size=(2, 2, 30))
    main = _scores(d)
    assert nd.training_order(main, dict(main), "a", "b").order_var == 0
    shifted = {**main, ("a", 0): main[("a", 0)] + 0.2}
    order = nd.training_order(main, shifted, "a", "b")
    assert order.order_var == pytest.approx(0.2**2 / 2 / 2) and order.order_transient_var == pytest.approx(0)


def test_a_worlds_win_rate_against_sft_is_its_shared_reference_aw():
    cells = nd.load_world([DECOUPLED])  # also checks every recomputed outcome and AW against the committed ones
    shared = nd.per_prompt(cells, "AW_sft")
    for result_file in sorted(DECOUPLED.glob("*/result.json")):
        result = json.loads(result_file.read_text())
        key = (result["config"]["strategy"], result["config"]["seed"])
        assert 1 + shared[key].mean(axis=1).mean() == pytest.approx(result["alpaca_eval"]["win_rate"] / 50)


def test_the_world_makes_only_so_many_held_out_prompts_per_family():
    assert nd.family_caps(most=300) == (300, 210, 300, 70, 143)


def test_script_on_the_committed_decoupled_cells(tmp_path):
    out = tmp_path / "noise.json"
    completed = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "noise_decomposition.py"), "--world",
                                f"decoupled={DECOUPLED}", "--training-order", f"{DECOUPLED}={DECOUPLED}", "--json",
                                str(out)], capture_output=True, text=True, check=True)
    summary = json.loads(out.read_text())
    assert json.loads(completed.stdout.splitlines()[-1]) == summary
    pooled = summary["worlds"]["decoupled"]["metrics"]["AW"][-1]
    assert pooled["comparison"] == "pooled over 10 pairs" and pooled["seed_sd"] == pytest.approx(0.0378, abs=5e-5)
    assert pooled["prompt_share"] == pytest.approx(0.72, abs=0.005)
    assert all(row["training_order_share"] == 0 for row in summary["training_order"]["AW"])
