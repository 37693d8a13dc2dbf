"""A run's MLflow record: params that apply, curves from TRL's log, metric names with units."""

from pdbench.pipeline.config import resolve_config
from pdbench.tracking.record import curve_event, run_params
from pdbench.tracking.store import METRIC_NAMES, mlflow_metric_name


def test_params_leave_out_settings_that_do_not_apply():
    tiny = run_params(resolve_config("tiny").to_dict())
    assert not [k for k in tiny if k.startswith(("sft.", "pd.lm_", "train.lora_"))]
    assert tiny["judge.name"] == "rubric" and not [k for k in tiny if k.startswith("judge.") and k != "judge.name"]
    assert "accelerate_config" not in tiny
    assert "pd.encoder" in tiny and tiny["world_prompts"] == 1000
    paper = run_params(resolve_config("paper").to_dict())
    assert paper["pd.lm_model"] and "pd.encoder" not in paper and "world_prompts" not in paper
    assert paper["judge.api_key_env"] == "DASHSCOPE_API_KEY"  # the variable's name, never its value
    assert paper["judge.name"] == "qwen-max" and paper["judge.model"] == "qwen-max"
    with_sft = run_params(resolve_config("tiny", sft={"dataset": "teknium/OpenHermes-2.5"}).to_dict())
    assert with_sft["sft.dataset"] == "teknium/OpenHermes-2.5"


def test_curves_come_from_trl_log_history_without_bookkeeping():
    history = [{"loss": 0.69, "rewards/accuracies": 0.5, "learning_rate": 1e-5, "epoch": 0.5, "step": 1},
               {"train_runtime": 3.0, "train_loss": 0.6, "total_flos": 0.0, "step": 1}]
    points = curve_event(history, "baseline_train")["points"]
    assert ["baseline_train/loss", 0.69, 1] in points and ["baseline_train/rewards/accuracies", 0.5, 1] in points
    assert not [p for p in points if p[0].endswith(("epoch", "total_flos", "train_runtime"))]


def test_mlflow_names_say_what_a_metric_is():
    assert mlflow_metric_name("aw") == "AW/average_win_score"
    assert mlflow_metric_name("win_score.facts") == "win_score/facts"
    assert mlflow_metric_name("gpu_hours.training") == "device_hours/training"
    assert mlflow_metric_name("train/loss") == "train/loss"
    assert all("/" in name for name in METRIC_NAMES.values())


def test_profile_metrics_are_grouped_by_prefix_in_mlflow():
    assert mlflow_metric_name("behaviour.correct") == "behaviour/correct"
    assert mlflow_metric_name("behaviour_vs_sft.filler") == "behaviour_vs_sft/filler"
    assert mlflow_metric_name("taught.agrees") == "taught/agrees"
