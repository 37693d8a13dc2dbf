"""The pre-registered predictions of docs/experiments/world-variants.md, judged on finished cells.

    python benchmarks/world_variants_verdicts.py runs [--json verdicts.json]

ROOT holds one folder per variant (``variant-positive_control`` ... as the experiment's sweeps write
them, or ``positive_control`` ... as docs/experiments/world-variants/cells/ keeps them), each with a
folder per cell holding ``result.json``. For every prediction P1-P9, exactly as committed before any
cell ran, it prints the paired AW difference over the seeds both strategies finished (mean, sd,
paired t and two-sided p, and the minimum detectable difference of those seeds), the verdict by the
pre-registered rule, and the behavioural signature
(the policies' rubric-property rates from each result's ``behaviour``):

* a directional prediction *holds* when the mean paired difference has the predicted sign, *beyond
  noise* when also p < 0.05; a ~0 prediction holds when |mean| is below the noise floor (the AW
  difference three seeds detect, from docs/results-tiny/claims.json); anything else is a *miss*;
* with fewer than the three pre-registered seeds the verdict is ``incomplete`` (the numbers so far
  are shown, and are not a verdict).

Per variant it also prints what each strategy's pairs taught next to what its policy learned (a
markdown table, means over the finished seeds) and the variant's own noise floor: the pooled spread
of its paired AW differences, the difference three seeds detect, the seeds that 0.05 AW would take
(``tiny_claims.noise_floor``), and how AW goes with each behaviour property within seeds: the
correlation over the cells that train a policy of their own or are the SFT policy (``overall``, AW 1
by definition, left out), each seed's mean removed first; and how much of what the pairs taught the policies
learned (``taught_learned_fits``: r and slope of the policy's length, filler and correctness on its pairs'
chosen - rejected differences, within seeds). The last line is JSON.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.leaderboard import mean_std_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tiny_claims import noise_floor, paired  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)
PREDICTIONS = [
    # (id, variant, A, B, predicted sign of AW(A) - AW(B): +1, -1 or 0 for "about equal", signature)
    ("P1", "positive_control", "ours", "rand", +1, "rand's policy fabricates more than ours'"),
    ("P2", "positive_control", "ours", "all", +1, "all's policy fabricates more than ours'"),
    ("P3", "positive_control", "high", "sft", -1, "high's policy fabricates more than SFT"),
    ("P4", "decoupled", "ours", "rand", +1, "ours' policy shorter, less filler and fabrication"),
    ("P5", "decoupled", "ours", "all", +1, "ours' answers shorter than all's"),
    ("P6", "decoupled", "high", "sft", 0, "high's policy fabricates more than SFT"),
    ("P7", "no_length_bias", "ours", "rand", 0, "similar lengths"),
    ("P8", "no_length_bias", "ours", "all", -1, "all's policy less filler"),
    ("P9", "no_length_bias", "high", "sft", +1, "high's policy shorter than SFT"),
]
SIGNATURE_PROPERTIES = ("fabricated", "filler", "hedged", "correct", "length_words")
TABLE_STRATEGIES = ("ours", "rand", "all", "high", "overall", "sft")
TAUGHT = (("fabricated_delta", "fabricated"), ("filler_delta", "filler"), ("words_delta", "words"))
"""The chosen - rejected differences of the training pairs shown beside the policy's behaviour."""
TRANSFER = (("words_delta", "length_words"), ("filler_delta", "filler"), ("correct_delta", "correct"))
"""(what the pairs taught, what the policy does) pairs whose within-seed fit says how much of the taught reappears."""
CORRELATED = ("filler", "length_words", "correct", "fabricated")
"""The behaviour properties whose within-seed correlation with AW is printed per variant."""
LEARNED = (("fabricated", "{:.3f}"), ("correct", "{:.2f}"), ("filler", "{:.2f}"), ("length_words", "{:.1f}"))


def load_variant(root: Path, variant: str) -> dict[tuple[str, int], dict]:
    """(strategy, seed) -> result of every finished cell of ``variant`` under ``root``."""
    folder = next((f for f in (root / f"variant-{variant}", root / variant) if f.is_dir()), None)
    cells = {}
    for result_file in sorted(folder.glob("*/result.json")) if folder else []:
        result = json.loads(result_file.read_text())
        cells[(result["config"]["strategy"], int(result["config"]["seed"]))] = result
    return cells


def behaviour_of(result: dict) -> dict[str, float]:
    """The policy's rubric-property rates (the SFT cell's policy is the SFT model itself)."""
    return (result.get("behaviour") or {}).get("policy", {})


def judge(prediction: tuple, cells: dict, floor: float) -> dict:
    """The pre-registered verdict of one prediction, with its numbers and behavioural signature."""
    pid, variant, a, b, sign, signature = prediction
    seeds = [s for s in SEEDS if (a, s) in cells and (b, s) in cells]
    aw = {who: pd.Series({s: cells[(who, s)]["pairwise"]["aw"] for s in seeds}, dtype=float) for who in (a, b)}
    diffs = aw[a] - aw[b]
    out = {"id": pid, "variant": variant, "comparison": f"{a} vs {b}", "predicted": {1: ">", -1: "<", 0: "≈"}[sign],
           "seeds": seeds, "signature": signature}
    if len(seeds) == 0:
        return {**out, "verdict": "not run"}
    mean = float(diffs.mean())
    test = paired(aw[a], aw[b])  # the paired t of tiny_claims (None under two seeds)
    sd, p, mdd = (test["std_diff"], test["p"], test["mdd"]) if test else (None, None, None)
    out.update(mean_diff=mean, sd=sd, p=p, mdd=mdd, diffs=diffs.tolist(), behaviour={
        who: {name: float(np.mean([behaviour_of(cells[(who, s)]).get(name, np.nan) for s in seeds]))
              for name in SIGNATURE_PROPERTIES} for who in (a, b)})
    if len(seeds) < len(SEEDS):
        out["verdict"] = f"incomplete ({len(seeds)} of {len(SEEDS)} seeds; not a verdict)"
    elif sign == 0:
        out["verdict"] = "holds (|mean| below the noise floor)" if abs(mean) < floor else "miss"
    elif np.sign(mean) == sign:
        out["verdict"] = "holds beyond noise" if p is not None and p < 0.05 else "holds within noise"
    else:
        out["verdict"] = "miss"
    return out


def format_verdict(v: dict) -> str:
    """Two or three lines per prediction."""
    head = f"{v['id']} {v['variant']}: {v['comparison']} predicted {v['predicted']}  ->  {v['verdict']}"
    if "mean_diff" not in v:
        return head
    numbers = (f"    AW diff {v['mean_diff']:+.3f} over seeds {v['seeds']}"
               + (f" (sd {v['sd']:.3f}, p {v['p']:.3f}; these seeds detect {v['mdd']:.3f})" if v["p"] is not None else ""))
    a, b = v["comparison"].split(" vs ")
    props = "  ".join(f"{name} {v['behaviour'][a][name]:.2f}/{v['behaviour'][b][name]:.2f}" for name in SIGNATURE_PROPERTIES)
    return f"{head}\n{numbers}\n    signature ({v['signature']}): {a}/{b}: {props}"


def taught_and_learned(cells: dict) -> str:
    """Markdown: per strategy, what its training pairs taught (chosen - rejected, ``result["taught"]["all"]``)
    and what its policy did (``behaviour``), means over its finished seeds, and AW mean +- std over seeds
    (population std, as the leaderboard writes it)."""
    head = (["strategy", "seeds", "pairs"] + [f"taught: {name}" for _, name in TAUGHT]
            + [f"policy: {name}" for name, _ in LEARNED] + ["AW"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for strategy in TABLE_STRATEGIES:
        results = [cells[(strategy, s)] for s in SEEDS if (strategy, s) in cells]
        if not results:
            continue
        taught = [t for t in ((r.get("taught") or {}).get("all") for r in results) if t]
        row = [f"`{strategy}`", str(len(results)), _mean_text(taught, "pairs", "{:.0f}")]
        row += [_mean_text(taught, key, "{:+.2f}") for key, _ in TAUGHT]
        row += [fmt.format(np.mean([behaviour_of(r).get(name, np.nan) for r in results])) for name, fmt in LEARNED]
        aw = pd.Series([r["pairwise"]["aw"] for r in results], dtype=float)
        row.append(mean_std_text(aw.mean(), aw.std(ddof=0), len(aw)))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _mean_text(rows: list[dict], key: str, fmt: str) -> str:
    """The mean of ``key`` over ``rows``, formatted; a dash when there are none (an sft cell trains on no pairs)."""
    return fmt.format(np.mean([row[key] for row in rows])) if rows else "–"


def within_seed_correlations(cells: dict) -> dict:
    """Pearson r of AW with each CORRELATED property over every cell but ``overall``, after removing each
    seed's mean from both (the seeds' baselines differ, which moves every AW of a seed together);
    ``cells`` counts them. A property that does not vary gets None."""
    rows = pd.DataFrame([{"seed": seed, "aw": result["pairwise"]["aw"], **behaviour_of(result)}
                         for (strategy, seed), result in cells.items() if strategy != "overall"])
    if len(rows) < 3:
        return {"cells": len(rows)}
    centred = _centred_within_seeds(rows)
    return {"cells": len(rows), **{name: (float(centred["aw"].corr(centred[name])) if centred[name].std() > 0 else None)
                                   for name in CORRELATED}}


def _centred_within_seeds(rows: pd.DataFrame) -> pd.DataFrame:
    """Every column but ``seed`` less its seed's mean (a seed's baseline moves all of its cells together)."""
    return rows.groupby("seed").transform(lambda column: column - column.mean())


def taught_learned_fits(cells: dict) -> dict:
    """How much of what the pairs taught the policies learned: for each TRANSFER pair, Pearson r and the
    least-squares slope of the policy's property on its pairs' chosen - rejected difference (policy units per
    taught unit), over every cell that trained on pairs (``overall`` included, the SFT cell has none), each
    seed's mean removed from both first; ``cells`` counts them. A pair that does not vary gets None."""
    rows = pd.DataFrame([{"seed": seed, **{x: taught[x] for x, _ in TRANSFER},
                          **{y: behaviour_of(result).get(y, np.nan) for _, y in TRANSFER}}
                         for (strategy, seed), result in cells.items()
                         if (taught := (result.get("taught") or {}).get("all"))])
    if len(rows) < 3:
        return {"cells": len(rows)}
    centred = _centred_within_seeds(rows)
    fits = {}
    for x, y in TRANSFER:
        if centred[x].std() > 0 and centred[y].std() > 0:
            slope = float((centred[x] * centred[y]).sum() / (centred[x] ** 2).sum())
            fits[y] = {"taught": x, "r": float(centred[x].corr(centred[y])), "slope": slope}
        else:
            fits[y] = None
    return {"cells": len(rows), **fits}


def format_fits(fits: dict) -> str:
    """One line: taught -> learned r and slope per property."""
    return f"taught -> learned within seeds ({fits['cells']} cells): " + ", ".join(
        f"{fit['taught']} -> {name} r = {fit['r']:+.2f} (slope {fit['slope']:.2f})"
        for name, fit in fits.items() if name != "cells" and fit is not None)


def variant_noise(verdicts: list[dict], variant: str) -> dict | None:
    """The noise floor from this variant's own paired AW differences (predictions with 2+ seeds)."""
    return noise_floor([{"metric": "aw", "std_diff": v["sd"], "n": len(v["seeds"])}
                        for v in verdicts if v["variant"] == variant and v.get("sd") is not None])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder holding variant-NAME (or NAME) folders of finished cells")
    parser.add_argument("--json")
    args = parser.parse_args()
    floor = json.loads((ROOT / "docs" / "results-tiny" / "claims.json").read_text())["noise_floor"]["detectable_aw_difference"]
    cells = {variant: load_variant(args.root, variant) for variant in dict.fromkeys(p[1] for p in PREDICTIONS)}
    verdicts = [judge(prediction, cells[prediction[1]], floor) for prediction in PREDICTIONS]
    print(f"noise floor: {floor:.2f} AW (the paired difference three seeds detect; docs/results-tiny/claims.json)")
    for variant, found in cells.items():
        print(f"{variant}: {len(found)} finished cells: {', '.join(f'{s}/s{n}' for s, n in sorted(found))}")
    print("\n".join(format_verdict(v) for v in verdicts))
    noise, correlations, transfer = {}, {}, {}
    for variant, found in cells.items():
        if not found:
            continue
        noise[variant] = variant_noise(verdicts, variant)
        print(f"\n{variant}: what the pairs taught, what the policies did (means over finished seeds)\n"
              + taught_and_learned(found))
        if noise[variant]:
            n = noise[variant]
            print(f"{variant} noise: pooled paired sd {n['sd_paired_aw']:.3f} over {n['comparisons']} comparisons; "
                  f"{n['seeds']} seeds detect {n['detectable_aw_difference']:.2f} AW; "
                  f"{n['target']} needs {n['seeds_for_target']} seeds")
        correlations[variant] = within_seed_correlations(found)
        print(f"{variant} AW vs behaviour within seeds ({correlations[variant]['cells']} cells, overall left out): "
              + ", ".join(f"{name} r = {r:+.2f}" for name, r in correlations[variant].items()
                          if name != "cells" and r is not None))
        transfer[variant] = taught_learned_fits(found)
        print(f"{variant} {format_fits(transfer[variant])}")
    summary = {"noise_floor": floor, "verdicts": verdicts, "variant_noise": noise, "within_seed_r": correlations,
               "taught_learned": transfer}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
