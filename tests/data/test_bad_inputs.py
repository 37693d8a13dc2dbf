"""Every bad data input ends in one line naming the file (record, field) and a non-zero exit, before any compute;
and data the loaders used to accept silently is refused or dropped with a reason."""

import json

import pytest
from click.testing import CliRunner

from pdbench.cli import main
from tests.clitools import one_line_failure
from pdbench.data.loading import load_records
from pdbench.data.schema import DataError
from tests.data.conftest import ASPECTS, random_uf_records, uf_completion, uf_record


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_folder_as_dataset(tmp_path):
    assert "is a folder" in one_line_failure("data", "build", "--dataset", str(tmp_path), "--out", str(tmp_path / "o"))
    assert "is a folder" in one_line_failure("select", "--strategy", "rand", "--dataset", str(tmp_path), "--out", str(tmp_path / "o"))


def test_bad_utf8_and_bad_json_name_the_file(tmp_path):
    bad_bytes = tmp_path / "latin1.jsonl"
    bad_bytes.write_bytes(b'{"instruction": "ok"}\n{"instruction": "caf\xe9"}\n')
    assert f"{bad_bytes}: not UTF-8 text (line 2" in one_line_failure("data", "build", "--dataset", str(bad_bytes), "--out", str(tmp_path / "o"))
    bad_json = tmp_path / "broken.json"
    bad_json.write_text('[{"instruction": ')
    assert f"{bad_json}: invalid JSON at line 1" in one_line_failure("data", "build", "--dataset", str(bad_json), "--out", str(tmp_path / "o"))


@pytest.mark.parametrize("content, problem", [
    ("", "holds no pairs"),
    ('{"instruction": "x", "completions": []}\n', "not a pair table"),
    ("not json\n", "invalid JSON on line 1"),
    (b"\xff\xfe".decode("latin-1"), "not UTF-8"),
])
def test_data_stats_on_a_file_that_is_not_a_pair_table(tmp_path, content, problem):
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(content.encode("latin-1"))
    assert problem in one_line_failure("data", "stats", str(path))


def test_switching_build_format_leaves_one_table(tmp_path):
    runner = CliRunner()
    source = write_jsonl(tmp_path / "uf.jsonl", random_uf_records(60))
    out = tmp_path / "built"
    for fmt in ("jsonl", "parquet"):
        result = runner.invoke(main, ["data", "build", "--dataset", str(source), "--natural", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert not (out / "pairs.jsonl").exists() and (out / "pairs.parquet").exists()
    write_jsonl(out / "pairs.jsonl", [{"prompt": "stale"}])  # a folder from an older version
    assert "holds both pairs.jsonl and pairs.parquet" in one_line_failure("data", "stats", str(out))


@pytest.mark.parametrize("rating", ["7", "-1", "inf", 6, "0"])
def test_ultrafeedback_ratings_outside_1_to_5_are_refused(tmp_path, rating):
    good = {a: "3" for a in ASPECTS}
    records = random_uf_records(5) + [uf_record([uf_completion(good, response="a"),
                                                  uf_completion({**good, "honesty": rating}, response="b")])]
    with pytest.raises(DataError, match=r"record 5, field 'completions\[1\].annotations.honesty.Rating': rating"):
        load_records(str(write_jsonl(tmp_path / "uf.jsonl", records)))


def test_records_with_one_completion_say_so(tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [uf_record([uf_completion({a: "3" for a in ASPECTS})])])
    assert "none of its 1 record(s) has two or more completions" in one_line_failure(
        "data", "build", "--dataset", str(path), "--out", str(tmp_path / "o"))


def test_identical_chosen_and_rejected_are_dropped_with_a_reason(tmp_path):
    records = random_uf_records(40)
    for record in records[:5]:
        for completion in record["completions"]:
            completion["response"] = "the same text"
    out = tmp_path / "built"
    result = CliRunner().invoke(main, ["data", "build", "--dataset", str(write_jsonl(tmp_path / "uf.jsonl", records)),
                                       "--natural", "--out", str(out)])
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["dropped"]["chosen and rejected texts identical"] == 5


def test_all_zero_aspect_weights(tmp_path):
    assert "aspect_weights are all zero" in one_line_failure(
        "data", "build", "--dataset", "world", "--world-prompts", "20", "--aspect-weights", "honesty=0,truthfulness=0",
        "--out", str(tmp_path / "o"))
