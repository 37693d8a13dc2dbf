"""What a run prints: the result table with its legend."""

from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.report import format_result
from tests.fakes import fake_cell_result


def test_printed_result_has_a_legend_and_names_the_baseline():
    result = fake_cell_result(resolve_config("smoke"))
    result["pairwise"]["sets"]["facts"].update(n=4, wins=2, ties=1, losses=1, win_score_ci95=[0.5, 1.75],
                                               position_consistency=1.0)
    result["alpaca_eval"].update(lc_kind="length_controlled_minimal", reference="initial policy (world)")
    result["costs"] = {"training": {"cached": True}}
    text = format_result(result)
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
    assert format_result(result).splitlines()[-1] == "reused from cache: data"
    result["costs"]["data"]["cached"] = False
    assert "reused from cache" not in format_result(result)


def test_the_leaderboard_of_an_unreachable_server_is_one_quick_line(monkeypatch, tmp_path):
    import time

    from tests.clitools import one_line_failure

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    started = time.perf_counter()
    output = one_line_failure("leaderboard", "--out", str(tmp_path / "lb"))
    assert "MLflow at http://127.0.0.1:9 is unreachable" in output and time.perf_counter() - started < 20
