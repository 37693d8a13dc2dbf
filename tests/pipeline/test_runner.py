"""`pdbench run` end to end on the smoke preset, tracked on a real `mlflow server` on loopback:
the run and its leaderboard, resume without retraining, fail-fast inputs."""

import json
import os

import pytest
from click.testing import CliRunner

from pdbench.cli import main
from pdbench.training.precision import resolve_precision
from tests.tracking_server import mlflow_server


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, smollm2_path):
    """A private cache (sharing the converted SmolLM2) and a real MLflow tracking server."""
    root = tmp_path_factory.mktemp("run")
    cache = root / "cache"
    (cache / "models").mkdir(parents=True)
    os.symlink(smollm2_path, cache / "models" / "smollm2-135m-instruct")
    saved = {k: os.environ.get(k) for k in ("PDBENCH_CACHE_DIR", "MLFLOW_TRACKING_URI")}
    server, uri = mlflow_server(root)
    os.environ["PDBENCH_CACHE_DIR"] = str(cache)
    os.environ["MLFLOW_TRACKING_URI"] = uri
    yield root
    server.terminate()
    server.wait(timeout=30)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def invoke(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def first_run(workspace):
    run_dir = workspace / "ours"
    result = invoke("run", "--strategy", "ours", "--preset", "smoke", "--run-dir", str(run_dir), "--experiment", "test")
    assert result.exit_code == 0, result.output
    return run_dir, result.output


def test_smoke_run_prints_table_and_logs_to_mlflow(first_run):
    import mlflow

    run_dir, output = first_run
    assert "AW =" in output and "MLflow run" in output and "device-hours (cpu)" in output
    assert "[1/9] initial_policy ..." in output and "[8/9] alpaca_eval: computed in" in output
    assert "[6/9] generation: computed in" in output and "[9/9] behaviour: computed in" in output
    assert "is live" in output.split("[1/9]")[0]  # the MLflow run exists from the first stage on
    assert "score = win score" in output and "baseline = the initial (SFT) policy" in output
    result = json.loads((run_dir / "result.json").read_text())
    assert set(result["pairwise"]["sets"]) == {"arithmetic", "facts", "format", "unanswerable", "false_premise"}
    behaviour = result["behaviour"]  # what the policy learned, by the gold rubric
    assert set(behaviour) == {"policy", "baseline", "sft", "policy_vs_sft"}
    assert {"correct", "filler", "hedged", "fabricated", "format_kept", "refusal", "length_words"} == set(behaviour["sft"])
    assert behaviour["baseline"] == behaviour["sft"]  # the smoke preset's baseline is the SFT policy
    assert behaviour["policy_vs_sft"]["correct"] == behaviour["policy"]["correct"] - behaviour["sft"]["correct"]
    assert result["taught"]["all"]["pairs"] == result["plan"]["rows"]
    assert "behaviour (gold rubric" in output
    costs = result["costs"]  # stage parts, for benchmarks/tiny_cell.py
    assert set(costs["selection"]["parts"]) == {"pd.rm_training", "pd.scoring"}
    assert costs["generation"]["seconds"] > costs["evaluation"]["parts"]["judging"] > 0  # answers: their own stage
    runs = mlflow.search_runs(experiment_names=["test"])
    assert len(runs) == 1
    run = runs.iloc[0]
    for tag, value in {"strategy": "ours", "conflict": "0.3", "budget": "0.3", "seed": "0", "preset": "smoke",
                       "dataset": "world", "judge": "rubric:world-v1"}.items():
        assert run[f"tags.{tag}"] == value
    assert run["tags.git_sha"] and run["tags.pkg.trl"].startswith("1.16")
    assert run["tags.device"] == "cpu" and run["status"] == "FINISHED"
    assert run["tags.train_precision"] == costs["training"]["precision"] == resolve_precision("auto")
    for metric in ("AW/average_win_score", "AW/std_over_sets", "AlpacaEval/WR_win_rate_pct",
                   "AlpacaEval/LC_length_controlled_win_rate_pct", "device_hours/total", "device_hours/selection",
                   "win_score/facts", "answer_length/policy_chars", "stage_seconds/training",
                   "selection/rm_heldout_accuracy/pd/honesty", "behaviour/correct", "behaviour_vs_sft/filler",
                   "taught/agrees", "taught/fabricated_delta"):
        assert run[f"metrics.{metric}"] == run[f"metrics.{metric}"]  # present, not NaN
    assert not [c for c in run.index if c in ("metrics.aw", "metrics.wr", "metrics.lc", "metrics.avg_length")]
    assert "params.sft.dataset" not in run.index and "params.pd.lm_model" not in run.index
    client = mlflow.MlflowClient()
    assert len(client.get_metric_history(run["run_id"], "system/cpu_utilization_percentage")) >= 1  # sampled in training
    assert [m.step for m in client.get_metric_history(run["run_id"], "train/loss")] == [1, 2]  # the smoke preset's 2 steps
    assert len(client.get_metric_history(run["run_id"], "train/rewards/margins")) == 2
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run["run_id"])}
    assert {"result.json", "plan", "samples"} <= artifacts
    assert not any("api_key" in k.lower() and "env" not in k.lower() for k in run.index)


def test_leaderboard_reads_the_run_back_from_the_server(first_run, workspace):
    out = workspace / "leaderboard"
    result = invoke("leaderboard", "--experiment", "test", "--out", str(out))
    assert result.exit_code == 0, result.output
    markdown = (out / "leaderboard.md").read_text()
    assert "ours" in markdown and "AW" in markdown and "GPU-h" in markdown
    assert (out / "leaderboard.csv").exists() and (out / "leaderboard.html").exists()
    assert (out / "per_set_win_scores.png").read_bytes()[:4] == b"\x89PNG"


def test_unreachable_server_keeps_results_for_sync(first_run, workspace, monkeypatch):
    run_dir, _ = first_run
    server_uri = os.environ["MLFLOW_TRACKING_URI"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    (run_dir / "synced.json").unlink()  # as if the run's own upload had failed
    failed = CliRunner().invoke(main, ["sync", str(run_dir), "--experiment", "synced"])
    assert failed.exit_code == 1 and "pdbench sync" in failed.output and (run_dir / "result.json").exists()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server_uri)
    synced = invoke("sync", str(run_dir), "--experiment", "synced")
    assert synced.exit_code == 0 and "MLflow run" in synced.output
    (run_dir / "synced.json").unlink()  # even without the marker, the run folder's record is sent only once
    again = invoke("sync", str(run_dir), "--experiment", "synced")
    assert again.output.splitlines()[-1] == synced.output.splitlines()[-1]  # the same MLflow run
    import mlflow

    assert len(mlflow.search_runs(experiment_names=["synced"])) == 1


def test_rerun_after_interrupted_evaluation_does_not_retrain(workspace, first_run, monkeypatch):
    import pdbench.eval.evaluate

    run_dir = workspace / "interrupted"
    calls = {"n": 0}
    real = pdbench.eval.evaluate.pairwise_evaluation

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        raise KeyboardInterrupt  # the user's Ctrl-C during evaluation

    monkeypatch.setattr(pdbench.eval.evaluate, "pairwise_evaluation", interrupted)
    aborted = invoke("run", "--strategy", "rand", "--preset", "smoke", "--run-dir", str(run_dir), "--no-track")
    assert aborted.exit_code != 0 and calls["n"] == 1  # click turns Ctrl-C into "Aborted!"
    assert not (run_dir / "result.json").exists()
    monkeypatch.setattr(pdbench.eval.evaluate, "pairwise_evaluation", real)
    result = invoke("run", "--strategy", "rand", "--preset", "smoke", "--run-dir", str(run_dir), "--no-track")
    assert result.exit_code == 0, result.output
    costs = json.loads((run_dir / "result.json").read_text())["costs"]
    assert costs["training"]["cached"] and costs["data"]["cached"]
    assert "reused from cache" in result.output and "training" in result.output


@pytest.mark.parametrize("args, message", [
    (["--budget", "0"], "budget: must be in (0, 1]"),
    (["--budget", "1.5"], "budget: must be in (0, 1]"),
    (["--strategy", "our"], "Did you mean 'ours'"),
    (["--judge", "openai:gpt-4o", "--eval-sets", "vicuna"], "$OPENAI_API_KEY"),
])
def test_bad_inputs_fail_fast(workspace, monkeypatch, args, message):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(main, ["run", "--preset", "smoke", "--no-track", "--run-dir",
                                       str(workspace / "bad"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not (workspace / "bad" / "plan").exists()  # failed before any stage ran


@pytest.mark.parametrize("yaml_text, message", [
    ("alpaca: {annotator: weighted_alpaca_eval_gpt4_turbo}\n", "AlpacaEval annotator key: $OPENAI_API_KEY is not set"),
    ("decoding: {server: vllm}\n", "generation server: /nonexistent/vllm: not found (vLLM runs from its own"),
])
def test_what_would_stop_a_run_later_stops_it_before_training(workspace, monkeypatch, tmp_path, yaml_text, message):
    """AlpacaEval's key and the vLLM server are checked before any stage (no silent fallback to transformers)."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("PDBENCH_VLLM", "/nonexistent/vllm")
    config = tmp_path / "c.yaml"
    config.write_text(yaml_text)
    result = CliRunner().invoke(main, ["run", "--preset", "smoke", "--no-track", "--config", str(config),
                                       "--run-dir", str(tmp_path / "run")])
    assert result.exit_code != 0 and message in result.output
    assert "[1/" not in result.output  # no stage started


def test_device_hours_count_every_device_a_stage_held_and_no_api_wait():
    from pdbench.pipeline.runner import gpu_hours

    costs = {
        "sft": {"seconds": 360.0, "devices": 8, "device_seconds": 2880.0, "device": "H100"},
        "selection": {"seconds": 100.0, "device_seconds": 700.0, "reward_base_device_seconds": 720.0, "device": "H100"},
        "training": {"seconds": 900.0, "devices": 8, "device_seconds": 7200.0, "device": "H100"},
        "generation": {"seconds": 60.0, "devices": 8, "device_seconds": 480.0, "device": "H100"},
        "evaluation": {"seconds": 3000.0, "devices": 0, "device_seconds": 0.0, "device": "H100"},  # a remote judge
        "baseline": {"seconds": 10.0, "devices": 8, "device": "H100"},  # an older record: seconds x devices
    }
    hours = gpu_hours(costs)
    assert hours.sft == pytest.approx((2880 + 720) / 3600)  # the reward model's base SFT too
    assert hours.selection == pytest.approx(700 / 3600) and hours.training == pytest.approx(2)
    assert hours.evaluation == pytest.approx(480 / 3600)  # 50 minutes waiting on the judge's API cost no GPU
    assert hours.total == pytest.approx(hours.sft + hours.selection + hours.training + hours.evaluation)
    assert hours.device == "H100" and hours.unit == "GPU-hours"


def test_the_paper_preset_fine_tunes_both_models_first_and_templates_them():
    from pdbench.pipeline.config import resolve_config

    config = resolve_config("paper")
    assert config.sft.dataset == "teknium/OpenHermes-2.5" and config.sft.reward_model
    assert (config.sft.learning_rate, config.sft.epochs, config.sft.batch_size, config.sft.warmup_ratio) == (1e-5, 2.0, 64, 0.03)
    assert config.chat_template == "llama3" and config.decoding.server == "vllm"
    assert config.accelerate_config == "deepspeed_zero3.yaml" and config.num_processes == 8
    mini = resolve_config("paper-mini")
    for field in ("learning_rate", "epochs", "batch_size", "warmup_ratio"):  # the paper's recipe, small parts
        assert getattr(mini.sft, field) == getattr(config.sft, field)
    assert mini.train == config.train and mini.accelerate_config == config.accelerate_config
