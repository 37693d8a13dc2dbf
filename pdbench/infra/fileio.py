"""Writing files so that an interruption never leaves a half-written one behind, and a full disk ends in one
line that names the file and the space left; splitting JSONL text into its records' lines."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

OUT_OF_SPACE_TEXTS = ("No space left on device", "StorageFull", "Disk quota exceeded")
"""How libraries that raise their own error types say ENOSPC (safetensors: ``IoError(Os { code: 28, kind:
StorageFull, ... })``)."""


class OutOfSpaceError(OSError):
    """A write failed because its file system is full; the message names the file and the space left there."""


def is_out_of_space(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from, is a full disk (ENOSPC / EDQUOT, or a library's
    text for it)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(text in str(error) for text in OUT_OF_SPACE_TEXTS):
            return True
        error = error.__cause__ or error.__context__
    return False


def out_of_space(path: Path) -> OutOfSpaceError:
    """The one-line error for a full disk while writing ``path``: the file, and how much space is left there."""
    place = Path(path)
    while not place.exists() and place != place.parent:
        place = place.parent
    try:
        free = f"{shutil.disk_usage(place).free / 2**20:.1f} MiB free"
    except OSError:
        free = "free space unknown"
    return OutOfSpaceError(f"{path}: no space left on the device ({place}: {free}); free some space and try again")


@contextmanager
def named_if_out_of_space(path: Path) -> Iterator[None]:
    """A full disk inside the body becomes OutOfSpaceError naming ``path``; other errors pass unchanged."""
    try:
        yield
    except OutOfSpaceError:
        raise
    except Exception as error:
        if is_out_of_space(error):
            raise out_of_space(path) from error
        raise


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically. A full disk raises
    OutOfSpaceError naming ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with named_if_out_of_space(path):
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    # mkstemp makes the file private (0600); results are for other people and tools too, so give
    # it the permissions a plain open() would have.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    try:
        with named_if_out_of_space(path):
            yield Path(temp)
            os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def write_text(path: Path, text: str) -> None:
    """Atomically write a text file."""
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")


def write_json(path: Path, data) -> None:
    """Atomically write pretty-printed JSON (numpy scalars become plain numbers)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False, default=_plain) + "\n")


def _plain(value):
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_with(path: Path, writer: Callable[[Path], None]) -> None:
    """Atomically write ``path`` with ``writer(temp_path)`` (e.g. a pandas or matplotlib writer)."""
    with atomic_path(path) as temp:
        writer(temp)


@contextmanager
def all_or_nothing() -> Iterator[Callable[[Path, Callable[[Path], None]], None]]:
    """Yield ``write(path, writer)``, which writes ``path`` with ``writer(temp_path)``; the files replace their
    targets together when the body ends, and none does if it fails (a full disk halfway leaves the folder as
    it was)."""
    with ExitStack() as stack:
        yield lambda path, writer: writer(stack.enter_context(atomic_path(path)))


def jsonl_lines(text: str) -> list[str]:
    """The lines of JSONL text, split at "\\n" only (a "\\r" before it is JSON whitespace).

    Not ``str.splitlines()``: it also breaks at U+2028, U+2029, U+0085 and other separators, which
    ``json.dumps(..., ensure_ascii=False)`` writes raw inside strings, so it would cut valid records apart.
    """
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file (for error messages)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return quoted(text.splitlines()[-lines:])


def quoted(lines) -> str:
    """Log lines indented as error messages quote them."""
    return "\n".join("    " + line for line in lines)
