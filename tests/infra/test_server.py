"""Servers pdbench starts: health-checked, logged, stopped with their whole process group, one line when they fail."""

import sys
import time

import pytest

from pdbench.infra.launch import free_port
from pdbench.infra.server import ServerError, served

HTTP_SERVER = [sys.executable, "-c", "import http.server, os, sys\n"
               "handler = type('H', (http.server.BaseHTTPRequestHandler,), {'do_GET': lambda s: (s.send_response(200), "
               "s.end_headers())})\n"
               "server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), handler)\n"
               "os.fork()\n"  # a worker process beside the server, as vLLM has
               "server.serve_forever()\n"]


def test_a_server_is_waited_for_then_stopped_with_its_children(tmp_path):
    import psutil

    port = free_port()
    with served([*HTTP_SERVER, str(port)], port, tmp_path / "server.log", 30, name="test") as url:
        assert url == f"http://127.0.0.1:{port}/v1"
        group = [p for p in psutil.process_iter(["cmdline"]) if str(port) in " ".join(p.info["cmdline"] or [])]
        assert len(group) == 2  # the server and the child it forked, as vLLM's workers are
    time.sleep(0.5)
    assert not [p for p in group if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert f"$ {sys.executable}" in (tmp_path / "server.log").read_text()


def test_a_server_that_exits_fails_with_its_log(tmp_path):
    command = [sys.executable, "-c", "import sys; print('CUDA out of memory'); sys.exit(3)"]
    with pytest.raises(ServerError, match="exited with code 3 while starting(.|\n)*CUDA out of memory"):
        with served(command, free_port(), tmp_path / "server.log", 30, name="generation server"):
            pass


def test_a_missing_executable_is_one_line(tmp_path):
    with pytest.raises(ServerError, match="cannot start /nonexistent/vllm"):
        with served(["/nonexistent/vllm", "serve"], free_port(), tmp_path / "server.log", 5):
            pass
