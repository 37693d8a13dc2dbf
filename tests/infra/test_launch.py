"""Child processes: the launch command, and Ctrl-C stopping a child without its traceback."""

import sys

import pytest

from pdbench.infra.launch import Launch, child_command, child_env


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


def test_the_child_sees_only_its_gpus_and_threads():
    env = child_env(Launch(gpu_ids=(2, 3), threads=4))
    assert env["CUDA_VISIBLE_DEVICES"] == "2,3" and env["OMP_NUM_THREADS"] == "4"


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
