"""Every listed bad input to `pdbench run / select / eval` ends in one line and a non-zero exit, before any compute."""

import pytest

from tests.clitools import one_line_failure


@pytest.mark.parametrize("budget", ["-1", "0", "1.5"])
def test_select_budget_out_of_range(tmp_path, budget):
    assert "budget: must be in (0, 1]" in one_line_failure("select", "--strategy", "rand", "--budget", budget,
                                                         "--out", str(tmp_path))


def test_select_unknown_strategy_before_data(tmp_path, monkeypatch):
    monkeypatch.setattr("pdbench.data.loading.load_records", lambda *a, **k: pytest.fail("data was loaded"))
    assert "unknown strategy 'our'" in one_line_failure("select", "--strategy", "our", "--out", str(tmp_path))


@pytest.mark.parametrize("yaml_text, expected", [
    ("budget: abc\n", "budget: expected float, got 'abc'"),
    ('seed: "zero"\n', "seed: expected int, got 'zero'"),
    ("train: 5\n", "train: expected a mapping of TrainConfig fields, got 5"),
    ('train: {max_steps: "two"}\n', "train.max_steps: expected int, got 'two'"),
    ("train: {max_steps: 0}\n", "train.max_steps: must be -1 (run the epochs) or >= 1"),
    ("budget: [\n", "not valid YAML at line 2"),
    ("- a list\n", "expected a mapping of RunConfig fields"),
])
def test_run_config_file_types_and_ranges(tmp_path, yaml_text, expected):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml_text)
    output = one_line_failure("run", "--preset", "smoke", "--config", str(config), "--no-track", "--run-dir", str(tmp_path / "r"))
    assert expected in output and str(config) in output


def test_run_flags_out_of_range_fail_before_compute(tmp_path):
    assert "budget: must be in (0, 1], got -1.0" in one_line_failure("run", "--preset", "smoke", "--budget", "-1", "--dry-run")


def test_run_model_specs_are_checked_first(tmp_path):
    output = one_line_failure("run", "--preset", "smoke", "--policy", "/nonexistent", "--no-track", "--run-dir", str(tmp_path))
    assert "--policy '/nonexistent': no such folder" in output
    output = one_line_failure("run", "--preset", "smoke", "--baseline", "./nope", "--no-track", "--run-dir", str(tmp_path))
    assert "--baseline './nope': no such folder" in output


def test_eval_baseline_checked_before_generating():
    output = one_line_failure("eval", "--model", "smollm2-135m-instruct", "--baseline", "/nonexistent")
    assert "--baseline '/nonexistent'" in output


def test_run_checks_the_judge_endpoint_before_compute(tmp_path):
    from tests.fakes import FakeJudgeServer

    with FakeJudgeServer("ok") as server:
        url = server.url
    output = one_line_failure("run", "--preset", "smoke", "--judge", "openai:m", "--judge-base-url", url, "--no-track",
                              "--run-dir", str(tmp_path / "r"))
    assert f"judge m at {url}: cannot connect" in output
    assert not (tmp_path / "r" / "config.json").exists()  # nothing started


def test_a_second_run_in_the_same_folder_stops_at_once(tmp_path):
    from pdbench.pipeline.rundir import claim

    with claim(tmp_path / "r"):
        assert "is in use by another pdbench process" in one_line_failure(
            "run", "--preset", "smoke", "--no-track", "--run-dir", str(tmp_path / "r"))


@pytest.mark.parametrize("args, expected", [
    (["--strategies", "rand,ours", "--budgets", "0.3,-1"], "budget: must be in (0, 1], got -1.0"),
    (["--strategies", "rand,our"], "unknown strategy 'our'"),
])
def test_sweep_checks_every_cell_before_the_first(tmp_path, args, expected):
    assert expected in one_line_failure("sweep", "--preset", "smoke", "--no-track", "--sweep-dir", str(tmp_path), *args)
    assert not (tmp_path / "sweep.json").exists()


def test_run_with_a_missing_dataset_fails_before_anything_starts(tmp_path):
    output = one_line_failure("run", "--preset", "smoke", "--dataset", str(tmp_path / "missing.jsonl"), "--no-track",
                              "--run-dir", str(tmp_path / "r"))
    assert "missing.jsonl: no such file, and not a named source" in output
    assert not (tmp_path / "r").exists()  # no config.json, no MLflow record, no folder holding only a lock


def test_sweep_with_a_missing_dataset_fails_before_the_first_cell(tmp_path):
    output = one_line_failure("sweep", "--preset", "smoke", "--strategies", "rand", "--dataset",
                              str(tmp_path / "missing.jsonl"), "--no-track", "--sweep-dir", str(tmp_path / "s"))
    assert "no such file" in output and not (tmp_path / "s").exists()
