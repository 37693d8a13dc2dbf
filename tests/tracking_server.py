"""A real MLflow tracking server for tests: `mlflow server` with a SQLite backend on a free loopback port."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def mlflow_server(root: Path):
    """`mlflow server` with a SQLite backend on a free loopback port; returns (process, uri)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{root / 'server.db'}", "--artifacts-destination", str(root / "artifacts")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{uri}/health", timeout=2)
            return server, uri
        except OSError:
            time.sleep(0.5)
    server.kill()
    pytest.fail("mlflow server did not start in 90 s")
