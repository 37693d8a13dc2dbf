from pathlib import Path

import pytest

from eval.testsets import PAPER_SETS, load_alpaca_eval, load_test_set

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_shared = pytest.mark.skipif(not (SHARED / "eval_sets").is_dir(), reason="../shared/data is not beside the checkout")


@needs_shared
@pytest.mark.parametrize("name", sorted(PAPER_SETS))
def test_shared_test_sets_load_with_paper_counts(name):
    prompts = load_test_set(name, SHARED / "eval_sets", download=False)
    assert len(prompts) == PAPER_SETS[name].size
    assert all(isinstance(p, str) and p.strip() for p in prompts)


@needs_shared
def test_sinstruct_includes_the_task_input():
    prompts = load_test_set("sinstruct", SHARED / "eval_sets", download=False)
    assert "If you have any questions about my rate" in prompts[0]


@needs_shared
def test_alpaca_eval_reference():
    records = load_alpaca_eval(SHARED / "alpaca_eval" / "gpt4_turbo_reference.json", download=False)
    assert len(records) == 805 and records[0]["instruction"] and records[0]["output"]


def test_wrong_count_fails(tmp_path):
    (tmp_path / "vicuna_test_set.jsonl").write_text('{"question_id": 1, "text": "hi"}\n')
    with pytest.raises(ValueError, match="expected 80 prompts"):
        load_test_set("vicuna", tmp_path, download=False)


def test_missing_without_download_is_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError, match="koala_test_set.jsonl not found"):
        load_test_set("koala", tmp_path, download=False)
    with pytest.raises(ValueError, match="unknown test set"):
        load_test_set("mmlu", tmp_path)
