"""Generation, cached per model, set and decoding: batched transformers in this process, or a served model.

``DecodingConfig.server`` set: pdbench serves the model (``transformers serve``, vLLM from its own
environment, or your command) for the call and asks it over the OpenAI API (``pdbench.eval.serving``).

Prompts are sorted by length so each batch pads little, padded on the left (decoder-only
models continue from the right), and wrapped in the model's chat template. Finished batches are
appended to a partial file, so an interrupted generation resumes where it stopped.
``generate_sets`` pools several sets' prompts into one pass: on a CPU, decoding a batch costs
about as much as reading the weights once per token, so fewer, fuller batches are much faster.
Greedy decoding takes finished answers out of the batch (``greedy_dropping_finished``), so a batch
no longer decodes every row until its longest answer ends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from tqdm.auto import tqdm

from pdbench.infra.cache import content_key, stage_dir, stage_lock
from pdbench.infra.fileio import atomic_path, jsonl_lines
from pdbench.infra.models import model_fingerprint
from pdbench.eval.config import DecodingConfig


def generate(
    model_path: str, prompts: list[str], decoding: DecodingConfig, dataset: str, generator_name: str = "",
    force: bool = False,
) -> list[dict]:
    """Answers of the model at ``model_path`` to ``prompts``, as alpaca_eval-style records (cached).

    Each record: ``instruction``, ``output``, ``generator``, ``dataset``.
    """
    return generate_sets(model_path, {dataset: prompts}, decoding, generator_name, force)[dataset]


def generate_sets(
    model_path: str, sets: Mapping[str, Sequence[str]], decoding: DecodingConfig, generator_name: str = "",
    force: bool = False,
) -> dict[str, list[dict]]:
    """``generate`` for several named prompt sets at once: one length-sorted pass over all their uncached prompts.

    Each set is cached on its own, under the key ``generate`` gives it, so either function finds the
    other's results. Pooling the sets makes fewer, fuller batches than generating set by set.
    """
    folders = {name: stage_dir("generations", content_key("generate", model_fingerprint(model_path), list(prompts),
                                                            asdict(decoding))) for name, prompts in sets.items()}
    with ExitStack() as locks:
        for name in sorted(sets, key=lambda n: str(folders[n] / n)):  # one order everywhere: no deadlock
            locks.enter_context(stage_lock(folders[name] / name))  # parallel runs of one model generate once
        files = {name: (folders[name] / f"{name}.jsonl", folders[name] / f"{name}.jsonl.partial") for name in sets}
        if force:
            for path in (p for pair in files.values() for p in pair):
                path.unlink(missing_ok=True)
        todo = []
        for name, (final, partial) in files.items():
            done = {} if final.exists() else _read_partial(partial)
            todo += [(partial, i, p) for i, p in enumerate(sets[name]) if not final.exists() and i not in done]
        if todo:
            _generate_into(model_path, todo, decoding)
        generator = generator_name or Path(model_path).name
        return {name: _finish(final, partial, list(sets[name]), generator, name)
                for name, (final, partial) in files.items()}


def _finish(final: Path, partial: Path, prompts: list[str], generator: str, dataset: str) -> list[dict]:
    """The set's records: from its final file, or assembled from its complete partial file (then final)."""
    if final.exists():
        return [json.loads(line) for line in jsonl_lines(final.read_text(encoding="utf-8"))]
    done = _read_partial(partial)
    records = [{"instruction": p, "output": done[i], "generator": generator, "dataset": dataset}
               for i, p in enumerate(prompts)]
    with atomic_path(final) as temp:
        temp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    partial.unlink(missing_ok=True)
    return records


def _read_partial(path: Path) -> dict[int, str]:
    if not path.exists():
        return {}
    done = {}
    for line in jsonl_lines(path.read_text(encoding="utf-8")):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # the last line of a killed run may be cut off
            continue
        done[row["index"]] = row["output"]
    return done


def _generate_into(model_path: str, todo: list[tuple[Path, int, str]], decoding: DecodingConfig) -> None:
    """Answer each (partial file, index, prompt) of ``todo`` and append the answer to its partial file."""
    for partial in {job[0] for job in todo}:
        partial.parent.mkdir(parents=True, exist_ok=True)
    if decoding.server:
        _generate_served(model_path, todo, decoding)
        return
    import torch

    from pdbench.infra.models import load_causal_lm

    model, tokenizer = load_causal_lm(model_path, device="cuda" if torch.cuda.is_available() else "cpu")
    tokenizer.padding_side = "left"
    texts = [tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                           add_generation_prompt=True) for _, _, prompt in todo]
    # Longest first, so a batch's prompts are of similar length (little padding) and memory peaks at the start.
    # (By characters, as before pooling: one set alone is batched exactly as it always was.)
    order = sorted(range(len(todo)), key=lambda j: len(texts[j]), reverse=True)
    torch.manual_seed(decoding.seed)
    sampling = decoding.temperature > 0
    with torch.no_grad():
        for start in tqdm(range(0, len(order), decoding.batch_size), desc="generating", unit="batch", leave=False):
            batch = order[start : start + decoding.batch_size]
            inputs = tokenizer([texts[j] for j in batch], return_tensors="pt", padding=True, add_special_tokens=False)
            inputs = {k: v.to(model.device) for k, v in inputs.items()}
            if decoding.drop_finished and not sampling:
                answers = tokenizer.batch_decode(greedy_dropping_finished(
                    model, inputs["input_ids"], inputs["attention_mask"], decoding.max_new_tokens,
                    _end_tokens(model, tokenizer)), skip_special_tokens=True)
            else:
                output = model.generate(
                    **inputs, max_new_tokens=decoding.max_new_tokens, do_sample=sampling,
                    temperature=decoding.temperature if sampling else None, top_p=decoding.top_p if sampling else None,
                    top_k=None, pad_token_id=tokenizer.pad_token_id,
                )
                answers = tokenizer.batch_decode(output[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
            _append([todo[j] for j in batch], answers)


DROP_SHARE = 0.1
"""Finished rows leave the batch once they are this share of it. Each removal copies the KV cache, so
rows leave in groups; on 2 CPU cores 0.0-0.1 were equally fast and 0.25 slower (64 prompts, 64 tokens:
15.8 / 15.5 / 17.3 s against transformers' 20.8-22.5 s)."""


def greedy_dropping_finished(model, input_ids, attention_mask, max_new_tokens: int, end_tokens: set[int]) -> list[list[int]]:
    """Greedy decoding of a left-padded batch that takes finished answers out of it; each row's new token ids
    (up to and including its end token, at most ``max_new_tokens``).

    Every step is transformers' greedy step (position ids from the attention mask, logits of the last
    position only, argmax), so a row gets the tokens ``generate`` gives it, up to float rounding of the
    smaller batches; the rows that are still running no longer pay for the finished ones.
    """
    import torch
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    ends = torch.tensor(sorted(end_tokens), device=input_ids.device)
    rows = torch.arange(input_ids.shape[0], device=input_ids.device)  # each running row's index in the batch
    finished = torch.zeros_like(rows, dtype=torch.bool)  # ended, not yet taken out
    tokens_of = [[] for _ in range(input_ids.shape[0])]
    positions = (attention_mask.long().cumsum(-1) - 1).masked_fill(attention_mask == 0, 0)
    logits = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=positions, cache=cache,
                   use_cache=True, logits_to_keep=1).logits[:, -1, :]
    for step in range(max_new_tokens):
        tokens = logits.float().argmax(-1)
        for row, token, is_finished in zip(rows.tolist(), tokens.tolist(), finished.tolist()):
            if not is_finished:
                tokens_of[row].append(token)
        finished |= torch.isin(tokens, ends)
        if finished.all() or step == max_new_tokens - 1:
            break
        if finished.float().mean() >= DROP_SHARE:
            keep = (~finished).nonzero().squeeze(1)
            cache.batch_select_indices(keep)
            rows, tokens, finished = rows[keep], tokens[keep], finished[keep]
            attention_mask, positions = attention_mask[keep], positions[keep]
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones((len(rows), 1))], dim=-1)
        positions = positions[:, -1:] + 1
        logits = model(input_ids=tokens[:, None], attention_mask=attention_mask, position_ids=positions, cache=cache,
                       use_cache=True).logits[:, -1, :]
    return tokens_of


def _end_tokens(model, tokenizer) -> set[int]:
    """The token ids that end an answer: the generation config's end-of-sequence ids and the tokenizer's."""
    configured = model.generation_config.eos_token_id
    configured = [configured] if isinstance(configured, int) else list(configured or [])
    return {*configured, *([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [])}


def _append(jobs: list[tuple[Path, int, str]], answers: list[str]) -> None:
    """Append each job's answer to its partial file (flushed: a killed run keeps its finished batches)."""
    for (partial, index, _), text in zip(jobs, answers, strict=True):
        with partial.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"index": index, "output": text.strip()}, ensure_ascii=False) + "\n")


def _generate_served(model_path: str, todo: list[tuple[Path, int, str]], decoding: DecodingConfig) -> None:
    """Answer ``todo`` through a server that serves ``model_path`` (``pdbench.eval.serving``) for this call alone.

    Requests go concurrently (``decoding.batch_size`` at a time, so vLLM batches them); each answer is appended
    to its partial file as its turn comes, so a stopped run keeps what it received.
    """
    from concurrent.futures import ThreadPoolExecutor

    import openai

    from pdbench.eval.serving import serve_model

    def ask(client, prompt: str) -> str:
        completion = client.chat.completions.create(
            model=model_path, messages=[{"role": "user", "content": prompt}], max_tokens=decoding.max_new_tokens,
            temperature=decoding.temperature, top_p=decoding.top_p, seed=decoding.seed)
        return completion.choices[0].message.content or ""

    with serve_model(decoding.server, model_path, decoding.server_start_timeout_s, decoding.seed,
                     name=f"generate-{Path(model_path).name}") as base_url:
        client = openai.OpenAI(base_url=base_url, api_key="EMPTY", timeout=3600.0, max_retries=2)
        with ThreadPoolExecutor(max_workers=decoding.batch_size) as pool:
            answers = pool.map(lambda job: ask(client, job[2]), todo)
            for job, answer in tqdm(zip(todo, answers), total=len(todo), desc="generating (served)", unit="answer",
                                    leave=False):
                _append([job], [answer])
