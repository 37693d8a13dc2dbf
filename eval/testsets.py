"""The paper's five pairwise test sets and AlpacaEval 2's instructions, from local files or their source.

Each set's file has its own field names (as published with the Cherry-LLM / Superfiltering
evaluation code the paper's protocol follows); ``PAPER_SETS`` maps each to its prompt. Counts
are checked against the paper's App. B.2, so a truncated download fails loudly.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pdbench.infra.cache import cache_root
from pdbench.infra.fileio import jsonl_lines, write_text

ENV_EVAL_DIR = "PDBENCH_EVAL_DIR"
SOURCE_URL = "https://raw.githubusercontent.com/tianyi-lab/Cherry_LLM/main/evaluation/test_data/{file}"
ALPACA_EVAL_URL = "https://huggingface.co/datasets/tatsu-lab/alpaca_eval/resolve/main/alpaca_eval_gpt4_baseline.json"


def _sinstruct_prompt(row: dict) -> str:
    # Self-instruct's user-oriented tasks put the task's input in instances[0]; the task is not
    # answerable without it.
    text = row["instruction"]
    instances = row.get("instances") or []
    extra = instances[0].get("input", "") if instances else ""
    return f"{text}\n\n{extra}" if extra else text


@dataclass(frozen=True)
class TestSet:
    """One published test set."""

    name: str
    """Short name used on the command line and in metrics (e.g. ``vicuna``)."""
    file: str
    """File name of the published JSONL."""
    size: int
    """Number of prompts (paper App. B.2)."""
    prompt_of: Callable[[dict], str]
    """Extracts the prompt from one record."""


PAPER_SETS = {
    "wizardlm": TestSet("wizardlm", "wizardlm_test_set.jsonl", 218, lambda r: r["Instruction"]),
    "sinstruct": TestSet("sinstruct", "sinstruct_test_set.jsonl", 252, _sinstruct_prompt),
    "vicuna": TestSet("vicuna", "vicuna_test_set.jsonl", 80, lambda r: r["text"]),
    "koala": TestSet("koala", "koala_test_set.jsonl", 180, lambda r: r["prompt"]),
    "lima": TestSet("lima", "lima_test_set.jsonl", 300, lambda r: r["conversations"]),
}
"""The paper's five pairwise test sets (1,030 prompts in all)."""


def load_test_set(name: str, folder: str | Path | None = None, download: bool = True) -> list[str]:
    """The prompts of one paper test set.

    Looks in ``folder``, then ``$PDBENCH_EVAL_DIR``, then the cache; downloads into the cache
    from the published source when allowed and not found locally.
    """
    if name not in PAPER_SETS:
        raise ValueError(f"unknown test set {name!r}; known: {', '.join(PAPER_SETS)}")
    spec = PAPER_SETS[name]
    path = locate(spec.file, folder) or (_download(spec.file) if download else None)
    if path is None:
        raise FileNotFoundError(f"{spec.file} not found in {folder or '(no folder)'}, ${ENV_EVAL_DIR} or the cache")
    prompts = []
    for index, line in enumerate(jsonl_lines(path.read_text(encoding="utf-8"))):
        if line.strip():
            try:
                prompts.append(spec.prompt_of(json.loads(line)))
            except (KeyError, TypeError, json.JSONDecodeError) as error:
                raise ValueError(f"{path}, record {index}: cannot read the prompt ({error!r})") from None
    if len(prompts) != spec.size:
        raise ValueError(f"{path}: expected {spec.size} prompts for {name}, found {len(prompts)}")
    return prompts


ALPACA_REFERENCE_FILE = "gpt4_turbo_reference.json"


def alpaca_reference_path(path: str | Path | None = None, download: bool = True) -> Path:
    """The file of AlpacaEval 2's 805 instructions with GPT-4-turbo's answers: ``path``, else found in
    ``$PDBENCH_EVAL_DIR`` or the cache, else downloaded into the cache (when allowed)."""
    file = Path(path) if path else locate(ALPACA_REFERENCE_FILE, None)
    if file is None and download:
        file = _download(ALPACA_REFERENCE_FILE, ALPACA_EVAL_URL)
    if file is None or not file.is_file():
        raise FileNotFoundError(f"AlpacaEval reference outputs not found; put {ALPACA_REFERENCE_FILE} in "
                                f"${ENV_EVAL_DIR}, pass its path (alpaca.reference_file) or run `pdbench prepare`")
    return file


def load_alpaca_eval(path: str | Path | None = None, download: bool = True) -> list[dict]:
    """AlpacaEval 2's 805 instructions with the GPT-4-turbo reference outputs.

    Each record has ``instruction``, ``output`` (the reference), ``generator`` and ``dataset``.
    """
    file = alpaca_reference_path(path, download)
    records = json.loads(file.read_text(encoding="utf-8"))
    if len(records) != 805 or not all("instruction" in r and "output" in r for r in records):
        raise ValueError(f"{file}: expected 805 records with instruction and output, found {len(records)}")
    return records


def locate(file: str, folder: str | Path | None = None) -> Path | None:
    """A published file in ``folder``, ``$PDBENCH_EVAL_DIR`` or the cache, if it is there."""
    candidates = [folder, os.environ.get(ENV_EVAL_DIR), cache_root() / "eval_sets"]
    for base in candidates:
        if base and (Path(base) / file).exists():
            return Path(base) / file
    return None


def _download(file: str, url: str | None = None) -> Path:
    target = cache_root() / "eval_sets" / file
    try:
        with urllib.request.urlopen(url or SOURCE_URL.format(file=file), timeout=60) as response:
            text = response.read().decode("utf-8")
    except OSError as error:
        raise FileNotFoundError(
            f"{file} is not available locally and downloading it failed ({error}); "
            f"put the file in a folder and pass it (or set ${ENV_EVAL_DIR})"
        ) from error
    write_text(target, text)
    return target
