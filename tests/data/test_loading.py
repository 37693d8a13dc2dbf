import json
import re

import pytest

from pdbench.data.loading import load_records
from pdbench.data.schema import DataError
from tests.data.conftest import random_uf_records


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_ultrafeedback_file_formats_load_alike(tmp_path, suffix):
    raws = random_uf_records(20)
    raws[0]["completions"][0]["annotations"]["honesty"] = {"Rating": "N/A", "Rationale": "x"}
    path = tmp_path / f"uf{suffix}"
    if suffix == ".jsonl":
        write_jsonl(path, raws)
    elif suffix == ".json":
        path.write_text(json.dumps(raws))
    else:
        import pandas as pd

        pd.DataFrame(raws).to_parquet(path)
    records = load_records(str(path))
    assert len(records) == 20
    assert records[0].completions[0].ratings["honesty"] is None


def test_format_is_detected(tmp_path):
    hs2 = [{"prompt": "p", "response": r, "helpfulness": 1, "correctness": 2, "coherence": 3,
            "complexity": 1, "verbosity": 1} for r in "ab"]
    generic = [{"prompt": "p", "completions": [{"response": "a", "ratings": {"x": 1, "y": 2}},
                                               {"response": "b", "ratings": {"x": 2, "y": 1}}]}]
    assert set(load_records(str(write_jsonl(tmp_path / "h.jsonl", hs2)))[0].completions[0].ratings) == {
        "helpfulness", "correctness", "coherence"}
    assert set(load_records(str(write_jsonl(tmp_path / "g.jsonl", generic)))[0].completions[0].ratings) == {"x", "y"}


def test_unknown_format_and_bad_json_are_clear(tmp_path):
    with pytest.raises(DataError, match="unrecognised format"):
        load_records(str(write_jsonl(tmp_path / "u.jsonl", [{"text": "hi"}])))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "x"}\n{oops\n')
    with pytest.raises(DataError, match=r"bad.jsonl, record 1: invalid JSON on line 2"):
        load_records(str(bad))
    with pytest.raises(DataError, match="not a named source"):
        load_records(str(tmp_path / "missing.jsonl"))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_jsonl_with_unicode_line_separators_inside_strings_loads(tmp_path, separator):
    """json.dumps(..., ensure_ascii=False) writes these raw inside strings; only "\\n" ends a JSONL record."""
    raws = random_uf_records(20)
    raws[15]["completions"][0]["response"] = f"one{separator}two"
    path = tmp_path / "uf.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in raws), encoding="utf-8")
    records = load_records(str(path))
    assert len(records) == 20 and records[15].completions[0].text == f"one{separator}two"


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_unreadable_values_name_the_file_and_record(tmp_path, suffix):
    raws = random_uf_records(6)
    path = tmp_path / f"uf{suffix}"

    def write(text_of_record_4):
        texts = [json.dumps(r) for r in raws]
        texts[4] = text_of_record_4
        path.write_text("\n".join(texts) + "\n" if suffix == ".jsonl" else "[" + ",\n".join(texts) + "]")

    write(re.sub(r'"Rating": "\d"', '"Rating": ' + "1" * 5001, json.dumps(raws[4]), count=1))
    with pytest.raises(DataError, match=rf"uf{suffix}(, record 4)?: unreadable JSON.*4300 digits"):
        load_records(str(path))
    write(json.dumps(raws[4]).replace('"response": "', '"response": "\\ud800', 1))
    with pytest.raises(DataError, match=rf"uf{suffix}, record 4, field 'completions\[0\].response': .*surrogate"):
        load_records(str(path))
    write(json.dumps(raws[4]).replace('"response": "', '"response": "\\ud83d\\ude00', 1))  # a pair: an emoji
    assert load_records(str(path))[4].completions[0].text.startswith("\U0001F600")


def test_dataset_identity_is_the_content_of_a_file_and_the_name_of_a_source(tmp_path):
    from pdbench.data.loading import dataset_identity

    path = write_jsonl(tmp_path / "uf.jsonl", random_uf_records(5))
    first = dataset_identity(str(path))
    assert first.startswith("sha256:") and dataset_identity(str(path)) == first
    moved = path.rename(tmp_path / "moved.jsonl")
    assert dataset_identity(str(moved)) == first  # the content, not the path
    moved.write_text(moved.read_text().replace("resp 0-0", "resp 0-0 edited"))
    assert dataset_identity(str(moved)) != first
    for name in ("world", "world:positive_control", "ultrafeedback", "helpsteer2"):
        assert dataset_identity(name) == name
    with pytest.raises(DataError, match="not a named source"):
        dataset_identity(str(tmp_path / "missing.jsonl"))
