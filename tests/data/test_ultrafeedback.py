import pytest

from pdbench.data.schema import DataError
from pdbench.data.ultrafeedback import parse_ultrafeedback
from tests.data.conftest import uf_completion, uf_record

GOOD = {"helpfulness": "4", "honesty": "5", "instruction_following": "3", "truthfulness": "2"}


def test_reads_string_ratings_and_na():
    ratings = dict(GOOD, honesty="N/A")
    [record] = parse_ultrafeedback([uf_record([uf_completion(ratings), uf_completion(GOOD)])], "f.jsonl")
    first = record.completions[0]
    assert first.ratings == {"helpfulness": 4.0, "honesty": None, "instruction_following": 3.0, "truthfulness": 2.0}
    assert first.mean_score() == pytest.approx(3.0)  # N/A is left out of the mean
    assert record.completions[1].mean_score() == pytest.approx(3.5)


def test_list_form_annotations_equal_dict_form():
    as_list = parse_ultrafeedback([uf_record([uf_completion(GOOD, list_form=True)] * 2)], "f")
    as_dict = parse_ultrafeedback([uf_record([uf_completion(GOOD)] * 2)], "f")
    assert as_list == as_dict


def test_numeric_ratings_and_overall_score():
    [record] = parse_ultrafeedback([uf_record([uf_completion({**GOOD, "helpfulness": 5}, overall=7.5)] * 2)], "f")
    assert record.completions[0].ratings["helpfulness"] == 5.0
    assert record.completions[0].overall == 7.5


def test_record_with_one_completion_is_skipped():
    assert parse_ultrafeedback([uf_record([uf_completion(GOOD)])], "f") == []


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda r: r.pop("instruction"), "instruction"),
        (lambda r: r["completions"][1]["annotations"].pop("honesty"), "completions[1].annotations.honesty"),
        (lambda r: r["completions"][0]["annotations"]["truthfulness"].update(Rating="five"),
         "completions[0].annotations.truthfulness.Rating"),
        (lambda r: r["completions"][1].pop("response"), "completions[1].response"),
        (lambda r: r.update(completions="oops"), "completions"),
    ],
)
def test_malformed_record_names_file_record_and_field(mutate, field):
    records = [uf_record([uf_completion(GOOD)] * 2) for _ in range(3)]
    records[2] = uf_record([uf_completion(GOOD), uf_completion(GOOD)])
    mutate(records[2])
    with pytest.raises(DataError) as info:
        parse_ultrafeedback(records, "data/uf.jsonl")
    message = str(info.value)
    assert "data/uf.jsonl" in message and "record 2" in message and f"'{field}'" in message
