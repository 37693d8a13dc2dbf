"""Diagnostics of PD estimation and of a selection (paper App. B.3-B.6), as JSON and PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.infra.fileio import write_json, write_with
from pdbench.pd.estimate import PDResult, aspects_of
from pdbench.infra.plotting import pyplot


def prediction_conflict_matrix(pairs: pd.DataFrame, result: PDResult) -> pd.DataFrame:
    """Figure B.3: how often the proxy reward models contradict the true ratings.

    Diagonal (k, k): share of the pairs *not* labelled by k on which model k's gap sign differs
    from the sign of the true aspect-k rating difference. Off-diagonal (k, j): share of pairs
    labelled by neither on which "models k and j agree" differs from "ratings k and j agree".
    Pairs where a true rating difference is 0 or missing are left out.
    """
    aspects = aspects_of(pairs)
    labels = pairs["aspect"].to_numpy()
    predicted = {a: np.sign(result.table[f"raw_gap_{a}"].to_numpy()) for a in aspects}
    truth = {
        a: np.sign((pairs[f"chosen_{a}"].astype(float) - pairs[f"rejected_{a}"].astype(float)).to_numpy())
        for a in aspects
    }
    matrix = pd.DataFrame(np.nan, index=aspects, columns=aspects)
    for k in aspects:
        for j in aspects:
            usable = (labels != k) & (labels != j) & (truth[k] != 0) & (truth[j] != 0)
            usable &= ~np.isnan(truth[k]) & ~np.isnan(truth[j])
            if not usable.any():
                continue
            if k == j:
                disagree = predicted[k][usable] != truth[k][usable]
            else:
                disagree = (predicted[k] == predicted[j])[usable] != (truth[k] == truth[j])[usable]
            matrix.loc[k, j] = float(disagree.mean())
    return matrix


def selection_summary(pairs: pd.DataFrame, rows, length_column: str = "len") -> dict:
    """Conflict rate and chosen-minus-rejected length statistics of a selection vs all pairs."""
    def describe(frame: pd.DataFrame) -> dict:
        delta = frame[f"chosen_{length_column}"] - frame[f"rejected_{length_column}"]
        return {
            "pairs": len(frame),
            "conflict_rate": float(frame["is_conflict"].mean()) if len(frame) else None,
            "delta_len_mean": float(delta.mean()) if len(frame) else None,
            "share_chosen_longer": float((delta > 0).mean()) if len(frame) else None,
        }

    return {"selected": describe(pairs.iloc[list(rows)]), "all": describe(pairs)}


def write_pd_diagnostics(pairs: pd.DataFrame, result: PDResult, out: Path, prefix: str = "pd") -> dict:
    """RM accuracy, the conflict matrix and PD / gap histograms into ``out``; returns the JSON."""
    out = Path(out)
    matrix = prediction_conflict_matrix(pairs, result)
    report = {
        "rm_accuracy": result.meta.get("rm_accuracy"),
        "prediction_conflict": {k: {j: _none_if_nan(v) for j, v in row.items()} for k, row in matrix.iterrows()},
        "pd_mean": float(result.table["pd"].mean()),
        "pd_quantiles": {str(q): float(result.table["pd"].quantile(q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)},
    }
    write_json(out / f"{prefix}_diagnostics.json", report)
    write_with(out / f"{prefix}_conflict_matrix.png", lambda p: _plot_matrix(matrix, p))
    write_with(out / f"{prefix}_distribution.png", lambda p: _plot_distributions(result.table, aspects_of(pairs), p))
    return report


def plot_length_difference(pairs: pd.DataFrame, selections: dict[str, tuple[int, ...]], path: Path) -> None:
    """Figure B.7: chosen - rejected length of each strategy's selection against all pairs."""
    plt = pyplot()
    delta = (pairs["chosen_len"] - pairs["rejected_len"]).to_numpy()
    bins = np.linspace(np.percentile(delta, 1), np.percentile(delta, 99), 40)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(delta, bins=bins, density=True, alpha=0.3, color="grey", label="all pairs")
    for name, rows in selections.items():
        ax.hist(delta[list(rows)], bins=bins, density=True, histtype="step", linewidth=1.5, label=name)
    ax.set_xlabel("length(chosen) - length(rejected), words")
    ax.set_ylabel("density")
    ax.legend()
    fig.tight_layout()
    write_with(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)


def _plot_matrix(matrix: pd.DataFrame, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.2))
    image = ax.imshow(matrix.to_numpy(dtype=float), cmap="Reds", vmin=0, vmax=max(0.5, float(np.nanmax(matrix.to_numpy()))))
    ax.set_xticks(range(len(matrix)), matrix.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(matrix)), matrix.index)
    for (i, j), value in np.ndenumerate(matrix.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
    ax.set_title("RM prediction conflict (Fig. B.3)")
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _plot_distributions(table: pd.DataFrame, aspects: list[str], path: Path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(aspects) + 1, figsize=(3.2 * (len(aspects) + 1), 3))
    axes[0].hist(table["pd"], bins=40, color="#4c72b0")
    axes[0].axvline(table["pd"].mean(), color="red", linestyle="--")
    axes[0].set_title("PD")
    for ax, aspect in zip(axes[1:], aspects):
        ax.hist(table[f"gap_{aspect}"], bins=40, color="#dd8452")
        ax.set_title(f"gap: {aspect}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _none_if_nan(value: float):
    return None if value != value else value
