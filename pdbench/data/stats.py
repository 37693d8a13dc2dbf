"""Statistics and the per-aspect conflict breakdown (paper Figure 1 / B.1) of a pair table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pdbench.infra.plotting import pyplot


def pair_stats(pairs: pd.DataFrame) -> dict:
    """Conflict rate, per-aspect conflicting/consistent counts and length statistics of a pair table.

    For world data (pairs with a ``world_spec``) also ``gold``: how often the labels agree with the
    world's gold rubric and what the pairs teach (chosen − rejected of each rubric property), split
    by conflicting / consistent pairs and per aspect (``pdbench.world.profile``).

    A table with only the documented pair columns (``pdbench.data.build.PAIR_COLUMNS``) gets every statistic
    but the attainable conflict range (None), which needs the build's per-pair aspect counts; lengths are then
    counted from the texts, as the build counts them.
    """
    from pdbench.world.profile import pair_gold_diagnostics

    pairs = _with_lengths(pairs)
    n = len(pairs)
    per_aspect = {}
    for aspect, group in pairs.groupby("aspect", sort=True):
        conflicting = int(group["is_conflict"].sum())
        per_aspect[str(aspect)] = {
            "pairs": len(group),
            "conflicting": conflicting,
            "consistent": len(group) - conflicting,
            "conflict_rate": conflicting / len(group),
        }
    return {
        "n_pairs": n,
        "n_prompts_paired": int(pairs["prompt_index" if "prompt_index" in pairs else "prompt"].nunique()),
        "conflict_rate": float(pairs["is_conflict"].mean()) if n else 0.0,
        "n_conflicting": int(pairs["is_conflict"].sum()),
        "attainable_conflict_range": _attainable_range(pairs),
        "per_aspect": per_aspect,
        "length": {
            "all": _length_stats(pairs),
            "conflicting": _length_stats(pairs[pairs["is_conflict"]]),
            "consistent": _length_stats(pairs[~pairs["is_conflict"]]),
        },
        "length_per_aspect": {
            str(aspect): {"conflicting": _length_stats(group[group["is_conflict"]]),
                          "consistent": _length_stats(group[~group["is_conflict"]])}
            for aspect, group in pairs.groupby("aspect", sort=True)
        },
        "gold": pair_gold_diagnostics(pairs),
    }


def _with_lengths(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with boolean ``is_conflict`` and the response lengths in words (counted when absent)."""
    lengths = {f"{role}_len": pairs[role].map(lambda text: len(str(text).split()))
               for role in ("chosen", "rejected") if f"{role}_len" not in pairs}
    return pairs.assign(is_conflict=pairs["is_conflict"].astype(bool), **lengths)


def _attainable_range(pairs: pd.DataFrame) -> list[float] | None:
    """[forced, forced + flexible] conflict shares, from the build's aspect counts (None without them)."""
    if not len(pairs):
        return [0.0, 0.0]
    if not {"n_conflicting_aspects", "n_agreeing_aspects"} <= set(pairs):
        return None
    conflicting, agreeing = pairs["n_conflicting_aspects"] > 0, pairs["n_agreeing_aspects"] > 0
    forced, flexible = int((conflicting & ~agreeing).sum()), int((conflicting & agreeing).sum())
    return [forced / len(pairs), (forced + flexible) / len(pairs)]


def _length_stats(pairs: pd.DataFrame) -> dict:
    """Lengths in whitespace words; delta = chosen - rejected."""
    if len(pairs) == 0:
        return {"pairs": 0}
    delta = pairs["chosen_len"] - pairs["rejected_len"]
    return {
        "pairs": len(pairs),
        "chosen_mean": float(pairs["chosen_len"].mean()),
        "rejected_mean": float(pairs["rejected_len"].mean()),
        "delta_mean": float(delta.mean()),
        "delta_median": float(delta.median()),
        "share_chosen_longer": float((delta > 0).mean()),
    }


def plot_conflict_breakdown(stats: dict, path: Path, title: str = "") -> None:
    """Stacked bars of conflicting vs consistent pairs per aspect, written as a PNG."""
    plt = pyplot()
    aspects = list(stats["per_aspect"])
    consistent = [stats["per_aspect"][a]["consistent"] for a in aspects]
    conflicting = [stats["per_aspect"][a]["conflicting"] for a in aspects]
    fig, ax = plt.subplots(figsize=(1.6 * len(aspects) + 2, 4))
    ax.bar(aspects, consistent, label="consistent", color="#4c72b0")
    ax.bar(aspects, conflicting, bottom=consistent, label="conflicting", color="#dd8452")
    for i, (ok, bad) in enumerate(zip(consistent, conflicting)):
        if ok + bad:
            ax.text(i, ok + bad, f"{bad / (ok + bad):.0%}", ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("pairs")
    ax.set_title(title or f"Conflicts per aspect (overall rate {stats['conflict_rate']:.1%}, {stats['n_pairs']} pairs)")
    ax.legend()
    ax.tick_params(axis="x", labelrotation=15)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")  # the path may be a temp name without .png
    plt.close(fig)


def format_summary(stats: dict) -> str:
    """A short human-readable summary of the statistics."""
    attainable = stats["attainable_conflict_range"]
    lines = [
        f"pairs: {stats['n_pairs']} from {stats['n_prompts_paired']} prompts",
        f"conflict rate: {stats['conflict_rate']:.3f}"
        + (f" (attainable {attainable[0]:.3f}-{attainable[1]:.3f})" if attainable else ""),
    ]
    for aspect, counts in stats["per_aspect"].items():
        lines.append(
            f"  {aspect:<24} {counts['pairs']:>6} pairs  {counts['conflicting']:>5} conflicting ({counts['conflict_rate']:.1%})"
        )
    length = stats["length"]["all"]
    if length.get("pairs"):
        lines.append(
            f"length (words): chosen {length['chosen_mean']:.1f}, rejected {length['rejected_mean']:.1f}, "
            f"chosen longer in {length['share_chosen_longer']:.1%}"
        )
    for aspect, groups in stats.get("length_per_aspect", {}).items():
        deltas = "  ".join(f"{name} {row['delta_mean']:+.1f}" for name, row in groups.items() if row.get("pairs"))
        lines.append(f"  chosen - rejected words, {aspect:<22} {deltas}")
    if stats.get("gold"):
        from pdbench.world.profile import format_gold_table

        lines.append(format_gold_table(stats["gold"]))
    return "\n".join(lines)


def plot_pair_diagnostics(gold: dict, path: Path, title: str = "") -> None:
    """What the pairs teach: chosen − rejected of each rubric property, conflicting vs consistent pairs."""
    from pdbench.world.profile import PROPERTIES

    plt = pyplot()
    names = ["gold", "words", *PROPERTIES]
    fig, axes = plt.subplots(1, len(names), figsize=(2.0 * len(names), 3.4))
    for ax, name in zip(axes, names, strict=True):
        key = f"{name}_delta"
        values = [gold[group][key] or 0.0 for group in ("conflicting", "consistent")]
        ax.bar(["confl.", "cons."], values, color=["#dd8452", "#4c72b0"])
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(name, fontsize=10)
    axes[0].set_ylabel("chosen - rejected")
    fig.suptitle(title or "What the pairs teach (against the gold rubric)")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
