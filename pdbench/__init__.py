"""pdbench: a benchmark harness for preference-data selection in LLM alignment.

It implements PD selection from "Beyond Single: A Data Selection Principle for LLM Alignment via
Fine-Grained Preference Signals" and the baselines of its Tables 1-2 behind one strategy registry.
"""

__version__ = "0.1.0"

# In a source checkout the top-level eval/ and strategies/ folders are the pdbench.eval and
# pdbench.strategies packages (pyproject.toml maps them so for installs). Adding the checkout to this
# package's path makes a checkout used through PYTHONPATH (e.g. a git worktree) import its own
# folders, not those of whichever checkout is installed.
def _checkout_root():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return str(root) if (root / "pyproject.toml").is_file() and (root / "eval" / "__init__.py").is_file() else None


_root = _checkout_root()
if _root:
    __path__.append(_root)
