"""`pdbench sweep --engine ray` on a local Ray of 2 CPUs: what each cell asks for, refusals before anything runs, the
GPUs Ray hands out, the shared-folder check, a worker killed mid-cell, and a tracked smoke sweep whose leaderboard
equals the local pool's."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.sweep import RayOptions, run_sweep, sweep_cells
from tests.clitools import one_line_failure
from tests.fakes import fake_run_cell_recording_devices, fake_run_cell_with_cached_stages, run_cell_telling_its_pid

ray = pytest.importorskip("ray")  # the test extra installs it

from pdbench.pipeline.ray_engine import (CellResources, Node, cell_resources, check_schedulable,  # noqa: E402
                                         check_shared_folders, forwarded_env, shared_folder_problems)

ROOT = Path(__file__).resolve().parents[2]


RAY_TEST_ENV = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                "RAY_memory_monitor_refresh_ms": "0"}
"""The test Ray's workers import tests.fakes, and Ray's memory monitor is off: on a machine whose memory others fill,
it kills cells (and retries them) at random, and the tests count attempts."""


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray of 2 CPUs and no GPU for the module, bounded (no dashboard, a short temp folder: its socket paths
    must fit 107 bytes) and shut down after it."""
    import shutil

    saved = {name: os.environ.get(name) for name in RAY_TEST_ENV}
    os.environ.update(RAY_TEST_ENV)
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    ray.init(num_cpus=2, num_gpus=0, include_dashboard=False, _temp_dir=temp)
    yield
    ray.shutdown()
    shutil.rmtree(temp, ignore_errors=True)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache for the test (the cells' workers get it from the driver)."""
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_cell_asks_for_its_processes_gpus_or_a_share_of_one_gpu_or_of_a_nodes_cores():
    gpu_node, cpu_node = [Node("a", "10.0.0.1", 16, 8)], [Node("b", "10.0.0.2", 2, 0)]
    assert cell_resources(8, gpu_node, RayOptions()) == CellResources(1, 8)  # a paper cell: 8 GPUs, one per process
    assert cell_resources(1, gpu_node, RayOptions(gpus_per_cell=0.25)) == CellResources(1, 0.25)
    assert cell_resources(1, gpu_node, RayOptions(gpus_per_cell=0)) == CellResources(16, 0)  # CPU only, on a GPU node
    assert cell_resources(1, cpu_node, RayOptions(), workers=2) == CellResources(1, 0)  # as the pool: cores / workers
    assert cell_resources(1, cpu_node, RayOptions()) == CellResources(2, 0)
    assert cell_resources(2, cpu_node, RayOptions(), workers=2) == CellResources(2, 0)  # a core per process at least
    assert cell_resources(1, cpu_node, RayOptions(cpus_per_cell=0.5)).threads == 1
    assert CellResources(1, 0.25).at_once(gpu_node[0]) == 16 and CellResources(2, 1).at_once(gpu_node[0]) == 8
    with pytest.raises(ValueError, match="needs 2 whole GPUs"):
        cell_resources(2, gpu_node, RayOptions(gpus_per_cell=0.5))
    with pytest.raises(ValueError, match="uses 1 GPU"):
        cell_resources(1, gpu_node, RayOptions(gpus_per_cell=2))
    with pytest.raises(ValueError, match="--max-retries must be >= 0"):
        RayOptions(max_retries=-1)


def test_a_cell_that_no_node_can_hold_is_refused_naming_what_is_missing():
    two_nodes = [Node("a", "10.0.0.1", 32, 4), Node("b", "10.0.0.2", 32, 4)]
    total = {"CPU": 64, "GPU": 8}
    with pytest.raises(ValueError, match=r"asks Ray for 1 CPU and 8 GPUs, and no node has 8 GPUs \(the most on one "
                                         r"node: 4; 64 CPUs and 8 GPUs on 2 nodes\)"):
        check_schedulable(CellResources(1, 8), two_nodes, total)
    with pytest.raises(ValueError, match="no node with 4 GPUs has 48 CPUs"):
        check_schedulable(CellResources(48, 4), two_nodes, total)
    with pytest.raises(ValueError, match="no node has 4 CPUs"):
        check_schedulable(CellResources(4, 0), [Node("c", "10.0.0.3", 2, 0)], {"CPU": 2})
    with pytest.raises(ValueError, match="has no node alive"):
        check_schedulable(CellResources(1, 0), [], {})
    check_schedulable(CellResources(1, 4), two_nodes, total)  # fits: no error


def test_a_cell_that_asks_for_gpus_on_a_cluster_without_them_fails_before_anything_runs(local_ray, cache, tmp_path):
    sweep_dir = tmp_path / "sweep"
    output = one_line_failure("sweep", "--engine", "ray", "--gpus-per-cell", "1", "--preset", "smoke",
                              "--strategies", "rand,ours", "--conflicts", "0.3", "--sweep-dir", str(sweep_dir),
                              "--no-track")
    assert "each cell asks Ray for 1 CPU and 1 GPU, and the Ray cluster has no GPU (2 CPUs and 0 GPUs on 1 node)" in output
    assert "--gpus-per-cell 0" in output and "Nothing was run" in output
    assert not sweep_dir.exists()  # no state, no cell, no parent run


def test_ray_options_without_engine_ray_and_ray_missing_are_one_line_each(monkeypatch, tmp_path):
    assert "--gpus-per-cell, --max-retries apply to --engine ray only" in one_line_failure(
        "sweep", "--gpus-per-cell", "1", "--max-retries", "2", "--preset", "smoke")
    monkeypatch.setitem(sys.modules, "ray", None)  # as on a plain install
    monkeypatch.delitem(sys.modules, "pdbench.pipeline.ray_engine")
    with pytest.raises(ValueError, match=r"--engine ray needs Ray: pip install 'pdbench\[ray\]'"):
        run_sweep(resolve_config("smoke"), [("rand", 0.3, 0.3, 0)], tmp_path / "s", "x", track=False, ray=RayOptions())


def test_a_plain_sweep_never_imports_ray():
    code = ("import sys, pdbench.cli, pdbench.pipeline.sweep, pdbench.pipeline.tracked\n"
            "assert not [m for m in sys.modules if m == 'ray' or m.startswith('ray.')], 'ray imported'")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr


def test_cells_are_ray_tasks_with_a_core_and_no_gpu_each_and_a_rerun_resumes(local_ray, cache, tmp_path, capsys):
    cells = sweep_cells(["rand", "ours"], [0.2, 0.3], [0.3], [0])
    sweep_dir = tmp_path / "sweep"
    state = run_sweep(resolve_config("smoke"), cells, sweep_dir, "unused", track=False, workers=2,
                      run_cell=fake_run_cell_recording_devices, ray=RayOptions())
    assert len(state["done"]) == 4
    out = capsys.readouterr().out
    assert "4 to run on Ray (1 node: 2 CPUs, 0 GPUs; each cell asks 1 CPU and no GPU: up to 2 at once)" in out
    records = [json.loads((sweep_dir / name / "devices.json").read_text()) for name in state["done"]]
    assert {r["cuda_visible_devices"] for r in records} == {""}  # a CPU cell sees no GPU, even on a GPU node
    assert {r["omp_num_threads"] for r in records} == {"1"} and {r["torch_threads"] for r in records} == {1}
    assert os.getpid() not in {r["pid"] for r in records}
    assert max_overlap(records) <= 2  # never more at once than the CPUs hold
    again = run_sweep(resolve_config("smoke"), cells, sweep_dir, "unused", track=False, workers=2,
                      run_cell=fake_run_cell_recording_devices, ray=RayOptions())
    assert again["done"] == state["done"] and "4 already done, 0 to run" in capsys.readouterr().out


def max_overlap(records: list[dict]) -> int:
    """The most cells that ran at the same moment."""
    moments = sorted([(r["started"], 1) for r in records] + [(r["ended"], -1) for r in records])
    running = most = 0
    for _, change in moments:
        running += change
        most = max(most, running)
    return most


GPU_SCRIPT = """
import json, os, sys
from pathlib import Path
import ray
from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.sweep import RayOptions, run_sweep, sweep_cells
from tests.fakes import fake_run_cell_recording_devices
ray.init(num_cpus=4, num_gpus=2, include_dashboard=False, _temp_dir=sys.argv[2])  # 2 GPUs as Ray declares them
out = {}
for share in (None, 0.5):
    folder = Path(sys.argv[1]) / f"share-{share}"
    state = run_sweep(resolve_config("smoke"), sweep_cells(["rand", "ours"], [0.2, 0.3], [0.3], [0]), folder, "x",
                      track=False, run_cell=fake_run_cell_recording_devices, ray=RayOptions(gpus_per_cell=share))
    out[str(share)] = [json.loads((folder / name / "devices.json").read_text()) for name in state["done"]]
print(json.dumps(out))
"""


def test_each_cell_gets_its_gpus_from_ray_one_each_or_a_share_of_one(tmp_path):
    """On a Ray that declares 2 GPUs (this machine has none: Ray hands them out all the same), a cell that asks for a
    GPU runs with CUDA_VISIBLE_DEVICES set by Ray to its own GPU; half a GPU each lets two cells share one."""
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    env = {**os.environ, **RAY_TEST_ENV, "PDBENCH_CACHE_DIR": str(tmp_path / "cache")}
    finished = subprocess.run([sys.executable, "-c", GPU_SCRIPT, str(tmp_path), temp], capture_output=True, text=True,
                              env=env, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]
    out = json.loads(finished.stdout.strip().splitlines()[-1])
    whole, halves = out["None"], out["0.5"]
    assert {r["cuda_visible_devices"] for r in whole + halves} <= {"0", "1"}
    for gpu in ("0", "1"):  # a GPU held one whole-GPU cell at a time, or two half-GPU cells
        assert max_overlap([r for r in whole if r["cuda_visible_devices"] == gpu]) <= 1
        assert max_overlap([r for r in halves if r["cuda_visible_devices"] == gpu]) <= 2
    assert {r["omp_num_threads"] for r in whole + halves} == {"1"}  # one CPU each beside a GPU


def test_the_nodes_must_see_the_sweep_folder_and_the_cache_and_feel_its_locks(local_ray, cache, tmp_path):
    from pdbench.infra.cache import cache_root
    from pdbench.pipeline.ray_engine import _PROBE, cluster_nodes

    check_shared_folders([tmp_path / "sweep", cache_root()], cluster_nodes(), forwarded_env())  # this machine: shared
    # A node that sees other files than the driver's and whose lock the driver's does not block:
    lock = cache_root() / "free.lock"
    report = ray.get(_PROBE.remote([str(tmp_path / "elsewhere")], "no-such-token", str(lock)))
    assert report["missing"] == [str(tmp_path / "elsewhere")] and report["lock"] == "acquired"
    problems = shared_folder_problems([report], lock)
    assert len(problems) == 2
    assert f"does not see {tmp_path / 'elsewhere'} as this machine does" in problems[0]
    assert "locks on that filesystem are not shared between nodes" in problems[1] and "local_lock" in problems[1]
    assert "install the same pdbench" in shared_folder_problems([{**report, "missing": [], "lock": "blocked",
                                                                  "git_sha": "0" * 40}], lock)[0]


def kill_when(ready, pid_of, then=lambda: None, timeout_s: float = 240.0) -> dict:
    """Start a thread that waits until ``ready()``, SIGKILLs the process ``pid_of()`` names (a Ray worker in the
    middle of a cell), waits until it is gone, then calls ``then()``; returns what it did."""
    import psutil

    done = {}

    def watch():
        deadline = time.time() + timeout_s
        while not ready():
            if time.time() > deadline:
                done["error"] = "the cell never got there"
                return
            time.sleep(0.1)
        pid = pid_of()
        os.kill(pid, signal.SIGKILL)
        psutil.wait_procs([psutil.Process(pid)], timeout=30)
        done["killed"] = pid
        then()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    done["thread"] = thread
    return done


def test_a_worker_killed_mid_cell_is_retried_and_the_cell_resumes_from_its_cached_stages(local_ray, cache, tmp_path):
    cells = sweep_cells(["rand", "ours"], [0.2, 0.3], [0.3], [0])
    sweep_dir = tmp_path / "sweep"
    target = sweep_dir / "rand-c0.3-b0.3-s0"
    target.mkdir(parents=True)
    (target / "hold").touch()  # the cell waits there, after its `shared` and `train` stages, until it is killed
    killer = kill_when(lambda: (target / "holding").exists(), lambda: int((target / "holding").read_text()),
                       then=lambda: (target / "hold").unlink())
    state = run_sweep(resolve_config("smoke"), cells, sweep_dir, "unused", track=False, workers=2,
                      run_cell=fake_run_cell_with_cached_stages, ray=RayOptions(max_retries=1))
    killer["thread"].join(30)
    assert "killed" in killer, killer
    assert len(state["done"]) == 4 and all((sweep_dir / name / "result.json").exists() for name in state["done"])
    attempts = (target / "attempts").read_text().split()
    assert len(attempts) == 2 and int(attempts[0]) == killer["killed"] != int(attempts[1])  # retried in a new worker
    computed = (cache / "computations.log").read_text().splitlines()
    assert len(computed) == len(set(computed)) == 2 + 4 + 4  # every stage once: the killed cell's too
    assert f"train {target.name}" in computed


def stage_metrics(run_dir: Path) -> tuple[set[str], dict[str, float]]:
    """From a cell's journal: the stages its first attempt finished (before the second RUNNING), and each stage's
    last ``stage_reused`` value (1.0 = reused from the cache; the journal keeps a point only when it changed)."""
    attempt, first, reused = 0, set(), {}
    for event in (json.loads(line) for line in (run_dir / "mlflow" / "events.jsonl").read_text().splitlines() if line):
        if event["kind"] == "status" and event["status"] == "RUNNING":
            attempt += 1
        for key, value, _ in event.get("points", []):
            if key.startswith("stage_seconds/") and attempt == 1:
                first.add(key.removeprefix("stage_seconds/"))
            elif key.startswith("stage_reused/"):
                reused[key.removeprefix("stage_reused/")] = value
    return first, reused


def leaderboard_numbers(files: list[Path]) -> "object":
    """Table 1's numbers (mean, std, n per metric) without the columns of time (GPU-hours are wall-clock)."""
    import pandas as pd

    table = pd.read_csv(next(f for f in files if f.name == "leaderboard.csv"))
    return table[[c for c in table.columns if "gpu" not in c.lower() and "hour" not in c.lower()]]


@pytest.fixture(scope="module")
def tracking_server(tmp_path_factory):
    from tests.tracking_server import mlflow_server

    root = tmp_path_factory.mktemp("mlflow")
    server, uri = mlflow_server(root)
    yield uri
    server.terminate()
    server.wait(timeout=30)


def test_a_smoke_sweep_through_ray_survives_a_killed_worker_and_equals_the_local_pools(
        local_ray, tracking_server, smollm2_path, tmp_path, monkeypatch):
    """The real pipeline: 5 smoke cells (the SFT policy at two conflict levels and two seeds, and `ours`, which
    trains) sharing their initial policy, its answers and per conflict level and seed their pairs, on 2 Ray workers,
    tracked on an MLflow server; the worker of `ours` is SIGKILLed in the middle of the cell (its training done) and
    the retry reuses every stage the first attempt finished. The same sweep through the local pool (its own cache, so
    nothing is shared between the two) gives the same Table 1."""
    from pdbench.pipeline.report import leaderboard_from_mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_server)
    config_file = tmp_path / "small.yaml"
    config_file.write_text("world_prompts: 30\neval_prompts_per_set: 2\n")
    base = resolve_config("smoke", str(config_file))
    cells = sweep_cells(["sft"], [0.2, 0.3], [0.3], [0, 1]) + [("ours", 0.3, 0.3, 0)]
    tables = {}
    for engine in ("ray", "pool"):
        cache = tmp_path / f"cache-{engine}"
        (cache / "models").mkdir(parents=True)
        os.symlink(smollm2_path, cache / "models" / "smollm2-135m-instruct")
        monkeypatch.setenv("PDBENCH_CACHE_DIR", str(cache))
        sweep_dir = tmp_path / f"sweep-{engine}"
        if engine == "ray":
            target = sweep_dir / "ours-c0.3-b0.3-s0"
            events = target / "mlflow" / "events.jsonl"
            killer = kill_when(lambda: events.exists() and "stage_seconds/training" in events.read_text(),
                               lambda: int((target / "attempts").read_text().split()[0]))
            state = run_sweep(base, cells, sweep_dir, f"sweep-{engine}", workers=2, run_cell=run_cell_telling_its_pid,
                              ray=RayOptions(max_retries=1))
            killer["thread"].join(30)
        else:
            state = run_sweep(base, cells, sweep_dir, f"sweep-{engine}", workers=2)
        assert len(state["done"]) == 5 and "untracked" not in state["done"].values()
        tables[engine] = leaderboard_numbers(leaderboard_from_mlflow(f"sweep-{engine}", state["parent_run_id"],
                                                                     sweep_dir / "leaderboard"))
    assert "killed" in killer, killer
    assert len((target / "attempts").read_text().split()) == 2  # killed once, retried once
    first, reused = stage_metrics(target)
    assert {"initial_policy", "pairs", "selection", "training"} <= first  # the first attempt got past training
    recomputed = {stage for stage in first & {"initial_policy", "pairs", "selection", "training", "baseline"}
                  if reused.get(stage) != 1.0}
    assert not recomputed, f"recomputed after the kill: {recomputed}"
    assert json.loads((target / "result.json").read_text())["costs"]["training"]["cached"] is True
    assert len(tables["ray"]) == 3 and list(tables["ray"]["n"]) == [2, 2, 1]  # sft at 2 levels x 2 seeds, ours
    assert tables["ray"].equals(tables["pool"]), f"{tables['ray'].to_string()}\n!=\n{tables['pool'].to_string()}"
