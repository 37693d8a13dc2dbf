"""What a run prints: the result table with its legend; what the power command and an untracked sweep print."""

from dataclasses import replace

from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.report import format_result
from pdbench.results import RunResult
from tests.fakes import fake_cell_result


def test_printed_result_has_a_legend_and_names_the_baseline():
    result = fake_cell_result(resolve_config("smoke"))
    result["pairwise"]["sets"]["facts"].update(n=4, wins=2, ties=1, losses=1, win_score_ci95=[0.5, 1.75],
                                               position_consistency=1.0)
    result["alpaca_eval"].update(lc_kind="length_controlled_minimal", reference="initial policy (world)")
    result["costs"] = {"training": {"cached": True}}
    text = format_result(RunResult.from_dict(result))
    assert "baseline = the initial (SFT) policy" in text
    for term in ("score = win score", "pos.cons = ", "len = the policy's mean answer length in characters",
                 "AW = average win score", "WR = ", "LC = ", "device-hours (cpu)", "reused from cache: training"):
        assert term in text, term


def test_stages_that_did_no_work_are_not_reported_as_reused():
    """Without an SFT stage (and with the SFT policy as baseline) nothing was reused: an empty cache said
    "reused from cache: sft"."""
    result = fake_cell_result(resolve_config("smoke"))
    result["pairwise"]["sets"]["facts"].update(n=4, wins=2, ties=1, losses=1, win_score_ci95=[0.5, 1.75],
                                               position_consistency=1.0)
    result["alpaca_eval"] = None
    nothing = {"seconds": 0.0, "devices": 0, "device": "none", "cached": True}
    result["costs"] = {"sft": nothing, "data": {"cached": True, "device": "cpu"}, "baseline": nothing}
    assert format_result(RunResult.from_dict(result)).splitlines()[-1] == "reused from cache: data"
    result["costs"]["data"]["cached"] = False
    assert "reused from cache" not in format_result(RunResult.from_dict(result))


def test_the_leaderboard_of_an_unreachable_server_is_one_quick_line(monkeypatch, tmp_path):
    import time

    from tests.clitools import one_line_failure

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    started = time.perf_counter()
    output = one_line_failure("leaderboard", "--out", str(tmp_path / "lb"))
    assert "MLflow at http://127.0.0.1:9 is unreachable" in output and time.perf_counter() - started < 20


def test_power_says_what_each_seed_count_detects_and_what_a_target_needs():
    from pdbench.pipeline.report import format_power

    text = format_power(0.082, 0.05, [1, 3, 30])
    assert "3 seeds detect 0.254" in text and "30 seeds detect 0.043" in text and " 1 seeds" not in text
    assert text.endswith("a difference of 0.05 needs 24 seeds")
    assert format_power(50.0, 0.05, []).endswith("needs more than 10,000 seeds at this spread")


def test_comparisons_from_run_folders_without_mlflow(tmp_path):
    from pdbench.pipeline.report import comparisons_from_folders
    from tests.fakes import write_fake_cell

    base = resolve_config("smoke")
    for strategy, seed in [("ours", 0), ("ours", 1), ("rand", 0), ("rand", 1), ("all", 0)]:
        config = replace(base, strategy=strategy, seed=seed)
        write_fake_cell(config, tmp_path / "sweep" / f"{strategy}-{seed}")
    files = comparisons_from_folders([tmp_path / "sweep"], tmp_path / "out", compare=("ours",))
    text = files[0].read_text()
    assert "| ours | rand | 2 |" in text and "| ours | all |" not in text  # `all` ran one seed: no spread
    assert comparisons_from_folders([tmp_path / "empty"], tmp_path / "none") == []
