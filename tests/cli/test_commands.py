"""`pdbench select` and `pdbench eval` end to end: one call into the pipeline each, with the run's settings."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from pdbench.cli import main
from pdbench.pipeline.config import resolve_config
from tests.clitools import one_line_failure


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private stage cache (pairs, generations and verdicts of this test only)."""
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_select_exports_the_pairs_a_run_would_train_on(tmp_path, cache):
    from pdbench.pipeline.stages import pairs_stage
    from pdbench.selection.plan import budget_size

    result = CliRunner().invoke(main, ["select", "--strategy", "rand", "--preset", "smoke", "--seed", "1",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported = pd.read_json(tmp_path / "out" / "train.jsonl", lines=True)
    config = resolve_config("smoke", strategy="rand", seed=1)
    pairs, record = pairs_stage(config)  # the run's cached stage: the CLI computed it, this reads it back
    assert record["cached"]
    assert len(exported) == budget_size(config.budget, len(pairs)) and set(exported["pair_id"]) <= set(pairs["pair_id"])
    assert f"rand: {len(exported)} of {len(pairs)} pairs" in result.output and "wrote " in result.output


def test_select_takes_the_presets_world_size(tmp_path, cache):
    small = CliRunner().invoke(main, ["select", "--strategy", "all", "--preset", "smoke", "--out", str(tmp_path / "s")])
    default = resolve_config("smoke")
    assert small.exit_code == 0, small.output
    assert len(pd.read_json(tmp_path / "s" / "train.jsonl", lines=True)) < default.world_prompts * 6  # 60 prompts, not 1000


def test_eval_compares_two_models_with_the_presets_decoding_and_judge(tmp_path, cache, tiny_llama_path):
    result = CliRunner().invoke(main, ["eval", "--model", tiny_llama_path, "--baseline", tiny_llama_path,
                                       "--preset", "smoke", "--eval-prompts", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out" / "result.json").read_text())
    assert written["aw"] == pytest.approx(1.0)  # a model against itself: every pair ties
    assert written["judge"] == "rubric:world-v1" and "judge requests this run" in result.output
    samples = json.loads((tmp_path / "out" / "samples.json").read_text())
    assert sum(len(rows) for rows in samples.values()) == len(samples)  # one prompt per world family
    # Decoding defaults are the preset's (smoke: 24 new tokens), not DecodingConfig's 256.
    assert written["decoding"] == resolve_config("smoke").to_dict()["decoding"]
    assert written["decoding"]["max_new_tokens"] == 24


def test_eval_and_run_build_the_same_judge_from_the_same_name(tmp_path, monkeypatch):
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    from_eval = one_line_failure("eval", "--model", "smollm2-135m-instruct", "--baseline", "smollm2-135m-instruct",
                                 "--sets", "facts", "--judge", "qwen-max")
    assert "$DASHSCOPE_API_KEY" in from_eval  # the paper preset's judge reads the same variable under `run`
    assert resolve_config("paper").judge == resolve_config("tiny", judge="qwen-max", eval_sets="paper").judge


def test_power_answers_from_a_pilots_spread():
    result = CliRunner().invoke(main, ["power", "--sd", "0.082", "--seeds", "3"])
    assert result.exit_code == 0, result.output
    assert "3 seeds detect 0.254" in result.output and "needs 24 seeds" in result.output


def test_leaderboard_prints_table_1_and_the_comparisons(monkeypatch, tmp_path):
    import pdbench.pipeline.report

    def fake_leaderboard(experiment, parent_run_id, out, budget, compare, target):
        assert compare == ("ours", "rand") and target == 0.1
        out.mkdir()
        for name in ("leaderboard.md", "comparisons.md"):
            (out / name).write_text(f"{name} text")
        return [out / "leaderboard.md", out / "comparisons.md"]

    monkeypatch.setattr(pdbench.pipeline.report, "leaderboard_from_mlflow", fake_leaderboard)
    result = CliRunner().invoke(main, ["leaderboard", "--out", str(tmp_path / "lb"), "--compare", "ours, rand",
                                       "--target", "0.1"])
    assert result.exit_code == 0, result.output
    assert "leaderboard.md text" in result.output and "comparisons.md text" in result.output


def test_data_export_writes_the_world_in_a_public_format_that_data_build_reads_back(tmp_path, cache):
    """`pdbench data export` writes what paper-mini reads from the cache; the UltraFeedback file goes back in."""
    import json

    from pdbench.world.export import FORMATS

    runner = CliRunner()
    feedback, hermes = tmp_path / "uf.jsonl", tmp_path / "oh.jsonl"
    result = runner.invoke(main, ["data", "export", "--format", "ultrafeedback", "--prompts", "40", "--out", str(feedback)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in feedback.read_text().splitlines()]
    assert len(rows) == 40 and {"instruction", "completions"} <= set(rows[0])
    result = runner.invoke(main, ["data", "export", "--dataset", "world:decoupled", "--format", "openhermes",
                                  "--prompts", "5", "--out", str(hermes)])
    assert result.exit_code == 0, result.output
    first = json.loads(hermes.read_text().splitlines()[0])
    assert [turn["from"] for turn in first["conversations"]] == ["human", "gpt"]
    result = runner.invoke(main, ["data", "build", "--dataset", str(feedback), "--out", str(tmp_path / "pairs")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pairs" / "pairs.jsonl").exists()
    for bad in (["--dataset", "ultrafeedback"], ["--dataset", "world:bogus"]):
        result = runner.invoke(main, ["data", "export", *bad, "--format", "ultrafeedback", "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and "--dataset" in result.output and not (tmp_path / "x").exists()
    command = next(c for c in main.commands["data"].commands.values() if c.name == "export")
    assert tuple(next(p for p in command.params if p.name == "fmt").type.choices) == FORMATS
