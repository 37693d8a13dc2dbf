"""Models served by a process pdbench starts: ``transformers serve`` offline and on one GPU, ``vllm serve`` at scale.

vLLM pins its own torch, so it lives in its own environment, as its users run it: pdbench starts its
``vllm`` executable (``$PDBENCH_VLLM``, else the one on PATH) as a server and talks to it over the
OpenAI API, like to any other. A setting is ``transformers``, ``vllm`` or a command template of your own;
templates may use ``{model}`` (the model folder or Hub id), ``{port}`` (a free port), ``{gpus}`` (the GPUs
this process sees, at least 1), ``{seed}`` and ``{bin}`` (the folder of this Python's executables).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pdbench.infra.cache import cache_root
from pdbench.infra.launch import free_port
from pdbench.infra.server import served

SERVER_TEMPLATES = {
    "transformers": "{bin}/transformers serve {model} --host 127.0.0.1 --port {port} --log-level warning",
    "vllm": "{vllm} serve {model} --host 127.0.0.1 --port {port} --dtype bfloat16 --data-parallel-size {gpus}"
            " --max-model-len 4096 --gpu-memory-utilization 0.90 --seed {seed}",
}
"""Named server settings. The vLLM one spreads the model's copies over every GPU the run sees (an 8B policy
fits one 80 GB GPU); the 4,096-token limit is the paper's (App. B.3)."""
ENV_VLLM = "PDBENCH_VLLM"
"""Path of the ``vllm`` executable of vLLM's own environment (default: ``vllm`` on PATH)."""


def server_command(setting: str, model: str, port: int, seed: int = 0) -> list[str]:
    """The command line that serves ``model`` on ``port`` for a server setting (a name or a template)."""
    template = SERVER_TEMPLATES.get(setting, setting)
    return shlex.split(template.format(model=model, port=port, gpus=gpu_count(), seed=seed,
                                       bin=Path(sys.executable).parent, vllm=os.environ.get(ENV_VLLM, "vllm")))


def server_problem(setting: str) -> str | None:
    """Why a server setting cannot start here (its executable is missing), or None; checked before any training."""
    try:
        executable = server_command(setting, "MODEL", 0)[0]
    except (KeyError, IndexError, ValueError) as error:
        return f"server template {setting!r} does not parse ({type(error).__name__}: {error})"
    if shutil.which(executable) is None:
        hint = f" (vLLM runs from its own environment: put its `vllm` on PATH or set ${ENV_VLLM})" if setting == "vllm" else ""
        return f"{executable}: not found{hint}"
    return None


def gpu_count() -> int:
    """The GPUs this process sees (at least 1: a CPU-only machine serves on its CPU)."""
    import torch

    return max(1, torch.cuda.device_count())


def served_devices(setting: str | None) -> int:
    """Devices a served model occupies: every GPU this process sees for the vLLM template (or 1 on a CPU)."""
    return gpu_count() if setting == "vllm" else 1


@contextmanager
def serve_model(setting: str, model: str, start_timeout_s: float = 900.0, seed: int = 0,
                name: str = "server") -> Iterator[str]:
    """Serve ``model`` with ``setting`` for the block; yields the base URL of its OpenAI-compatible API.

    Its output goes to ``<cache>/logs/servers/``; a server that cannot start fails with one line and the log's
    last lines.
    """
    port = free_port()
    env = dict(os.environ)
    if Path(model).is_dir():
        env["HF_HUB_OFFLINE"] = "1"  # a local folder needs nothing from the Hub; do not wait on it offline
    log = cache_root() / "logs" / "servers" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}-{port}.log"
    with served(server_command(setting, model, port, seed), port, log, start_timeout_s, env, name) as base_url:
        yield base_url
