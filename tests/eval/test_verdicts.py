import pytest

from pdbench.eval.verdicts import JudgeReply, outcome, parse_score_line, verdict


@pytest.mark.parametrize("text, scores", [
    ("8 7\nAssistant 1 was more precise.", (8.0, 7.0)),
    ("\n  9.5 3  \nexplanation", (9.5, 3.0)),
    ("8, 6\n...", (8.0, 6.0)),
    ("**7 7**\ntie", (7.0, 7.0)),
    ("Scores: 4 9\n", (4.0, 9.0)),
    ("8/10 6/10\n", (8.0, 6.0)),
])
def test_well_formed_score_lines(text, scores):
    assert parse_score_line(text) == scores


@pytest.mark.parametrize("text", [
    "", "Assistant 1 is better.\n8 7", "8\n7", "eight seven", "8 7 6", "The scores are 8 and 7.",
])
def test_garbage_is_invalid(text):
    assert parse_score_line(text) is None


def test_swapped_verdicts_from_the_models_side():
    reply = JudgeReply((8.0, 6.0))
    assert verdict(reply, 1) == 1 and verdict(reply, 2) == -1
    assert verdict(JudgeReply((5.0, 5.0)), 1) == 0
    assert verdict(JudgeReply(None, "garbage"), 1) is None


@pytest.mark.parametrize("first, second, expected", [
    (1, 1, "win"), (1, 0, "win"), (1, -1, "tie"), (0, 0, "tie"), (-1, 0, "loss"), (-1, -1, "loss"),
    (1, None, "tie"), (None, None, "tie"),
])
def test_win_tie_loss_rule(first, second, expected):
    assert outcome(first, second) == expected
