"""The leaderboard: Table 1 from tracked runs (table) and what each policy learned (behaviour)."""

import pandas as pd


def mean_std_text(mean: float, std: float, n: int) -> str:
    """``mean ± std`` over ``n`` seeds, to two decimals; the mean alone for one seed, which has no spread."""
    return f"{mean:.2f}" + (f" ± {std:.2f}" if n > 1 and pd.notna(std) else "")
