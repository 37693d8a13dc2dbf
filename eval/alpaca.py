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


def official_alpaca_eval(model_outputs: list[dict], reference_outputs: list[dict], annotators_config: str,
                         caching_path: Path, output_path: Path) -> dict:
    """The official AlpacaEval 2 run (paper scale): WR and LC from ``alpaca_eval.evaluate``.

    Needs an OpenAI-compatible annotator; set ``OPENAI_CLIENT_CONFIG_PATH`` before importing
    alpaca_eval for a custom endpoint.
    """
    from alpaca_eval import evaluate

    leaderboard, _ = evaluate(
        model_outputs=pd.DataFrame(model_outputs), reference_outputs=pd.DataFrame(reference_outputs),
        annotators_config=annotators_config, caching_path=str(caching_path), output_path=str(output_path),
        is_return_instead_of_print=True, is_overwrite_leaderboard=True,
    )
    row = leaderboard.iloc[0]
    return {
        "win_rate": float(row["win_rate"]),
        "length_controlled_winrate": float(row["length_controlled_winrate"]),
        "lc_kind": "length_controlled_v1",
        "avg_length": float(row.get("avg_length", float("nan"))),
    }
