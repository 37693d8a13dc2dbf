"""Batched generation with transformers (or vLLM when installed), cached per model, set and decoding.

Prompts are sorted by length so each batch pads little, padded on the left (decoder-only
models continue from the right), and wrapped in the model's chat template. Finished batches are
appended to a partial file, so an interrupted generation resumes where it stopped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm.auto import tqdm

from pdbench.cache import content_key, stage_dir, stage_lock
from pdbench.fileio import atomic_path


@dataclass(frozen=True)
class DecodingConfig:
    """How answers are sampled."""

    max_new_tokens: int = 256
    """Longest answer, in tokens."""
    temperature: float = 0.0
    """0 = greedy decoding."""
    top_p: float = 1.0
    """Nucleus sampling mass (used only when temperature > 0)."""
    seed: int = 0
    """Sampling seed."""
    batch_size: int = 8
    """Prompts per forward pass."""
    use_vllm: bool = False
    """Use vLLM when it is installed (GPU machines)."""


def model_fingerprint(model_path: str) -> str:
    """Identity of a model for caching: the local files' names, sizes and mtimes, or the Hub id."""
    path = Path(model_path)
    if not path.is_dir():
        return model_path
    files = sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in path.iterdir() if p.is_file())
    return content_key(str(path.resolve()), files)


def generate(
    model_path: str, prompts: list[str], decoding: DecodingConfig, dataset: str, generator_name: str = "",
    force: bool = False,
) -> list[dict]:
    """Answers of the model at ``model_path`` to ``prompts``, as alpaca_eval-style records (cached).

    Each record: ``instruction``, ``output``, ``generator``, ``dataset``.
    """
    key = content_key("generate", model_fingerprint(model_path), prompts, asdict(decoding))
    folder = stage_dir("generations", key)
    final, partial = folder / f"{dataset}.jsonl", folder / f"{dataset}.jsonl.partial"
    with stage_lock(folder / dataset):  # parallel runs of one model generate once
        if force:
            final.unlink(missing_ok=True)
            partial.unlink(missing_ok=True)
        if final.exists():
            return [json.loads(line) for line in final.read_text(encoding="utf-8").splitlines()]
        done = _read_partial(partial)
        todo = [i for i in range(len(prompts)) if i not in done]
        if todo:
            _generate_into(model_path, prompts, todo, decoding, partial)
            done = _read_partial(partial)
        name = generator_name or Path(model_path).name
        records = [{"instruction": prompts[i], "output": done[i], "generator": name, "dataset": dataset} for i in range(len(prompts))]
        with atomic_path(final) as temp:
            temp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        partial.unlink(missing_ok=True)
    return records


def _read_partial(path: Path) -> dict[int, str]:
    if not path.exists():
        return {}
    done = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # the last line of a killed run may be cut off
            continue
        done[row["index"]] = row["output"]
    return done


def _generate_into(model_path: str, prompts: list[str], todo: list[int], decoding: DecodingConfig, partial: Path) -> None:
    partial.parent.mkdir(parents=True, exist_ok=True)
    if decoding.use_vllm and _has_vllm():
        outputs = _generate_vllm(model_path, [prompts[i] for i in todo], decoding)
        with partial.open("a", encoding="utf-8") as handle:
            for i, text in zip(todo, outputs):
                handle.write(json.dumps({"index": i, "output": text}, ensure_ascii=False) + "\n")
        return
    import torch

    from pdbench.models import load_causal_lm

    model, tokenizer = load_causal_lm(model_path, device="cuda" if torch.cuda.is_available() else "cpu")
    tokenizer.padding_side = "left"
    texts = {i: tokenizer.apply_chat_template([{"role": "user", "content": prompts[i]}], tokenize=False,
                                              add_generation_prompt=True) for i in todo}
    order = sorted(todo, key=lambda i: len(texts[i]), reverse=True)
    torch.manual_seed(decoding.seed)
    sampling = decoding.temperature > 0
    with partial.open("a", encoding="utf-8") as handle, torch.no_grad():
        for start in tqdm(range(0, len(order), decoding.batch_size), desc="generating", unit="batch", leave=False):
            batch = order[start : start + decoding.batch_size]
            inputs = tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False)
            inputs = {k: v.to(model.device) for k, v in inputs.items()}
            output = model.generate(
                **inputs, max_new_tokens=decoding.max_new_tokens, do_sample=sampling,
                temperature=decoding.temperature if sampling else None, top_p=decoding.top_p if sampling else None,
                top_k=None, pad_token_id=tokenizer.pad_token_id,
            )
            answers = tokenizer.batch_decode(output[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
            for i, text in zip(batch, answers):
                handle.write(json.dumps({"index": i, "output": text.strip()}, ensure_ascii=False) + "\n")
            handle.flush()


def _has_vllm() -> bool:
    import importlib.util

    return importlib.util.find_spec("vllm") is not None


def _generate_vllm(model_path: str, prompts: list[str], decoding: DecodingConfig) -> list[str]:
    from vllm import LLM, SamplingParams

    llm = LLM(model=model_path, seed=decoding.seed)
    params = SamplingParams(max_tokens=decoding.max_new_tokens, temperature=decoding.temperature, top_p=decoding.top_p,
                            seed=decoding.seed)
    results = llm.chat([[{"role": "user", "content": p}] for p in prompts], params, use_tqdm=True)
    return [r.outputs[0].text.strip() for r in results]
