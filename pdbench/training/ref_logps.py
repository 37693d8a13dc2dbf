"""The reference model's log-probs of responses, cached across runs (one SQLite file in the stage cache).

DPO needs log π_ref(response | prompt) for both responses of every pair. They depend on the
reference (SFT) model and on the tokens only, not on the strategy, so every cell of a sweep would
otherwise recompute them for the same pairs. The key is (reference model fingerprint, numeric
precision, prompt token ids, response token ids), the ids exactly as TRL's collator feeds them
(after its tokenisation, chat template and ``max_length`` truncation), so a hit is the value TRL
would compute, whichever pair or strategy the response came from. A relabelled pair (chosen and
rejected swapped) is two hits.

The key does not say whether the value was computed with shared prefixes (``pdbench.training.prefix_sharing``):
the two paths differ by float rounding no larger than the unshared path's own change when the same pairs are
batched differently (fp32: a few 1e-5 nats per sequence; bf16: up to about a nat, as with batching), which
the cache accepts anyway, so values computed by either path serve the other.

``CachedRefDPOTrainer`` serves TRL's precompute step from this cache and computes only the misses,
in length-sorted batches (little padding). It is used in single-process runs; under
``accelerate launch`` with several processes TRL's own (sharded) precompute runs instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trl import DPOTrainer

from pdbench.infra.cache import cache_root, content_key


class RefLogpCache:
    """log π_ref(response | prompt) keyed by (reference model, precision, prompt ids, response ids)."""

    def __init__(self, model_id: str, precision: str, path: str | Path | None = None):
        self.model_id = model_id
        """Fingerprint of the reference model (its files; the tokenizer lives beside it)."""
        self.precision = precision
        """How the forward ran (``float32``, ``bf16`` ...): bf16 log-probs differ from float32 ones."""
        self.path = Path(path) if path else cache_root() / "ref_logps.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Parallel sweep workers share the file: wait for a writer instead of failing at once.
        self._db = sqlite3.connect(self.path, timeout=120)
        self._db.execute("CREATE TABLE IF NOT EXISTS logps (key TEXT PRIMARY KEY, logp REAL)")
        self._db.commit()

    def key(self, prompt_ids: list[int], response_ids: list[int]) -> str:
        """The cache key of one (prompt, response) as tokenised and truncated for training."""
        return content_key("ref_logp", self.model_id, self.precision, list(prompt_ids), list(response_ids))

    def get_many(self, keys: list[str]) -> dict[str, float]:
        """The stored values of those ``keys`` that are present."""
        found = {}
        for start in range(0, len(keys), 500):  # SQLite limits the number of parameters per query
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, logp FROM logps WHERE key IN ({marks})", chunk).fetchall())
        return found

    def put_many(self, values: dict[str, float]) -> None:
        """Store values and commit."""
        self._db.executemany("INSERT OR REPLACE INTO logps VALUES (?, ?)", list(values.items()))
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def truncated(prompt_ids: list[int], response_ids: list[int], max_length: int | None) -> tuple[list[int], list[int]]:
    """Prompt and response ids as TRL's collator keeps them (``keep_start``: the first ``max_length`` tokens)."""
    if max_length is None:
        return list(prompt_ids), list(response_ids)
    return list(prompt_ids[:max_length]), list(response_ids[: max(0, max_length - len(prompt_ids))])


class CachedRefDPOTrainer(DPOTrainer):
    """DPOTrainer whose reference log-probs come from a ``RefLogpCache``; only the misses are computed.

    Pass ``ref_logp_cache``; with None (or several processes) it is TRL's DPOTrainer unchanged.
    """

    def __init__(self, *args, ref_logp_cache: RefLogpCache | None = None, **kwargs):
        self.ref_logp_cache = ref_logp_cache  # read by _precompute_ref_logps, which the parent's __init__ calls
        super().__init__(*args, **kwargs)

    def _precompute_ref_logps(self, dataset, name, batch_size):
        cache = self.ref_logp_cache
        if cache is None or self.accelerator.num_processes > 1 or self.ld_alpha is not None:
            # ld_alpha mixes in the other response's length, so a value is no longer one response's alone.
            return super()._precompute_ref_logps(dataset, name, batch_size)
        examples = [{"prompt_ids": p, "chosen_ids": c, "rejected_ids": r} for p, c, r in
                    zip(dataset["prompt_ids"], dataset["chosen_ids"], dataset["rejected_ids"], strict=True)]
        keys = [{side: cache.key(*truncated(e["prompt_ids"], e[f"{side}_ids"], self.args.max_length))
                 for side in ("chosen", "rejected")} for e in examples]
        known = cache.get_many([k for pair in keys for k in pair.values()])
        missing = [i for i, pair in enumerate(keys) if not all(k in known for k in pair.values())]
        computed = self._compute_ref_logps([examples[i] for i in missing], [keys[i] for i in missing], batch_size)
        cache.put_many(computed)
        known.update(computed)
        return (dataset.add_column("ref_chosen_logps", [known[pair["chosen"]] for pair in keys])
                .add_column("ref_rejected_logps", [known[pair["rejected"]] for pair in keys]))

    def _compute_ref_logps(self, examples: list[dict], keys: list[dict], batch_size: int) -> dict[str, float]:
        """Reference log-probs of ``examples`` by cache key, computed in batches of similar length."""
        # Similar lengths pad little; a value does not depend on its batch (causal attention, right padding).
        order = sorted(range(len(examples)), key=lambda i: len(examples[i]["prompt_ids"]) + max(
            len(examples[i]["chosen_ids"]), len(examples[i]["rejected_ids"])))
        model, device, computed = self.ref_model or self.model, self.accelerator.device, {}
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = self.data_collator([examples[i] for i in rows])
            chosen, rejected = self.compute_ref_log_probs(model, {k: v.to(device) for k, v in batch.items()})
            for i, c, r in zip(rows, chosen.tolist(), rejected.tolist(), strict=True):
                computed[keys[i]["chosen"]], computed[keys[i]["rejected"]] = c, r
        return computed


def precision_of(args) -> str:
    """The numeric precision a trainer's forwards run in, for the cache key."""
    return "bf16" if args.bf16 else "fp16" if args.fp16 else "float32"
