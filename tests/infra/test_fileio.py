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


def _disk_full(*_args):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_names_the_file_and_the_space_left(tmp_path):
    from pdbench.infra.fileio import OutOfSpaceError, write_with

    with pytest.raises(OutOfSpaceError, match=rf"{tmp_path / 'table.csv'}: no space left on the device \({tmp_path}: "
                                               r"[\d.]+ MiB free\)"):
        write_with(tmp_path / "table.csv", _disk_full)
    assert list(tmp_path.iterdir()) == []


def test_a_library_that_says_so_in_its_own_error_type_is_a_full_disk_too():
    from pdbench.infra.fileio import is_out_of_space

    class SafetensorError(Exception):  # safetensors' own type, as the model conversion raises it
        pass

    assert is_out_of_space(SafetensorError('Error while serializing: IoError(Os { code: 28, kind: StorageFull, '
                                           'message: "No space left on device" })'))
    try:
        try:
            _disk_full()
        except OSError as error:
            raise RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed") from error
    except RuntimeError as wrapped:
        assert is_out_of_space(wrapped)
    assert not is_out_of_space(RuntimeError("file write failed")) and not is_out_of_space(OSError(13, "denied"))


def test_all_or_nothing_replaces_every_file_or_none(tmp_path):
    from pdbench.infra.fileio import OutOfSpaceError, all_or_nothing

    (tmp_path / "a.txt").write_text("old a")
    with pytest.raises(OutOfSpaceError, match="b.txt"):
        with all_or_nothing() as write:
            write(tmp_path / "a.txt", lambda p: p.write_text("new a"))
            write(tmp_path / "b.txt", _disk_full)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"] and (tmp_path / "a.txt").read_text() == "old a"
    with all_or_nothing() as write:
        write(tmp_path / "a.txt", lambda p: p.write_text("new a"))
        write(tmp_path / "b.txt", lambda p: p.write_text("new b"))
    assert (tmp_path / "a.txt").read_text() == "new a" and (tmp_path / "b.txt").read_text() == "new b"


def test_jsonl_lines_split_at_newlines_only():
    from pdbench.infra.fileio import jsonl_lines

    assert jsonl_lines('{"a": "x\u2028y"}\n{"b": "\u0085"}\r\n') == ['{"a": "x\u2028y"}', '{"b": "\u0085"}\r']
    assert jsonl_lines("") == [] and jsonl_lines("{}") == ["{}"]
