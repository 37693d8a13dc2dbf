import pytest

from pdbench.data.helpsteer2 import parse_helpsteer2
from pdbench.data.schema import DataError


def row(prompt, response, h=3, c=3, co=4, cx=1, v=2):
    return {"prompt": prompt, "response": response, "helpfulness": h, "correctness": c,
            "coherence": co, "complexity": cx, "verbosity": v}


def test_groups_responses_by_prompt_and_drops_singletons():
    rows = [row("p1", "a", h=4), row("p2", "x"), row("p1", "b", h=1)]
    [record] = parse_helpsteer2(rows, "hs2.jsonl")
    assert record.prompt == "p1"
    assert [c.text for c in record.completions] == ["a", "b"]
    assert record.completions[0].ratings == {"helpfulness": 4.0, "correctness": 3.0, "coherence": 4.0}
    assert record.completions[0].overall == 4.0  # helpfulness is HelpSteer2's overall measure


def test_descriptive_attributes_only_on_request():
    [record] = parse_helpsteer2([row("p", "a"), row("p", "b")], "f", aspects=("helpfulness", "verbosity"))
    assert set(record.completions[0].ratings) == {"helpfulness", "verbosity"}


def test_out_of_scale_rating_names_the_field():
    with pytest.raises(DataError, match=r"record 1, field 'coherence'.*0-4"):
        parse_helpsteer2([row("p", "a"), row("p", "b", co=7)], "hs2.jsonl")
