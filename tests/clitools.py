"""Running the CLI in tests."""

from click.testing import CliRunner

from pdbench.cli import main


def one_line_failure(*args: str) -> str:
    """Invoke ``pdbench ARGS``; assert it failed with one error line (click's usage hint aside) and no traceback."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0, result.output
    errors = [line for line in result.output.splitlines() if line.strip() and not line.startswith(("Usage:", "Try '"))]
    assert "Traceback" not in result.output and len(errors) == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output
