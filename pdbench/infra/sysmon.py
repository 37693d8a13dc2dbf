"""Sample system metrics (CPU, memory, GPU) in a background thread while a stage runs.

The samples are stored with the stage's result and logged to MLflow with the run, under the
``system/`` names MLflow's own system-metrics monitor uses, so the UI's system-metrics view shows
them. Sampling here rather than streaming to MLflow means an unreachable server loses nothing.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


def sample() -> dict[str, float]:
    """One reading of machine-wide CPU and memory use, and GPU memory when CUDA is present."""
    import psutil

    reading = {
        "system/cpu_utilization_percentage": psutil.cpu_percent(interval=None),
        "system/system_memory_usage_megabytes": psutil.virtual_memory().used / 2**20,
        "system/system_memory_usage_percentage": psutil.virtual_memory().percent,
    }
    import torch

    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            free, total = torch.cuda.mem_get_info(index)
            reading[f"system/gpu_{index}_memory_usage_megabytes"] = (total - free) / 2**20
    return reading


@contextmanager
def monitor(interval_s: float = 5.0):
    """Yield a list that fills with ``{"t": seconds since start, **sample()}`` every ``interval_s``."""
    samples: list[dict] = []
    stop = threading.Event()
    started = time.monotonic()

    def loop():
        while True:
            samples.append({"t": time.monotonic() - started, **sample()})
            if stop.wait(interval_s):
                return

    thread = threading.Thread(target=loop, name="pdbench-sysmon", daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()
