"""Read preference data from a named source or a local file into prompt records.

Sources: ``world`` (the built-in generator) or one of its variants ``world:NAME``
(``pdbench.world.variants``), the world exported to a public format and read back as a file
(``world@ultrafeedback``, ``pdbench.world.export``), ``ultrafeedback`` and ``helpsteer2`` (from the
Hugging Face Hub through ``datasets``), or a path to a JSON / JSONL / parquet file whose format
(UltraFeedback, HelpSteer2 or pdbench's generic format) is detected from its first record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pdbench.data.generic import looks_like_generic, parse_generic
from pdbench.data.helpsteer2 import looks_like_helpsteer2, parse_helpsteer2
from pdbench.data.schema import DataError, PromptRecord
from pdbench.data.ultrafeedback import looks_like_ultrafeedback, parse_ultrafeedback

HUB_DATASETS = {"ultrafeedback": "openbmb/UltraFeedback", "helpsteer2": "nvidia/HelpSteer2"}
"""Named sources read from the Hugging Face Hub."""
NAMED_SOURCES = ("world", *HUB_DATASETS)


def load_records(dataset: str, *, world_prompts: int = 1000, world_seed: int = 0) -> list[PromptRecord]:
    """Load a named source (``world``, ``world:VARIANT``, ``ultrafeedback``, ``helpsteer2``) or a local file."""
    from pdbench.world.export import export_file, parse_export
    from pdbench.world.variants import parse_world_dataset

    if parse_export(dataset):  # world@ultrafeedback: the world as an UltraFeedback file, read like any file
        path = export_file(dataset, world_prompts)
        return parse_detected(read_raw_records(path), str(path))
    variant = parse_world_dataset(dataset)
    if variant is not None:
        from pdbench.world import build_world

        return parse_ultrafeedback(build_world(n_prompts=world_prompts, seed=world_seed, config=variant.config), dataset)
    if dataset in HUB_DATASETS:
        raws = _load_from_hub(HUB_DATASETS[dataset])
        parse = parse_ultrafeedback if dataset == "ultrafeedback" else parse_helpsteer2
        return parse(_progress(raws, HUB_DATASETS[dataset]), HUB_DATASETS[dataset])
    path = Path(dataset)
    if not path.exists():
        raise DataError(
            dataset, None, None, f"no such file, and not a named source (known: {', '.join(NAMED_SOURCES)}, world:VARIANT)"
        )
    if path.is_dir():
        raise DataError(dataset, None, None, "is a folder; pass a JSON, JSONL or parquet file of records")
    return parse_detected(read_raw_records(path), str(path))


def dataset_identity(spec: str) -> str:
    """What determines a dataset's records, for cache keys: a local file's content hash, a named source's name.
    Editing a file therefore changes every key built on it."""
    import hashlib

    path = Path(spec)
    if not path.is_file():
        return spec
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{spec}#sha256:{digest.hexdigest()[:20]}"


def parse_detected(raws: list[Mapping[str, Any]], source: str) -> list[PromptRecord]:
    """Parse raw records whose format is detected from the first record."""
    if not raws:
        raise DataError(source, None, None, "the file holds no records")
    first = raws[0]
    if not isinstance(first, Mapping):
        raise DataError(source, 0, None, f"expected an object, got {type(first).__name__}")
    for looks_like, parse in ((looks_like_ultrafeedback, parse_ultrafeedback), (looks_like_helpsteer2, parse_helpsteer2),
                              (looks_like_generic, parse_generic)):
        if looks_like(first):
            records = parse(_progress(raws, source), source)
            if not records:
                raise DataError(source, None, None, f"none of its {len(raws)} record(s) has two or more completions to pair")
            return records
    raise DataError(
        source, 0, None,
        "unrecognised format: expected UltraFeedback (instruction + completions[].annotations), "
        "HelpSteer2 (prompt, response, helpfulness, correctness, ...) or the generic format "
        "(prompt + completions[].ratings); see pdbench.data.generic",
    )


def read_raw_records(path: Path) -> list[Any]:
    """Read a JSON list, JSONL or parquet file into a list of plain Python objects."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(path).to_pylist()
        except Exception as error:  # pyarrow raises several types for a file that is not parquet
            raise DataError(str(path), None, None, f"not a readable parquet file ({type(error).__name__})") from None
    text = read_text(path)
    if suffix == ".json" or text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataError(str(path), None, None, f"invalid JSON at line {error.lineno}: {error.msg}") from None
        if not isinstance(data, list):
            raise DataError(str(path), None, None, "a .json file must hold a list of records")
        return data
    return read_jsonl(path, text)


def read_text(path: Path) -> str:
    """A file's UTF-8 text; DataError naming the file and line when it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataError(str(path), None, None, f"not UTF-8 text (line {line}, byte {error.start})") from None


def read_jsonl(path: Path, text: str) -> list[Any]:
    """The JSON values of ``text``'s non-empty lines; DataError naming ``path``, the record and the line."""
    records = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise DataError(str(path), len(records), None, f"invalid JSON on line {line_number}: {error.msg}") from None
    return records


def _progress(raws: list, source: str):
    """A progress bar over the records, shown only when there are enough to wait for."""
    from tqdm.auto import tqdm

    return tqdm(raws, desc=f"reading {Path(source).name}", unit="rec", disable=len(raws) < 5000, leave=False)


def _load_from_hub(name: str) -> list[dict]:
    import datasets

    try:
        return list(datasets.load_dataset(name, split="train"))
    except Exception as error:  # the Hub client raises many types; all mean the same to the user
        raise DataError(
            name, None, None,
            f"could not load from the Hugging Face Hub ({type(error).__name__}: {error}). "
            "Offline? Download the dataset elsewhere and pass its local JSON/JSONL/parquet path instead.",
        ) from error
