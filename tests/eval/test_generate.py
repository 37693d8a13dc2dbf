"""Generation: several sets pooled into one pass, each still cached under its own key."""

import pytest

import pdbench.eval.generate as generation
from pdbench.eval.config import DecodingConfig
from pdbench.eval.generate import generate, generate_sets

DECODING = DecodingConfig(max_new_tokens=3, batch_size=4)
SETS = {"maths": ["What is 2 + 2?", "What is 3 + 5?", "What is 7 - 1?"], "facts": ["Capital of France?", "Name a planet."]}


@pytest.fixture(autouse=True)
def scratch_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def passes(monkeypatch):
    """The prompts of every generation pass (each call of the model loop)."""
    calls = []
    original = generation._generate_into

    def spy(model_path, todo, decoding):
        calls.append([prompt for _, _, prompt in todo])
        return original(model_path, todo, decoding)

    monkeypatch.setattr(generation, "_generate_into", spy)
    return calls


def test_sets_are_pooled_into_one_pass_and_cached_per_set(tiny_llama_path, passes):
    pooled = generate_sets(tiny_llama_path, SETS, DECODING)
    assert passes == [SETS["maths"] + SETS["facts"]]
    for name, prompts in SETS.items():
        assert [r["instruction"] for r in pooled[name]] == prompts
        assert {r["dataset"] for r in pooled[name]} == {name}
        assert generate(tiny_llama_path, prompts, DECODING, name) == pooled[name]  # generate's own key: a hit
    assert len(passes) == 1


def test_only_uncached_sets_are_generated(tiny_llama_path, passes):
    generate(tiny_llama_path, SETS["facts"], DECODING, "facts")
    generate_sets(tiny_llama_path, SETS, DECODING)
    assert passes == [SETS["facts"], SETS["maths"]]


def test_force_generates_again(tiny_llama_path, passes):
    generate_sets(tiny_llama_path, SETS, DECODING)
    generate_sets(tiny_llama_path, SETS, DECODING, force=True)
    assert len(passes) == 2


def test_an_interrupted_pass_resumes_with_the_missing_prompts(tiny_llama_path, passes, monkeypatch):
    def killed_after_one_batch(jobs, answers):
        original_append(jobs, answers)
        raise KeyboardInterrupt

    original_append = generation._append
    monkeypatch.setattr(generation, "_append", killed_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        generate_sets(tiny_llama_path, SETS, DECODING)
    monkeypatch.setattr(generation, "_append", original_append)
    records = generate_sets(tiny_llama_path, SETS, DECODING)
    assert len(passes[1]) == 1  # 5 prompts, batches of 4: only the last one is left
    assert sum(len(r) for r in records.values()) == 5


def test_dropping_finished_rows_gives_transformers_greedy_answers(tiny_llama_path):
    """Rows that end at different steps leave the batch; every row still gets generate()'s greedy tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_path).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama_path, padding_side="left")
    prompts = ["What is 2 + 2?", "Name a planet of the solar system, please.", "Hi", "Capital of France?",
               "Write one word.", "Why is the sky blue? Answer briefly."]
    inputs = tokenizer(prompts, return_tensors="pt", padding=True)
    with torch.no_grad():
        free = model.generate(**inputs, max_new_tokens=12, do_sample=False, top_k=None, pad_token_id=0, eos_token_id=None)
        new = free[:, inputs["input_ids"].shape[1]:]
        # An "end" token the random model emits at different steps in different rows: rows finish apart.
        end = int(new[0, 2])
        reference = model.generate(**inputs, max_new_tokens=12, do_sample=False, top_k=None, pad_token_id=0,
                                   eos_token_id=end)[:, inputs["input_ids"].shape[1]:].tolist()
        ours = generation.greedy_dropping_finished(model, inputs["input_ids"], inputs["attention_mask"], 12, {end})
    for row, tokens in zip(reference, ours):
        expected = row[: row.index(end) + 1] if end in row else row
        assert tokens == expected
    assert len({len(tokens) for tokens in ours}) > 1  # rows did finish at different steps


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_answers_holding_unicode_line_separators_are_read_back(monkeypatch, separator):
    """json.dumps(ensure_ascii=False) writes U+2028 / U+0085 raw; the partial and final files must still read."""
    def answers_with_separators(model_path, todo, decoding):
        generation._append(todo, [f"first{separator}second {index}" for _, index, _ in todo])

    monkeypatch.setattr(generation, "_generate_into", answers_with_separators)
    first = generate_sets("model-id", SETS, DECODING)
    again = generate_sets("model-id", SETS, DECODING)  # from the final files
    assert first == again
    assert [r["output"] for r in again["maths"]] == [f"first{separator}second {i}" for i in range(3)]
