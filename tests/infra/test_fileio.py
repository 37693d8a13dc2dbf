"""Atomic writes: complete or absent, with ordinary file permissions."""

import os
import stat

import pytest

from pdbench.infra.fileio import atomic_path, write_json


def test_written_files_get_the_permissions_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "result.json", {"aw": 1.0})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "result.json").stat().st_mode) == 0o644


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "table.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            temp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
