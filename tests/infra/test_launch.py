"""Child processes: the launch command, and Ctrl-C stopping a child without its traceback."""

import sys

import pytest

from pdbench.infra.launch import Launch, child_command


def test_a_distributed_launch_gets_its_own_port_and_the_precision():
    first = child_command("m", "F", Launch(num_processes=2, accelerate_config="c.yaml", precision="bf16"))
    second = child_command("m", "F", Launch(num_processes=2, accelerate_config="c.yaml", precision="bf16"))
    port = first.index("--main_process_port")
    assert first[port + 1] != second[port + 1]  # two launches never meet on accelerate's default 29500
    assert first[first.index("--mixed_precision") + 1] == "bf16"
    assert first[-3:] == ["-m", "m", "F"] and first[first.index("--config_file") + 1] == "c.yaml"
    assert child_command("m", "F", Launch()) == [sys.executable, "-m", "m", "F"]
    assert "--multi_gpu" in child_command("m", "F", Launch(num_processes=2))


def test_a_launch_with_one_process_and_deepspeed_still_goes_through_accelerate():
    command = child_command("m", "F", Launch(accelerate_config="ds.yaml"))
    assert "accelerate.commands.launch" in command and "--multi_gpu" not in command


def test_an_unresolved_precision_is_refused():
    with pytest.raises(ValueError, match="bf16 or fp32"):
        Launch(precision="auto")


def test_ctrl_c_stops_the_training_child_without_its_traceback(tmp_path):
    """Ctrl-C reaches the whole foreground process group; only the parent reports it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child_pid = tmp_path / "child.pid"
    child = f"import os, time; open({str(child_pid)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    # The parent starts as in a terminal, where Ctrl-C raises KeyboardInterrupt: a SIGINT that this test
    # process ignores (one started in the background by a shell, say) would otherwise be inherited.
    parent = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "from pdbench.infra.launch import run_interruptible\n"
              f"try:\n    run_interruptible([sys.executable, '-c', {child!r}])\n"
              "except KeyboardInterrupt:\n    print('interrupted', file=sys.stderr)\n")
    process = subprocess.Popen([sys.executable, "-c", parent], stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 30
    while not child_pid.exists() or not child_pid.read_text():
        assert time.time() < deadline, "the child did not start"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    _, stderr = process.communicate(timeout=60)
    assert stderr.strip() == "interrupted"
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(int(child_pid.read_text()), 0)


@pytest.mark.parametrize("code, error, message", [
    (28, "OutOfSpaceError", "no space left on the device"),
    (1, "ChildFailedError", "failed (exit code 1); the end of"),
])
def test_a_failed_child_ends_in_one_line_naming_its_folder(tmp_path, monkeypatch, code, error, message):
    """Instead of the parent's CalledProcessError traceback after the child's: one line naming the folder or log."""
    import re

    from pdbench.infra.launch import run_child

    (tmp_path / "failing_child.py").write_text(
        "import pathlib, sys\nprint('the child says why')\nsys.exit(int(pathlib.Path(sys.argv[1], 'code').read_text()))\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "code").write_text(str(code))
    with pytest.raises(Exception, match=rf"(?s)(?=.*{re.escape(str(folder))})(?=.*{re.escape(message)})") as caught:
        run_child("failing_child", folder, Launch(), "test stage")
    assert type(caught.value).__name__ == error and isinstance(caught.value, OSError)  # one line in the CLI
    if code == 1:
        assert "the child says why" in str(caught.value)


def test_a_child_exits_quietly_with_its_code_when_the_disk_is_full():
    import errno

    from pdbench.infra.launch import OUT_OF_SPACE_EXIT, run_entry

    def disk_full(folder):
        raise RuntimeError("PytorchStreamWriter failed writing file data/0") from OSError(errno.ENOSPC, "full")

    assert run_entry(disk_full, "folder") == OUT_OF_SPACE_EXIT == 28

    def bug(folder):
        raise KeyError("a bug keeps its traceback")

    with pytest.raises(KeyError):
        run_entry(bug, "folder")


def test_a_rank_killed_by_a_signal_leaves_its_stacks_and_the_error_quotes_them_above_the_summary(tmp_path, monkeypatch):
    """As under torchrun: a rank dies by SIGABRT (a C++ assertion), then the launcher prints a long summary. The
    error quotes the rank's own report (faulthandler's stacks, on in every child) as well as the end of the log."""
    from pdbench.infra.launch import ChildFailedError, run_child

    rank = "import os\ndef the_function_that_aborts():\n    os.abort()\nthe_function_that_aborts()\n"
    (tmp_path / "launcher_child.py").write_text(
        f"import subprocess, sys\ncode = subprocess.call([sys.executable, '-c', {rank!r}])\n"
        "print('\\n'.join(f'summary {i}' for i in range(60)), flush=True)\nsys.exit(1)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.delenv("PYTHONFAULTHANDLER", raising=False)
    folder = tmp_path / "work"
    folder.mkdir()
    with pytest.raises(ChildFailedError) as caught:
        run_child("launcher_child", folder, Launch(), "test stage")
    message = str(caught.value)
    assert "Fatal Python error: Aborted" in message and "the_function_that_aborts" in message
    assert "summary 59" in message and "summary 30" not in message  # the end, and not the middle


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_parent_takes_its_training_child_and_its_server_with_it(tmp_path):
    """A sweep worker killed mid-stage (SIGKILL: no cleanup runs) must leave no child behind that would go on writing
    into the stage its retry recomputes, or hold its GPU."""
    import os
    import signal
    import subprocess
    import time

    import psutil

    pids = {name: tmp_path / f"{name}.pid" for name in ("child", "server")}
    sleeper = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(120)"
    parent = ("import sys, threading\n"
              "from pdbench.infra.launch import run_interruptible\n"
              "from pdbench.infra.server import served\n"
              f"def serve():\n    with served([sys.executable, '-c', {sleeper!r}, {str(pids['server'])!r}], 9, "
              f"{str(tmp_path / 'server.log')!r}, start_timeout_s=120):\n        pass\n"
              "threading.Thread(target=serve, daemon=True).start()\n"
              f"run_interruptible([sys.executable, '-c', {sleeper!r}, {str(pids['child'])!r}])\n")
    process = subprocess.Popen([sys.executable, "-c", parent], start_new_session=True)
    deadline = time.time() + 60
    while not all(p.exists() and p.read_text() for p in pids.values()):
        assert time.time() < deadline, "the children did not start"
        time.sleep(0.1)
    children = [psutil.Process(int(p.read_text())) for p in pids.values()]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    gone, alive = psutil.wait_procs(children, timeout=30)
    for child in alive:
        child.kill()
    assert not alive, f"still running after their parent was killed: {[c.pid for c in alive]}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_server_started_by_a_short_lived_thread_outlives_the_thread(tmp_path):
    """Linux's parent-death signal follows the forking thread: a judge server started lazily by a request thread
    was stopped as soon as that thread's pool ended (CI: "Shutting down" after the first test set). Children are
    forked by a thread as long-lived as the process instead."""
    import threading
    import time

    from pdbench.infra.launch import spawn

    started = []
    thread = threading.Thread(target=lambda: started.append(spawn([sys.executable, "-c", "import time; time.sleep(30)"])))
    thread.start()
    thread.join()
    time.sleep(1.0)
    child = started[0]
    try:
        assert child.poll() is None, f"the child died with the thread that asked for it (exit {child.returncode})"
    finally:
        child.kill()
        child.wait()
