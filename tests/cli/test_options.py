"""CleanErrors: the errors a user can act on end in one line, and a full disk anywhere is one of them."""

import pytest
from click.testing import CliRunner

from pdbench.cli import main


@pytest.mark.parametrize("raised, expected", [
    (RuntimeError('Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left '
                  'on device" })'), "Error: no space left on the device: RuntimeError: Error while serializing"),
    (ChildProcessError("training in /x failed (exit code 1); the training process's error is above"),
     "Error: training in /x failed (exit code 1)"),
    (ConnectionError("MLflow at http://h is unreachable (refused): there is no leaderboard to read"),
     "Error: MLflow at http://h is unreachable"),
])
def test_environment_failures_end_in_one_line(monkeypatch, tmp_path, raised, expected):
    """A full disk in the model conversion (safetensors' own error type), a failed training child, an unreachable
    tracking server: each used to end in a traceback."""
    def fails(*args, **kwargs):
        raise raised

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("pdbench.pipeline.runner.initial_policy_stage", fails)
    result = CliRunner().invoke(main, ["run", "--preset", "smoke", "--no-track", "--run-dir", str(tmp_path / "r")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(expected), result.output
    assert isinstance(result.exception, SystemExit)


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path):
    def bug(*args, **kwargs):
        raise KeyError("n_conflicting_aspects")

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("pdbench.pipeline.runner.initial_policy_stage", bug)
    result = CliRunner().invoke(main, ["run", "--preset", "smoke", "--no-track", "--run-dir", str(tmp_path / "r")])
    assert isinstance(result.exception, KeyError)
