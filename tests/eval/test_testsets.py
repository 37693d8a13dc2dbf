import os
from pathlib import Path

import pytest

from pdbench.eval.testsets import ALPACA_EVAL_URL, ENV_EVAL_DIR, PAPER_SETS, SOURCE_URL, load_alpaca_eval, load_test_set

# The published files: in $PDBENCH_EVAL_DIR (the five sets and gpt4_turbo_reference.json in one folder), or
# in ../shared/data beside a development checkout.
_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
EVAL_DIR = Path(os.environ.get(ENV_EVAL_DIR) or _SHARED / "eval_sets")
ALPACA_REFERENCE = next((p for p in (EVAL_DIR / "gpt4_turbo_reference.json",
                                     _SHARED / "alpaca_eval" / "gpt4_turbo_reference.json") if p.exists()), None)
HOW_TO_GET = (f"needs the paper's five test sets: download the five *_test_set.jsonl files of {SOURCE_URL.format(file='')}"
              f" into a folder and set {ENV_EVAL_DIR} to it")
needs_test_sets = pytest.mark.skipif(not (EVAL_DIR / "vicuna_test_set.jsonl").exists(), reason=HOW_TO_GET)
needs_alpaca_reference = pytest.mark.skipif(
    ALPACA_REFERENCE is None,
    reason=f"needs AlpacaEval's reference outputs: save {ALPACA_EVAL_URL} as gpt4_turbo_reference.json in ${ENV_EVAL_DIR}",
)


@needs_test_sets
@pytest.mark.parametrize("name", sorted(PAPER_SETS))
def test_published_test_sets_load_with_paper_counts(name):
    prompts = load_test_set(name, EVAL_DIR, download=False)
    assert len(prompts) == PAPER_SETS[name].size
    assert all(isinstance(p, str) and p.strip() for p in prompts)


@needs_test_sets
def test_sinstruct_includes_the_task_input():
    prompts = load_test_set("sinstruct", EVAL_DIR, download=False)
    assert "If you have any questions about my rate" in prompts[0]


@needs_alpaca_reference
def test_alpaca_eval_reference():
    records = load_alpaca_eval(ALPACA_REFERENCE, download=False)
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
