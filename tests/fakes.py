"""Test doubles, named as such. Never imported by the package."""

import numpy as np
import pandas as pd

from pdbench.results import RunResult


class FakeRewardBackend:
    """A reward-model backend whose 'models' read the true ratings plus seeded noise.

    It has the real backend's interface (lengths / fit / gaps), so PD estimation and every
    strategy run end to end in milliseconds.
    """

    def __init__(self, noise: float = 0.5):
        self.noise = noise
        self.fit_calls = 0

    def lengths(self, texts):
        return np.array([len(t.split()) for t in texts])

    def fit(self, samples, rho, seed):
        self.fit_calls += 1
        return {key: (key, seed) for key in samples}

    def gaps(self, head, pairs: pd.DataFrame):
        aspect, seed = head
        column = "mean" if aspect is None else aspect
        truth = (pairs[f"chosen_{column}"].astype(float) - pairs[f"rejected_{column}"].astype(float)).fillna(0.0)
        rng = np.random.default_rng([seed, len(pairs), hash(column) % 2**32])
        return truth.to_numpy() + rng.normal(0.0, self.noise, len(pairs))

    def gaps_many(self, heads, pairs: pd.DataFrame):
        return [self.gaps(head, pairs) for head in heads]


def fake_cell_result(config) -> dict:
    """A result.json like a finished run writes, with AW depending on the conflict level."""
    return {
        "config": config.to_dict(),
        "plan": {"rows": 3, "relabelled": 0, "objective": "dpo", "selected_conflict_rate": 0.1},
        "pairwise": {"sets": {"facts": {"n": 5, "wins": 2, "ties": 2, "losses": 1, "win_score": 1.2,
                                        "win_score_ci95": [0.8, 1.6], "invalid_verdicts": 0,
                                        "position_consistency": 0.8, "avg_length": 40.0}},
                     "aw": 1.0 + config.conflict, "aw_std": 0.1, "aw_ci95": [0.9, 1.1], "judge": "rubric:world-v1"},
        "alpaca_eval": {"win_rate": 50.0, "length_controlled_winrate": 49.0},
        "gpu_hours": {"selection": 0.1, "training": 0.2, "evaluation": 0.1, "total": 0.4, "device": "cpu"},
        "costs": {},
    }


def fake_result_of(strategy: str, seed: int, aw: float, dataset: str = "world", answer_chars=(40.0,), **fields) -> dict:
    """A whole result.json of a 30 % / 0.3 cell with the given AW and answer lengths (one set each), and any
    top-level ``fields`` (``alpaca_eval``, ``behaviour`` ...) replaced."""
    from pdbench.pipeline.config import resolve_config

    result = fake_cell_result(resolve_config("smoke"))
    row = result["pairwise"]["sets"]["facts"]
    result["config"].update(strategy=strategy, conflict=0.3, budget=0.3, seed=seed, dataset=dataset)
    result["pairwise"].update(aw=aw, sets={f"set{i}": {**row, "avg_length": chars} for i, chars in enumerate(answer_chars)})
    return {**result, **fields}


def write_fake_cell(config, run_dir) -> RunResult:
    """Writes ``run_dir/result.json`` as a finished run would, and returns the result."""
    import json

    result = fake_cell_result(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "result.json").write_text(json.dumps(result))
    return RunResult.from_dict(result)


def fake_run_cell(config, run_dir, strategy_paths=()) -> RunResult:
    """Stands in for one sweep cell's pipeline, in a worker process: writes result.json and the worker's pid."""
    import os
    import time

    time.sleep(0.3)  # long enough that every worker gets a cell
    result = write_fake_cell(config, run_dir)
    (run_dir / "pid").write_text(str(os.getpid()))
    return result


def fake_run_cell_recording_devices(config, run_dir, strategy_paths=()) -> RunResult:
    """Stands in for one sweep cell: records what its worker was given (GPUs, threads) and when it ran, in
    ``run_dir/devices.json``, then writes result.json."""
    import json
    import os
    import time

    import torch

    started = time.time()
    time.sleep(1.0)  # long enough that cells which can run at once do
    result = write_fake_cell(config, run_dir)
    (run_dir / "devices.json").write_text(json.dumps({
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "torch_threads": torch.get_num_threads(), "pid": os.getpid(), "started": started, "ended": time.time()}))
    return result


def fake_run_cell_with_cached_stages(config, run_dir, strategy_paths=()) -> RunResult:
    """Stands in for one sweep cell of three content-cached, locked stages, as the pipeline's are: ``shared`` (one
    per conflict level, like pairs and PD), then the cell's own ``train`` and ``evaluate``. Each computation is logged
    in ``<cache>/computations.log``; each attempt appends its pid to ``run_dir/attempts``.

    Between ``train`` and ``evaluate`` a cell whose folder holds a ``hold`` file writes ``run_dir/holding`` and waits
    until ``hold`` is gone (at most 120 s): a test can kill its worker there, mid-cell."""
    import os
    import time

    from pdbench.infra.cache import cache_root, stage_dir, stage_lock

    def stage(name: str, key: str) -> None:
        folder = stage_dir(f"fake-{name}", key)
        with stage_lock(folder):
            if not (folder / "DONE").exists():
                time.sleep(0.2)
                folder.mkdir(parents=True, exist_ok=True)
                with open(cache_root() / "computations.log", "a") as log:
                    log.write(f"{name} {key}\n")
                (folder / "DONE").write_text("ok")

    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "attempts", "a") as attempts:
        attempts.write(f"{os.getpid()}\n")
    stage("shared", f"c{config.conflict:g}")
    stage("train", run_dir.name)
    if (run_dir / "hold").exists():
        (run_dir / "holding").write_text(str(os.getpid()))
        deadline = time.time() + 120
        while (run_dir / "hold").exists() and time.time() < deadline:
            time.sleep(0.1)
    stage("evaluate", run_dir.name)
    return write_fake_cell(config, run_dir)


def run_cell_telling_its_pid(config, run_dir, strategy_paths=()) -> dict:
    """The real sweep cell (the whole pipeline), after appending its worker's pid to ``run_dir/attempts``, so that a
    test can kill that worker in the middle of the cell."""
    import os

    from pdbench.pipeline.sweep import _run_cell

    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "attempts", "a") as attempts:
        attempts.write(f"{os.getpid()}\n")
    return _run_cell(config, run_dir, strategy_paths)


class FakeJudgeServer:
    """An OpenAI-compatible judge on 127.0.0.1 (a free port) whose behaviour a test sets in ``mode``:

    ``ok`` answers "8 7"; ``garbage`` answers text without scores; ``error`` answers HTTP ``status``
    (500, 429, 401 ...); ``hang`` sleeps ``hang_s`` before answering. ``GET /v1/models`` answers like
    chat requests. Every request is counted in ``requests``; the server thread stops on ``close``.
    """

    def __init__(self, mode: str = "ok", status: int = 500, hang_s: float = 5.0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.mode, self.status, self.hang_s, self.requests = mode, status, hang_s, 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer({"object": "list", "data": [{"id": "fake-judge", "object": "model"}]})

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                text = "8 7\nAssistant 1 is better." if fake.mode != "garbage" else "Both answers are fine, I think."
                self._answer({"id": "x", "object": "chat.completion", "created": 0, "model": "fake-judge",
                              "choices": [{"index": 0, "finish_reason": "stop",
                                           "message": {"role": "assistant", "content": text}}]})

            def _answer(self, body):
                import json
                import time

                fake.requests += 1
                if fake.mode == "hang":
                    time.sleep(fake.hang_s)
                status = fake.status if fake.mode == "error" else 200
                payload = json.dumps(body if status == 200 else {"error": {"message": "fake failure"}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that timed out and hung up is what the hang mode is for

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
