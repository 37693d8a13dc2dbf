"""The installed package: eval/ and strategies/ land inside pdbench, and the layering holds (import-linter).

The wheel is built from a copy of the sources and installed into a scratch folder, so the check sees
the package as users get it (pyproject's package-dir mapping applied), and the checkout is untouched.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A folder holding pdbench installed from its wheel (no dependencies), to put on PYTHONPATH."""
    work = tmp_path_factory.mktemp("wheel")
    for name in ("pdbench", "eval", "strategies", "pyproject.toml", "README.md"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, work / "src" / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                                  if (ROOT / name).is_dir() else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(work / "src")],
                   check=True, capture_output=True)
    wheel = next((work / "dist").glob("pdbench-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(work / "site"), str(wheel)], check=True,
                   capture_output=True)
    return work / "site"


def _python(site: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=site.parent, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(site)})


def test_eval_and_strategies_install_inside_the_pdbench_namespace(installed):
    assert not (installed / "eval").exists() and not (installed / "strategies").exists()
    assert "No module named 'eval'" in _python(installed, "import eval").stderr
    found = _python(installed, "import pdbench.eval.setup, pdbench.strategies.ours, pdbench.eval.config as c; "
                               "print(c.shipped_judges())")
    assert found.returncode == 0, found.stderr
    assert "qwen-max" in found.stdout and "local-serve" in found.stdout  # package data came along
    assert (installed / "pdbench" / "training" / "accelerate_configs" / "deepspeed_zero3.yaml").is_file()


def test_every_package_folder_is_listed_in_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    mapped = {"eval": "pdbench.eval", "strategies": "pdbench.strategies"}
    folders = {".".join(init.parent.relative_to(ROOT).parts) for top in ("pdbench", "eval", "strategies")
               for init in (ROOT / top).rglob("__init__.py")}
    expected = {mapped.get(name.split(".")[0], name.split(".")[0]) + name[len(name.split(".")[0]):] for name in folders}
    assert listed == expected


def test_import_contracts_hold(installed):
    """Layers cli -> pipeline -> strategies -> {...} -> {pd, data, world} -> infra, mlflow only in tracking.store,
    strategies without training / eval / tracking, eval without pipeline / strategies / training, configs
    without torch (contracts in pyproject.toml)."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([lint, str(ROOT / "pyproject.toml"), "--no-cache"], cwd=installed.parent, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(installed)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert "Contracts: 6 kept, 0 broken." in result.stdout


def test_no_import_circle_among_pdbench_modules(installed):
    """No module imports itself through others (pipeline.sweep <-> pipeline.tracked was one), lazy imports in
    functions included: grimp, the import graph import-linter checks its contracts on."""
    code = """
import grimp
graph = grimp.build_graph("pdbench")
circles = sorted({tuple(sorted((m, i))) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)
                  if i != m and graph.chain_exists(importer=i, imported=m)})
print(circles)
"""
    result = _python(installed, code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
