"""benchmarks/common.py: the throw-away stage cache every benchmark runs in."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from common import scratch_cache  # noqa: E402

from pdbench.infra.cache import cache_root  # noqa: E402


def test_scratch_cache_is_fresh_used_by_pdbench_and_deleted_afterwards(monkeypatch, tmp_path):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "users-cache"))
    with scratch_cache() as folder:
        assert cache_root() == folder
        assert list(folder.iterdir()) == []
        (folder / "trained").mkdir()
    assert not folder.exists()
    assert os.environ["PDBENCH_CACHE_DIR"] == str(tmp_path / "users-cache")


def test_scratch_cache_keeps_a_folder_it_was_given(monkeypatch, tmp_path):
    monkeypatch.delenv("PDBENCH_CACHE_DIR", raising=False)
    with scratch_cache(str(tmp_path)) as folder:
        assert cache_root() == tmp_path
        (folder / "kept").write_text("x")
    assert (tmp_path / "kept").exists()
    assert "PDBENCH_CACHE_DIR" not in os.environ


def test_scratch_cache_cleans_up_after_an_error():
    with pytest.raises(RuntimeError), scratch_cache() as folder:
        raise RuntimeError("benchmark failed")
    assert not folder.exists()
