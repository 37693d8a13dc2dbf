import os

import pandas as pd
import pytest

from pdbench.pipeline import stages
from pdbench.pipeline.config import ConfigError, resolve_config
from pdbench.selection.plan import Plan
from pdbench.training import precision
from pdbench.training.config import TrainConfig
from pdbench.training.precision import resolve_precision
from pdbench.training.train import dpo_args


@pytest.mark.parametrize("native, expected", [(True, "bf16"), (False, "fp32")])
def test_auto_follows_the_hardware(monkeypatch, native, expected):
    monkeypatch.setattr(precision, "has_native_bf16", lambda: native)
    assert resolve_precision("auto") == expected
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"  # explicit wins


def test_unknown_precision_is_refused_before_any_compute():
    """Checked in one place, when the configuration is built (not again where it is resolved)."""
    with pytest.raises(ConfigError, match="train.precision: must be auto, bf16 or fp32"):
        resolve_config("tiny", train={"precision": "half"})


@pytest.mark.parametrize("choice, bf16", [("bf16", True), ("fp32", False)])
def test_trl_gets_the_resolved_precision(tmp_path, choice, bf16):
    assert dpo_args(TrainConfig(precision=choice), tmp_path, "dpo", 1).bf16 is bf16


def test_the_trained_stage_key_holds_the_arithmetic_used_not_auto(monkeypatch, tmp_path):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(stages, "_model_identity", lambda path: path)
    pairs = pd.DataFrame({"prompt": ["p"], "chosen": ["c"], "rejected": ["r"]})
    plan = Plan(rows=(0,))

    def folder(choice: str, native: bool):
        monkeypatch.setattr(precision, "has_native_bf16", lambda: native)
        return stages._trained_folder(resolve_config("tiny", train={"precision": choice}), "policy", pairs, plan)

    assert folder("auto", True) == folder("bf16", False)  # same arithmetic, same cached model
    assert folder("auto", False) == folder("fp32", True)
    assert folder("bf16", True) != folder("fp32", True)


def test_cpu_bf16_training_caps_onednn_cache_unless_the_user_chose(monkeypatch):
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")  # recorded, so the test leaves the variable as it was
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY")
    precision.bound_cpu_bf16_cache()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == precision.ONEDNN_CACHE_CAPACITY
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "512")
    precision.bound_cpu_bf16_cache()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "512"
