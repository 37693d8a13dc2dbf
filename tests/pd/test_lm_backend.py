"""The `lm` reward backend (TRL RewardTrainer, all-in-one system prompts) end to end on a tiny Llama."""

import numpy as np

from pdbench.data.pairs import build_pairs
from pdbench.pd.config import PDConfig
from pdbench.pd.estimate import estimate_pd
from pdbench.pd.lm_backend import ASPECT_SYSTEM_PROMPTS, conversation
from tests.pd.test_embedding_backend import records


def test_all_in_one_prompts_follow_the_paper():
    assert set(ASPECT_SYSTEM_PROMPTS) == {"helpfulness", "honesty", "instruction_following", "truthfulness"}
    assert conversation("hi", "honesty")[0]["content"].startswith("You are an honest AI assistant.")
    assert conversation("hi", None) == [{"role": "user", "content": "hi"}]


def test_lm_backend_trains_and_scores_every_pair(tiny_llama_path, tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))
    pairs, _ = build_pairs(records(n=12), None, seed=0)
    config = PDConfig(backend="lm", lm_model=tiny_llama_path, p_r=0.5, lm_batch_size=4, lm_per_device_batch_size=4,
                      lm_max_length=128)
    result = estimate_pd(pairs, config, seed=0)
    assert len(result.table) == len(pairs)
    assert np.isfinite(result.table[["pd", "raw_gap_polite", "raw_gap_relevant"]].to_numpy()).all()
    assert set(result.meta["rm_train_pairs"]) == {"polite", "relevant"}
