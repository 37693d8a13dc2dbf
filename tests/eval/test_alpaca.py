import numpy as np
import pytest

from pdbench.eval.alpaca import minimal_length_controlled, preference_annotations


def annotations(preferences, model_lengths, reference_length=50):
    n = len(preferences)
    return preference_annotations(
        [f"q{i}" for i in range(n)], ["r" * reference_length] * n, ["m" * length for length in model_lengths],
        preferences, "model", "rubric",
    )


def test_win_rate_counts_ties_as_half():
    metrics = minimal_length_controlled(annotations([2, 2, 1, 1.5] * 5, [40, 60, 50, 50] * 5))
    assert metrics["win_rate"] == pytest.approx(62.5)
    assert 0 <= metrics["length_controlled_winrate"] <= 100
    assert metrics["lc_kind"] == "length_controlled_minimal"


def test_length_control_discounts_wins_bought_with_length():
    rng = np.random.default_rng(0)
    lengths = rng.integers(10, 200, size=200)
    # The judge prefers the model exactly when it is longer than the 100-character reference.
    preferences = np.where(lengths > 100, 2.0, 1.0)
    metrics = minimal_length_controlled(annotations(preferences, lengths, reference_length=100))
    assert metrics["length_controlled_winrate"] < metrics["win_rate"] + 15
    assert abs(metrics["length_controlled_winrate"] - 50) < 15  # at equal length: a coin flip


def test_constant_preferences_do_not_break_the_glm():
    metrics = minimal_length_controlled(annotations([2.0] * 10, [30] * 10))
    assert metrics["length_controlled_winrate"] == metrics["win_rate"] == 100.0


class FakeAnnotatorJudge:
    """Stands in for the run's judge as AlpacaEval's annotator: answers the classifier prompt with ``M`` (the model's
    output is better) when the model's answer is longer, else ``m``; counts requests; ``down`` makes every request
    fail like an unreachable endpoint."""

    identity = "fake:annotator"

    def __init__(self, down: bool = False):
        self.requests, self.down = 0, down

    def complete(self, messages, max_tokens):
        self.requests += 1
        if self.down:
            raise ConnectionError("the judge is down")
        text = messages[-1]["content"]
        first, second = text.split('"output": """')[1:3]
        return "M" if len(second) > len(first) else "m"


def outputs(n, tag="model", length=30):
    return [{"instruction": f"q{i}", "output": f"{tag} {i} " + "x" * (length + i), "generator": tag} for i in range(n)]


def reference_file(tmp_path, n):
    import json

    path = tmp_path / "reference.json"
    path.write_text(json.dumps(outputs(n, "reference", length=20 + n // 2)))
    return path


def test_official_path_annotates_once_and_reuses_its_cache(tmp_path):
    """alpaca_eval.evaluate with the run's judge as annotator: its cache is a file beside (not around) the output
    folder, a rerun asks nothing, and a judge that is down then costs nothing (issue 25, item 6)."""
    from pdbench.eval.alpaca import official_alpaca_eval

    judge = FakeAnnotatorJudge()
    reference = reference_file(tmp_path, 12)
    first = official_alpaca_eval(outputs(12), reference, "judge", tmp_path / "cache", tmp_path / "out1", False, judge)
    assert judge.requests == 12 and first["annotated"] == 12 and first["asked"] == 12
    assert 0 < first["win_rate"] < 100 and first["lc_kind"] == "length_controlled_minimal"
    assert "805 prompts only" in first["note"]
    cache_files = list((tmp_path / "cache").glob("annotations-*.json"))
    assert len(cache_files) == 1 and cache_files[0].is_file()
    assert (tmp_path / "out1" / "annotations.json").is_file() and (tmp_path / "out1" / "leaderboard.csv").is_file()

    down = FakeAnnotatorJudge(down=True)
    down.identity = judge.identity  # the same judge, now unreachable: every annotation comes from the cache
    again = official_alpaca_eval(outputs(12), reference, "judge", tmp_path / "cache", tmp_path / "out2", False, down)
    assert down.requests == 0 and again["win_rate"] == first["win_rate"]


def test_unreadable_annotations_give_no_win_rate_instead_of_a_crash(tmp_path):
    from pdbench.eval.alpaca import official_alpaca_eval

    class Chatty(FakeAnnotatorJudge):
        def complete(self, messages, max_tokens):
            self.requests += 1
            return "The first"

    result = official_alpaca_eval(outputs(4), reference_file(tmp_path, 4), "judge", tmp_path / "c", tmp_path / "o",
                                  False, Chatty())
    assert result["win_rate"] is None and result["annotated"] == 0 and "could be read" in result["note"]


def test_the_official_lc_falls_back_to_the_minimal_one_offline_and_says_why(tmp_path, monkeypatch):
    import pdbench.eval.alpaca as alpaca

    monkeypatch.setattr(alpaca, "df_gamed_path", lambda: None)  # as on a machine that never fetched it
    result = alpaca.official_alpaca_eval(outputs(12), reference_file(tmp_path, 12), "judge", tmp_path / "c",
                                         tmp_path / "o", True, FakeAnnotatorJudge())
    assert result["lc_kind"] == "length_controlled_minimal" and "df_gamed.csv, which is not in" in result["note"]


def test_classifier_replies_parse_to_preferences():
    from pdbench.eval.alpaca import parse_m_or_M

    assert parse_m_or_M(" M") == [2] and parse_m_or_M("m\n") == [1] and parse_m_or_M('"M".') == [2]
    with pytest.raises(ValueError):
        parse_m_or_M("Model M is better")
