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
