"""A server process that pdbench starts, health-checks, logs and stops (``transformers serve``, ``vllm serve`` ...).

``served(command, port, log)`` starts the command in its own process group with its output in a log file,
waits until ``/health`` (or ``/v1/models``) answers, yields the base URL of its OpenAI-compatible API and
stops the whole group when the block ends, however it ends (the server gets SIGTERM if this process is killed).
A server that exits or does not answer in time fails with one line naming the command, the reason and the log's
last lines; nothing is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pdbench.infra.fileio import tail
from pdbench.infra.launch import spawn

HEALTH_PATHS = ("/health", "/v1/models")
"""Asked in turn until one answers 200 (vLLM and transformers serve have both)."""
STOP_TIMEOUT_S = 30.0
"""How long a server may take to exit after SIGTERM before it is killed."""


class ServerError(RuntimeError):
    """A server pdbench started exited, or did not answer its health check in time."""


@contextmanager
def served(command: list[str], port: int, log_path: Path, start_timeout_s: float = 900.0,
           env: dict[str, str] | None = None, name: str = "server") -> Iterator[str]:
    """Run ``command`` (listening on 127.0.0.1:``port``) for the duration of the block; yields its ``/v1`` URL."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n$ {' '.join(command)}\n".encode())
        log.flush()
        try:
            process = spawn(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        except OSError as error:  # the executable is missing, say
            raise ServerError(f"{name}: cannot start {command[0]} ({error.strerror or error})") from None
        try:
            _wait_until_healthy(process, port, start_timeout_s, log_path, name)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            _stop(process)


def _wait_until_healthy(process: subprocess.Popen, port: int, timeout_s: float, log_path: Path, name: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{name} exited with code {process.returncode} while starting; "
                              f"the end of {log_path}:\n{tail(log_path)}")
        for path in HEALTH_PATHS:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.5)
    raise ServerError(f"{name} did not answer on port {port} within {timeout_s:g} s; the end of {log_path}:\n"
                      f"{tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's whole process group (vLLM's workers too), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
