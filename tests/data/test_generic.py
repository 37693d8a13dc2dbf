import pytest

from pdbench.data.generic import parse_generic
from pdbench.data.pairs import build_pairs
from pdbench.data.schema import DataError


def test_any_number_of_aspects_and_null_ratings():
    raws = [{"prompt": "p", "completions": [
        {"response": "good", "ratings": {"clarity": 5, "safety": 4, "style": None}, "overall": 8},
        {"text": "bad", "ratings": {"clarity": 2, "safety": "N/A", "style": 3}},
    ]}]
    [record] = parse_generic(raws, "mine.jsonl")
    assert record.completions[1].text == "bad"
    assert record.completions[1].ratings == {"clarity": 2.0, "safety": None, "style": 3.0}
    assert record.completions[0].overall == 8.0


def test_mismatched_aspects_fail_at_pairing():
    raws = [
        {"prompt": "p", "completions": [{"response": "a", "ratings": {"x": 1, "y": 2}}, {"response": "b", "ratings": {"x": 2, "y": 1}}]},
        {"prompt": "q", "completions": [{"response": "a", "ratings": {"x": 1, "z": 2}}, {"response": "b", "ratings": {"x": 2, "z": 1}}]},
    ]
    with pytest.raises(DataError, match="record 1"):
        build_pairs(parse_generic(raws, "mine.jsonl"), None, source="mine.jsonl")


def test_bad_rating_names_the_field():
    raws = [{"prompt": "p", "completions": [{"response": "a", "ratings": {"x": "great", "y": 1}}]}]
    with pytest.raises(DataError, match=r"mine.jsonl, record 0, field 'completions\[0\].ratings.x'"):
        parse_generic(raws, "mine.jsonl")
