"""AlpacaEval 2: win rate (WR) and length-controlled win rate (LC) through the ``alpaca_eval`` library.

* The 805 AlpacaEval prompts (paper scale): ``alpaca_eval.evaluate`` with explicit reference
  outputs (its Hub loader fails with current ``datasets``), an annotator config (any
  OpenAI-compatible endpoint through ``OPENAI_CLIENT_CONFIG_PATH``) and a caching path outside
  the installed package. Its official LC needs ``df_gamed.csv`` from the Hub once (then cached).
* Other prompts (the world, on the tiny scale): our own annotations, scored with alpaca_eval's
  ``get_winrate`` and its ``length_controlled_minimal`` GLM formula (the official LC's instruction-
  difficulty term exists only for the 805 prompts). Results say which LC they are.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

LC_MINIMAL = "length_controlled_minimal"


def preference_annotations(instructions, reference_outputs, model_outputs, preferences, model_name: str, annotator: str) -> pd.DataFrame:
    """alpaca_eval's annotation table: output_1 = reference, output_2 = model, preference in [1, 2] (1.5 = tie)."""
    return pd.DataFrame({
        "instruction": list(instructions),
        "output_1": list(reference_outputs),
        "output_2": list(model_outputs),
        "generator_1": "reference",
        "generator_2": model_name,
        "annotator": annotator,
        "preference": [float(p) for p in preferences],
        "index": range(len(preferences)),
    })


def minimal_length_controlled(annotations: pd.DataFrame) -> dict:
    """WR and LC (``length_controlled_minimal``: tanh of the standardised length gap + intercept) in %."""
    from alpaca_eval.metrics.glm_winrate import GLM_INFO, fit_LogisticRegressionCV, make_dmatrix_for_model
    from alpaca_eval.metrics.winrate import get_winrate

    metrics = get_winrate(annotations)
    delta = annotations["output_1"].str.len() - annotations["output_2"].str.len()
    std = delta.std()
    train = pd.DataFrame({
        "preference": annotations["preference"].astype(float).replace({0.0: 1.5}) - 1,
        "std_delta_len": delta / std if std and std == std else 0.0 * delta,
        "not_gamed_baseline": True,
    })
    test = pd.DataFrame({"std_delta_len": 0.0, "not_gamed_baseline": [True] * len(train)})
    if train["preference"].nunique() < 2 or len(train) < 10:
        # All verdicts alike, or too few for its 5-fold fit: the GLM has nothing to separate.
        metrics["length_controlled_winrate"] = metrics["win_rate"]
    else:
        x_train, x_test = make_dmatrix_for_model(train, test, formula=GLM_INFO[LC_MINIMAL]["formula"])
        model = fit_LogisticRegressionCV(x_train, "preference", is_ytrue_proba=True, **GLM_INFO[LC_MINIMAL]["kwargs"])
        metrics["length_controlled_winrate"] = float(model.predict_proba(x_test)[:, 1].mean() * 100)
    metrics["lc_kind"] = LC_MINIMAL
    metrics["avg_length"] = float(annotations["output_2"].str.len().mean())
    return metrics


CLASSIFIER_PROMPT = "alpaca_eval_clf_gpt4_turbo/alpaca_eval_clf.txt"
"""alpaca_eval's AlpacaEval-2 classifier prompt (its weighted annotator's), used when the run's judge annotates:
the judge answers ``m`` (the reference's output is better) or ``M`` (the model's)."""


def parse_m_or_M(completion: str) -> list[float]:
    """The classifier prompt's answer as alpaca_eval's preference: ``m`` -> 1 (reference), ``M`` -> 2 (model).

    Anything else raises, which alpaca_eval records as a missing annotation (left out of WR, counted by us).
    Floats: alpaca_eval writes 1.5 into the same column for identical outputs (an int column refuses it)."""
    token = completion.strip().strip("\"'`.").split()[0] if completion.strip() else ""
    if token not in ("m", "M"):
        raise ValueError(f"expected m or M, got {completion[:40]!r}")
    return [1.0 if token == "m" else 2.0]


def official_alpaca_eval(model_outputs: list[dict], reference_file: Path, annotator: str, cache_dir: Path,
                         output_dir: Path, is_official_lc: bool, judge=None) -> dict:
    """AlpacaEval 2 through ``alpaca_eval.evaluate``: its annotator, its annotation cache, its WR (and its official LC
    where it can run).

    ``annotator``: an alpaca_eval annotator config (name or configs.yaml path), or ``judge``: the run's judge
    (``judge.complete``) answers alpaca_eval's classifier prompt. Annotations are cached in one JSON file per
    annotator under ``cache_dir``, so a rerun asks only for pairs it has not seen and a judge outage loses no
    paid-for annotation; the leaderboard and annotations of this run go to ``output_dir``. The official LC
    needs ``df_gamed.csv`` from the Hugging Face Hub and AlpacaEval's own 805 prompts (``is_official_lc``);
    otherwise LC is alpaca_eval's ``length_controlled_minimal``, and the result says why.
    """
    import pandas as pd
    from alpaca_eval import evaluate

    config, kwargs = _annotator(annotator, judge, Path(cache_dir))
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with _quiet_root_logger():
        _, annotations = evaluate(
            model_outputs=pd.DataFrame(model_outputs), reference_outputs=str(reference_file), annotators_config=config,
            caching_path=str(Path(cache_dir) / f"annotations-{_annotator_name(config)}.json"),
            output_path=str(output_dir), precomputed_leaderboard=None, is_cache_leaderboard=False,
            is_overwrite_leaderboard=True, is_return_instead_of_print=True, fn_metric=_win_rate, sort_by="win_rate",
            Annotator=_annotator_class(), **kwargs,
        )
    asked = len(model_outputs)
    annotations = _readable(pd.DataFrame(annotations if annotations is not None else []))
    if len(annotations) == 0:
        return {"win_rate": None, "length_controlled_winrate": None, "lc_kind": None, "annotated": 0, "asked": asked,
                "note": f"none of the annotator's {asked} replies could be read as a preference"}
    metrics, lc_note = _length_controlled(annotations, is_official_lc)
    return {**metrics, "annotated": len(annotations), "asked": asked, "annotator": _annotator_name(config),
            **({"note": lc_note} if lc_note else {})}


def _win_rate(annotations) -> dict:
    """alpaca_eval's ``get_winrate``, and no number (instead of its crash) when no annotation could be read."""
    from alpaca_eval.metrics.winrate import get_winrate

    annotations = _readable(pd.DataFrame(annotations))
    return get_winrate(annotations) if len(annotations) else {"win_rate": float("nan"), "standard_error": float("nan")}


def _readable(annotations: pd.DataFrame) -> pd.DataFrame:
    """The annotations whose reply could be read as a preference (alpaca_eval keeps the others as missing)."""
    if "preference" not in annotations:
        return annotations.iloc[0:0]
    return annotations[annotations["preference"].notna()]


def _annotator_class():
    """alpaca_eval's PairwiseAnnotator, reading its cached preferences back as floats.

    pandas reads a cache of whole preferences (1.0 / 2.0) back as integers, and alpaca_eval 0.6.6 then fails to
    write its 1.5 for identical outputs into that column (pandas 2 refuses a float in an int column): every
    rerun from the cache would crash. Its annotations, prompts and parsing are otherwise untouched.
    """
    from alpaca_eval.annotators import PairwiseAnnotator

    class FloatPreferencesAnnotator(PairwiseAnnotator):
        def load_(self, path=None):
            super().load_(path)
            if self.df_annotations is not None and self.annotation_key in self.df_annotations:
                self.df_annotations[self.annotation_key] = self.df_annotations[self.annotation_key].astype(float)

    return FloatPreferencesAnnotator


@contextmanager
def _quiet_root_logger():
    """The root logger silenced for the block: alpaca_eval narrates every step at INFO and logs each unreadable
    reply with its traceback, while the result reports how many replies were read."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        root.setLevel(level)


def df_gamed_path() -> str | None:
    """alpaca_eval's ``df_gamed.csv`` (the official LC's instruction difficulties) if it is in alpaca_eval's cache
    (``pdbench prepare`` fetches it; offline, asking the Hub for it would only wait)."""
    from alpaca_eval import constants
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache("tatsu-lab/alpaca_eval", "df_gamed.csv", cache_dir=constants.DEFAULT_CACHE_DIR,
                                    repo_type="dataset")
    return cached if isinstance(cached, str) else None


def _length_controlled(annotations, is_official_lc: bool) -> tuple[dict, str | None]:
    """WR and LC: the official LC where it can run, else the minimal one, with the reason."""
    if is_official_lc and df_gamed_path() is None:
        is_official_lc, reason = False, "the official LC needs df_gamed.csv, which is not in alpaca_eval's cache " \
                                        "(`pdbench prepare` fetches it)"
    elif not is_official_lc:
        reason = "the official LC is fitted on AlpacaEval's own 805 prompts only"
    if is_official_lc:
        try:
            from alpaca_eval.metrics.glm_winrate import get_length_controlled_winrate

            official = get_length_controlled_winrate(annotations.copy(), save_weights_dir=None)
            return {"win_rate": float(official["win_rate"]),
                    "length_controlled_winrate": float(official["length_controlled_winrate"]),
                    "lc_kind": "length_controlled_v1",
                    "avg_length": float(annotations["output_2"].str.len().mean())}, None
        except Exception as error:  # its GLM fit failing, say: reported, never hidden
            reason = f"the official LC could not run ({type(error).__name__}: {str(error)[:120]})"
    minimal = minimal_length_controlled(annotations)
    return minimal, f"LC is {LC_MINIMAL}: {reason}"


def _annotator(annotator: str, judge, cache_dir: Path) -> tuple[str, dict]:
    """alpaca_eval's ``annotators_config`` and the extra annotator arguments for ``annotator``."""
    if annotator != "judge":
        return annotator, {}
    import hashlib

    import alpaca_eval

    prompt = Path(alpaca_eval.__file__).parent / "evaluators_configs" / CLASSIFIER_PROMPT
    # One folder per judge identity: the folder's name is the annotator's name in alpaca_eval's cache.
    name = "pdbench_judge_" + hashlib.sha256(judge.identity.encode()).hexdigest()[:12]
    config = cache_dir / "annotators" / name / "configs.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"{name}:\n  prompt_template: \"{prompt}\"\n  batch_size: 1\n", encoding="utf-8")
    return str(config), {"fn_completions": _judge_completions(judge), "fn_completion_parser": parse_m_or_M}


def _annotator_name(config: str) -> str:
    """The name alpaca_eval files an annotator's annotations under (its config folder's name)."""
    path = Path(config)
    return path.parent.name if path.name == "configs.yaml" else path.name


def _judge_completions(judge, max_workers: int = 8):
    """alpaca_eval's ``fn_completions`` interface around the run's judge: chat prompts in, reply texts out."""
    def completions(prompts, **_decoding) -> dict:
        import time
        from concurrent.futures import ThreadPoolExecutor

        from alpaca_eval.utils import prompt_to_chatml

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            texts = list(pool.map(lambda p: judge.complete(prompt_to_chatml(p), max_tokens=1), prompts))
        seconds = (time.perf_counter() - started) / max(1, len(prompts))
        return {"completions": texts, "price_per_example": [0.0] * len(texts), "time_per_example": [seconds] * len(texts)}

    return completions
