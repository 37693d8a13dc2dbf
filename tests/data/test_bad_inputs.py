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


def test_data_stats_reads_the_pairs_data_build_wrote_with_line_separators_in_a_text(tmp_path):
    records = random_uf_records(60)
    records[15]["completions"][0]["response"] = "first line\u2028second line"
    source = tmp_path / "uf.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["data", "build", "--dataset", str(source), "--natural", "--out", str(tmp_path / "b")])
    assert built.exit_code == 0, built.output
    assert "\u2028" in (tmp_path / "b" / "pairs.jsonl").read_text(encoding="utf-8")  # written raw
    stats = runner.invoke(main, ["data", "stats", str(tmp_path / "b")])
    assert stats.exit_code == 0, stats.output
    assert stats.output.startswith("pairs: ")


def test_data_stats_on_a_table_with_only_the_documented_columns(tmp_path):
    from pdbench.data.build import PAIR_COLUMNS

    rows = [{"prompt": f"p{i}", "chosen": "a b c", "rejected": "a", "aspect": "x" if i % 2 else "y",
             "is_conflict": i % 3 == 0} for i in range(9)]
    write_jsonl(tmp_path / "pairs.jsonl", rows)
    assert set(rows[0]) == set(PAIR_COLUMNS)
    result = CliRunner().invoke(main, ["data", "stats", str(tmp_path / "pairs.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["n_pairs"] == 9 and stats["n_conflicting"] == 3 and stats["attainable_conflict_range"] is None
    assert stats["length"]["all"]["delta_mean"] == 2.0


@pytest.mark.parametrize("rating, problem", [
    ("1" * 401, "is not finite or too large"),
    ("nan", "rating 'nan' is neither a number nor 'N/A'"),
    ('"' + "1" * 401 + '"', "is not finite or too large"),
    ("1" * 5001, "record 5: unreadable JSON on line 6"),
    ('"\\udc00"', "record 5, field 'completions[1].annotations.honesty.Rating': holds an unpaired UTF-16 surrogate"),
])
def test_unreadable_ratings_end_in_one_line_naming_the_file(tmp_path, rating, problem):
    good = {a: "3" for a in ASPECTS}
    records = random_uf_records(5) + [uf_record([uf_completion(good, response="a"),
                                                  uf_completion({**good, "honesty": "PLACEHOLDER"}, response="b")])]
    path = write_jsonl(tmp_path / "uf.jsonl", records)
    path.write_text(path.read_text().replace('"PLACEHOLDER"', rating if rating != "nan" else '"nan"'))
    output = one_line_failure("data", "build", "--dataset", str(path), "--natural", "--out", str(tmp_path / "o"))
    assert str(path) in output and problem in output


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf"])
def test_non_finite_aspect_weights(tmp_path, weight):
    assert "aspect_weights must be finite and non-negative" in one_line_failure(
        "data", "build", "--dataset", "world", "--world-prompts", "20", "--aspect-weights", f"honesty={weight}",
        "--out", str(tmp_path / "o"))


def test_a_full_disk_in_data_build_is_one_line_and_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    import errno

    source = write_jsonl(tmp_path / "uf.jsonl", random_uf_records(60))
    out = tmp_path / "built"
    result = CliRunner().invoke(main, ["data", "build", "--dataset", str(source), "--natural", "--out", str(out)])
    assert result.exit_code == 0, result.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pdbench.data.build.plot_conflict_breakdown", disk_full)  # after pairs and stats are written
    output = one_line_failure("data", "build", "--dataset", str(source), "--conflict", "0.2", "--out", str(out))
    assert f"{out / 'conflict_breakdown.png'}: no space left on the device" in output and "MiB free" in output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
