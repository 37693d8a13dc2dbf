import json

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
