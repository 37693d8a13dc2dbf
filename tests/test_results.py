"""The typed run result reads every result.json the project has committed and writes it back unchanged."""

import json
from pathlib import Path

import pytest

from pdbench.results import ResultFileError, RunResult

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _committed_results() -> list[Path]:
    return sorted(DOCS.rglob("result.json"))


def test_every_committed_result_reads_and_writes_back_the_same_json():
    """Cells written by earlier versions (no ``paths``, no ``gpu_hours.sft``, no ``behaviour``) read; writing one
    back gives the same JSON, with a later field that was absent written as null."""
    files = _committed_results()
    assert len(files) > 100  # the published tiny grid, the world variants and the powered experiment's cells
    layouts = set()
    for file in files:
        data = json.loads(file.read_text())
        result = RunResult.read(file)
        written = json.loads(json.dumps(result.to_dict()))
        layouts.add(tuple(sorted(data)))
        for name, value in written.items():
            if name == "gpu_hours":  # sft: null when the file had no such part (below)
                continue
            assert data.get(name) == value or (name not in data and value is None), (file, name)
        gpu = {k: v for k, v in written["gpu_hours"].items() if v is not None}
        assert gpu == data["gpu_hours"], file
        assert result.pairwise.answer_chars == pytest.approx(
            sum(s["avg_length"] for s in data["pairwise"]["sets"].values()) / len(data["pairwise"]["sets"]))
    assert len(layouts) >= 2  # old and new layouts both exercised


def test_a_result_round_trips_through_its_folder(tmp_path):
    from pdbench.pipeline.config import resolve_config
    from tests.fakes import fake_cell_result

    data = fake_cell_result(resolve_config("smoke"))
    result = RunResult.from_dict(data)
    assert result.wr == 50.0 and result.lc == 49.0 and result.strategy == "ours"
    assert result.gpu_hours.sft is None and result.gpu_hours.unit == "device-hours (cpu)"
    result.write(tmp_path)
    assert RunResult.read(tmp_path) == result  # samples are not part of result.json (nor of equality)
    assert not (tmp_path / "samples.json").exists()


@pytest.mark.parametrize("damage, field", [
    (lambda d: d.pop("pairwise"), "'pairwise' is missing"),
    (lambda d: d["pairwise"].pop("aw"), "'pairwise.aw' is missing"),
    (lambda d: d["pairwise"]["sets"]["facts"].pop("wins"), "'pairwise.sets.facts.wins' is missing"),
    (lambda d: d["gpu_hours"].pop("device"), "'gpu_hours.device' is missing"),
    (lambda d: d.update(plan=[]), "'plan' is not an object"),
])
def test_a_damaged_result_file_is_one_line_naming_file_and_field(tmp_path, damage, field):
    from pdbench.pipeline.config import resolve_config
    from tests.fakes import fake_cell_result

    data = fake_cell_result(resolve_config("smoke"))
    damage(data)
    (tmp_path / "result.json").write_text(json.dumps(data))
    with pytest.raises(ResultFileError) as error:
        RunResult.read(tmp_path)
    message = str(error.value)
    assert message.startswith(str(tmp_path / "result.json")) and field in message and "\n" not in message


def test_a_result_file_that_is_not_json_is_named(tmp_path):
    (tmp_path / "result.json").write_text('{"config": ')
    with pytest.raises(ResultFileError, match=r"result.json: not JSON"):
        RunResult.read(tmp_path / "result.json")
