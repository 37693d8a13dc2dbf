"""Where the noise of a paired AW difference comes from, measured on committed cells without training anything.

    python benchmarks/noise_decomposition.py [--world NAME=DIR[,DIR ...]] ... [--json FILE]

Every committed cell with ``samples.json`` keeps each held-out prompt's answers (the policy's and its
baseline's), and the rubric judge is exact, so every answer's gold rating (``pdbench.world.mean_score``, the
rubric's mean aspect rating, 1-5) can be recomputed: the script checks that the recomputed win / tie / loss of
every prompt and the AW of every cell equal the committed ones. From the per-prompt scores it splits the
seed-to-seed variance of a paired difference ``a - b`` (strategies ``a`` and ``b`` of the same seed, every
seed scored on the same held-out prompts, as pdbench always does) into

* **evaluation prompts**: the per-prompt differences that change from seed to seed independently of each
  other (``transient``), which more held-out prompts average away; its variance is the within-seed sampling
  variance of the prompts' mean minus the part that persists across seeds;
* **persistent prompt effects**: the part of the per-prompt differences shared by all seeds (the held-out set
  happens to hold prompts that favour ``a``): a bias common to every seed, absent from the seed-to-seed
  variance and not removed by more seeds; it and the transient part together are what the same policies'
  difference would vary by over fresh, disjoint draws of prompts (``prompt sd``);
* **seed level**: the rest of the seed-to-seed variance, common to all prompts of a seed — training order, the
  world's data and the selection together (every committed seed changes all three; separating them takes the
  training-order cells of docs/experiments/powered-comparisons.md).

It does this for three metrics on the same answers: **AW** against the seed's own `overall` model (the
paper's), **AW_sft** against one shared reference, the SFT policy's answers (identical in every seed: greedy
decoding of the same model), and **gold**, the mean rubric rating of the policy's answers (judge-free; its
differences are in rating points, and the slope of AW on gold over all within-seed pairs converts them).
Then the levers, as CPU time per seed against the seeds a 0.05 difference needs: the reference, the prompts
per family (capped by what each family can make), the metric. Costs are the quiet 2-core CPU's of
docs/cost.md (bf16). The last line is JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from pdbench.leaderboard.power import minimum_detectable_difference, seeds_needed
from pdbench.world import FAMILIES, heldout_specs, mean_score
from pdbench.world.families import generate_tasks

ROOT = Path(__file__).resolve().parent.parent
WORLDS = {
    "default": ["docs/results-tiny/cells/tiny-rerun-s0", "docs/results-tiny/cells/tiny-rerun-s12"],
    "decoupled": ["docs/experiments/world-variants/cells/decoupled"],
    "no_length_bias": ["docs/experiments/world-variants/cells/no_length_bias"],
    "positive_control": ["docs/experiments/world-variants/cells/positive_control"],
}
"""The committed cells with every answer kept (conflict 0.3, λ 0.3, seeds 0-2, 70 prompts per family)."""
COMPARISONS = (("ours", "rand"), ("ours", "all"), ("high", "sft"))
"""Issue 27's comparisons; ``pooled`` is every pair of the world's strategies but `overall` (AW 1 by definition)."""
METRICS = ("AW", "AW_sft", "gold")
TARGET = 0.05
HELDOUT_SEED = 0
"""The held-out draw every pdbench evaluation uses (``pdbench.eval.setup.world_specs``)."""

# CPU seconds on the quiet 2-core machine of docs/cost.md (bf16, 26 Nov): a selection cell's RM + PD and DPO on
# 297 pairs, DPO on all 990 pairs (`all`, `overall`), and generating one held-out answer (85 s for 200 prompts).
SELECT_TRAIN_S, FULL_TRAIN_S, GENERATE_S = 18 + 236, 766, 85 / 200


@dataclass(frozen=True)
class Decomposition:
    """A paired difference's variance parts (variances of the difference of two AW-like means)."""

    comparison: str
    seeds: int
    mean: float
    seed_var: float
    """Sample variance over seeds of the per-seed difference: what a paired t-test sees."""
    prompt_var: float
    """Sampling variance of the prompts' mean within a seed (stratified by family), averaged over seeds."""
    persistent_var: float
    """The part of ``prompt_var`` shared by the seeds (cross-seed covariance of the per-prompt differences)."""
    transient_by_family: tuple[float, ...]
    """Per family, the per-prompt variance that changes from seed to seed (divide by prompts, then by F^2)."""
    prompts_by_family: tuple[int, ...]

    @property
    def transient_var(self) -> float:
        """The evaluation-prompt part of ``seed_var`` at the prompts that ran."""
        return self.transient_at(self.prompts_by_family)

    def transient_at(self, prompts: tuple[int, ...]) -> float:
        """The evaluation-prompt part of ``seed_var`` with ``prompts`` per family."""
        families = len(self.prompts_by_family)
        return float(sum(v / m for v, m in zip(self.transient_by_family, prompts)) / families**2)

    @property
    def seed_level_var(self) -> float:
        """Training order + data + selection: the seed variance more prompts cannot remove (clipped at 0)."""
        return max(self.seed_var - self.transient_var, 0.0)

    def sd_at(self, prompts: tuple[int, ...]) -> float:
        """The per-seed sd of the difference with ``prompts`` per family (seed level unchanged)."""
        return float(np.sqrt(self.seed_level_var + self.transient_at(prompts)))

    def summary(self) -> dict:
        """The numbers printed and written to JSON: sds and the evaluation prompts' share of the seed variance."""
        return {"comparison": self.comparison, "seeds": self.seeds, "mean": self.mean,
                "seed_sd": float(np.sqrt(self.seed_var)), "prompt_sd": float(np.sqrt(self.prompt_var)),
                "persistent_sd": float(np.sqrt(max(self.persistent_var, 0.0))),
                "transient_sd": float(np.sqrt(max(self.transient_var, 0.0))),
                "seed_level_sd": float(np.sqrt(self.seed_level_var)),
                "prompt_share": float(min(max(self.transient_var, 0.0) / self.seed_var, 1.0)) if self.seed_var else None,
                "seed_sd_ci95": list(_sd_interval(self.seed_var, self.seeds))}


def _sd_interval(var: float, seeds: int) -> tuple[float, float]:
    """95 % interval of a normal sample's sd from its variance on ``seeds - 1`` degrees of freedom."""
    df = seeds - 1
    return (float(np.sqrt(df * var / stats.chi2.ppf(0.975, df))), float(np.sqrt(df * var / stats.chi2.ppf(0.025, df))))


def load_world(folders: list[Path]) -> dict[tuple[str, int], dict[str, np.ndarray]]:
    """(strategy, seed) -> gold ratings of the policy's and the baseline's answer per (family, prompt).

    Validates once: every prompt's recomputed outcome equals the committed one, every cell's AW too, and every
    cell was scored on the same held-out prompts, family by family, as ``heldout_specs`` draws them.
    """
    cells = {}
    for folder in folders:
        for samples_file in sorted(Path(folder).glob("*/samples.json")):
            result = json.loads((samples_file.parent / "result.json").read_text())
            samples = json.loads(samples_file.read_text())
            specs = heldout_specs(result["config"]["eval_prompts_per_set"], seed=HELDOUT_SEED)
            policy, baseline = [], []
            for family in FAMILIES:
                rows = samples[family]
                if [row["instruction"] for row in rows] != [spec.prompt for spec in specs[family]]:
                    raise ValueError(f"{samples_file}: {family} was not scored on the held-out draw {HELDOUT_SEED}")
                policy.append([mean_score(spec, row["model"]) for spec, row in zip(specs[family], rows)])
                baseline.append([mean_score(spec, row["baseline"]) for spec, row in zip(specs[family], rows)])
                outcomes = ["win" if p > b else "loss" if p < b else "tie" for p, b in zip(policy[-1], baseline[-1])]
                if outcomes != [row["outcome"] for row in rows]:
                    raise ValueError(f"{samples_file}: recomputed {family} outcomes differ from the committed ones")
            cell = {"policy": np.array(policy), "baseline": np.array(baseline)}
            if not np.isclose(1 + np.sign(cell["policy"] - cell["baseline"]).mean(axis=1).mean(), result["pairwise"]["aw"]):
                raise ValueError(f"{samples_file}: recomputed AW differs from result.json's")
            cells[(result["config"]["strategy"], int(result["config"]["seed"]))] = cell
    return cells


def per_prompt(cells: dict, metric: str, references: dict | None = None) -> dict[tuple[str, int], np.ndarray]:
    """Each cell's per-prompt score under ``metric`` (family x prompt): its mean over prompts, then over families
    (plus 1 for the win scores) is the cell's metric. The baseline (AW) and SFT (AW_sft) answers come from
    ``references``, cells of the same seeds (default: ``cells`` themselves): a training-order replicate is scored
    against the answers its data seed's own cells were scored against."""
    references = cells if references is None else references
    sft = [cell["policy"] for (strategy, _), cell in sorted(references.items()) if strategy == "sft"]
    if any(not np.array_equal(sft[0], other) for other in sft[1:]):
        raise ValueError("the SFT policy's answers differ between seeds: no shared reference")
    score = {"AW": lambda key, c: np.sign(c["policy"] - references[key]["baseline"]),
             "AW_sft": lambda key, c: np.sign(c["policy"] - sft[0]),
             "gold": lambda key, c: c["policy"]}[metric]
    return {key: score(key, cell) for key, cell in cells.items()}


def decompose(scores: dict, a: str, b: str) -> Decomposition:
    """The variance parts of ``a - b`` over the seeds both ran (at least two)."""
    seeds = sorted(s for (strategy, s) in scores if strategy == a and (b, s) in scores)
    d = np.stack([scores[(a, s)] - scores[(b, s)] for s in seeds])  # seed x family x prompt
    families, prompts = d.shape[1], d.shape[2]
    per_seed = d.mean(axis=2).mean(axis=1)
    within = d.var(axis=2, ddof=1)  # seed x family: per-prompt variance within a seed
    centred = d - d.mean(axis=2, keepdims=True)
    shared = np.mean([(centred[i] * centred[j]).sum(axis=1) / (prompts - 1)
                      for i, j in itertools.combinations(range(len(seeds)), 2)], axis=0)  # per family
    return Decomposition(
        comparison=f"{a} - {b}", seeds=len(seeds), mean=float(per_seed.mean()), seed_var=float(per_seed.var(ddof=1)),
        prompt_var=float(within.mean(axis=0).sum() / prompts / families**2),
        persistent_var=float(shared.sum() / prompts / families**2),
        transient_by_family=tuple(float(v) for v in within.mean(axis=0) - shared),
        prompts_by_family=(prompts,) * families)


def pooled(decompositions: list[Decomposition]) -> Decomposition:
    """Every variance part averaged over comparisons: one noise level for the world."""
    first = decompositions[0]
    mean = lambda name: float(np.mean([getattr(d, name) for d in decompositions]))  # noqa: E731
    return Decomposition(
        comparison=f"pooled over {len(decompositions)} pairs", seeds=first.seeds, mean=mean("mean"),
        seed_var=mean("seed_var"), prompt_var=mean("prompt_var"), persistent_var=mean("persistent_var"),
        transient_by_family=tuple(np.mean([d.transient_by_family for d in decompositions], axis=0).tolist()),
        prompts_by_family=first.prompts_by_family)


@dataclass(frozen=True)
class TrainingOrder:
    """What a second training order of the same selected pairs changes in ``a - b``, per data seed."""

    comparison: str
    data_seeds: int
    order_var: float
    """Mean over data seeds of (difference with order 1 - with order 0)^2 / 2: the variance one order adds."""
    order_transient_var: float
    """Its per-prompt part (prompt-level changes between the two orders, stratified, halved likewise)."""

    @property
    def order_common_var(self) -> float:
        """The part common to all prompts: what more prompts cannot remove (clipped at 0)."""
        return max(self.order_var - self.order_transient_var, 0.0)


def training_order(main: dict, replicate: dict, a: str, b: str) -> TrainingOrder:
    """``a - b`` of the data seeds ``replicate`` re-trained in another order, against the same seeds in ``main``."""
    seeds = sorted(s for (strategy, s) in replicate if strategy == a and (b, s) in replicate)
    if not seeds:
        raise ValueError(f"no data seed has both {a} and {b} re-trained")
    change = np.stack([(replicate[(a, s)] - replicate[(b, s)]) - (main[(a, s)] - main[(b, s)]) for s in seeds])
    families, prompts = change.shape[1], change.shape[2]
    per_seed = change.mean(axis=2).mean(axis=1)
    return TrainingOrder(comparison=f"{a} - {b}", data_seeds=len(seeds), order_var=float(np.mean(per_seed**2) / 2),
                         order_transient_var=float(change.var(axis=2, ddof=1).mean(axis=0).sum() / prompts
                                                   / families**2 / 2))


def order_shares(main_scores: dict, replicate_scores: dict, a: str, b: str) -> dict:
    """Issue 27's three parts of the seed variance of ``a - b`` (data seeds of ``main``): evaluation prompts,
    training order (its part common to all prompts), data and selection (the rest), as shares and sds."""
    seeds = decompose(main_scores, a, b)
    order = training_order(main_scores, replicate_scores, a, b)
    # estimates of the parts can exceed the (few-seed) total: each is clipped to what is left of it, in this order
    prompts = min(max(seeds.transient_var, 0.0), seeds.seed_var)
    training = min(order.order_common_var, seeds.seed_var - prompts)
    parts = {"evaluation_prompts": prompts, "training_order": training,
             "data_and_selection": seeds.seed_var - prompts - training}
    return {"comparison": order.comparison, "data_seeds": seeds.seeds, "order_replicates": order.data_seeds,
            "seed_sd": float(np.sqrt(seeds.seed_var)), "order_sd": float(np.sqrt(order.order_var)),
            **{f"{name}_share": value / seeds.seed_var if seeds.seed_var else None for name, value in parts.items()}}


def aw_units(cells: dict, metric: str) -> dict:
    """How many of ``metric``'s units one AW unit is worth: the geometric-mean regression slope of the within-seed
    paired differences (sign of r x their sd ratio), over every pair of strategies but `overall` and every seed.
    Symmetric in the two metrics, unlike a least-squares slope, which shrinks with r. 0.05 AW = 0.05 x ``per_aw``."""
    aw, other = ({key: s.mean(axis=1).mean() for key, s in per_prompt(cells, m).items()} for m in ("AW", metric))
    strategies = sorted({s for s, _ in cells} - {"overall"})
    seeds = sorted({s for _, s in cells})
    x, y = (np.array([values[(a, s)] - values[(b, s)] for a, b in itertools.combinations(strategies, 2) for s in seeds])
            for values in (aw, other))
    r = float(np.corrcoef(x, y)[0, 1])
    return {"per_aw": float(np.sign(r) * y.std() / x.std()), "r": r, "pairs": len(x)}


def ranking_signal(cells: dict, metric: str) -> dict:
    """Whether ``metric`` tells the strategies apart at all: a strategy x seed two-way analysis of the cells' values
    (`overall` left out): ``tau`` the sd of the strategies' true effects (between-strategy variance of the means
    minus their noise), ``sigma`` one cell's residual sd, and their ratio. A metric with tau / sigma near 0 ranks
    nothing, however small its noise."""
    values = {key: s.mean(axis=1).mean() for key, s in per_prompt(cells, metric).items()}
    strategies = sorted({s for s, _ in cells} - {"overall"})
    seeds = sorted({s for _, s in cells})
    table = np.array([[values[(strategy, seed)] for seed in seeds] for strategy in strategies])
    residual = table - table.mean(axis=1, keepdims=True) - table.mean(axis=0, keepdims=True) + table.mean()
    sigma2 = float((residual**2).sum() / ((len(strategies) - 1) * (len(seeds) - 1)))
    tau2 = max(float(table.mean(axis=1).var(ddof=1)) - sigma2 / len(seeds), 0.0)
    return {"tau": float(np.sqrt(tau2)), "sigma": float(np.sqrt(sigma2)), "ratio": float(np.sqrt(tau2 / sigma2))}


def family_caps(most: int = 1000) -> tuple[int, ...]:
    """The distinct held-out prompts each family can make (at most ``most``): where more prompts stop helping."""
    def makes(family: str, n: int) -> bool:
        try:
            generate_tasks(n, "heldout", random.Random(f"pdbench-world/heldout/{family}/{HELDOUT_SEED}"), family=family,
                           unique=True)
            return True
        except ValueError:
            return False

    caps = []
    for family in FAMILIES:
        low, high = 1, most
        while low < high:  # the largest n the family makes
            middle = (low + high + 1) // 2
            low, high = (middle, high) if makes(family, middle) else (low, middle - 1)
        caps.append(low)
    return tuple(caps)


DESIGNS = (("AW", 40), ("AW", 70), ("AW", 140), ("AW_sft", 20), ("AW_sft", 40), ("AW_sft", 70), ("AW_sft", 140),
           ("AW_sft", 210), ("gold", 70))
"""(metric, held-out prompts per family) of the designs the levers compare; families make at most their cap."""


def lever_rows(world: dict[str, Decomposition], caps: tuple[int, ...], units: dict[str, dict]) -> list[dict]:
    """``DESIGNS`` for one comparison of two selection strategies: per-seed sd in AW units (``units``), CPU minutes
    per seed (two DPO trainings and their answers; AW adds the seed's own `overall` baseline, trained and
    answering; AW_sft's and gold's shared SFT answers are made once), the seeds 0.05 AW needs and their CPU hours.
    Only the prompts' part of the variance scales with the prompts; the seed level is the metric's own."""
    rows = []
    for metric, per_family in DESIGNS:
        prompts = tuple(min(per_family, cap) for cap in caps)
        sd = world[metric].sd_at(prompts) / abs(units[metric]["per_aw"])
        baseline_s = FULL_TRAIN_S + GENERATE_S * sum(prompts) if metric == "AW" else 0.0
        seconds = 2 * (SELECT_TRAIN_S + GENERATE_S * sum(prompts)) + baseline_s
        needed = seeds_needed(TARGET, sd)
        rows.append({"metric": metric, "prompts_per_family": per_family, "prompts": sum(prompts), "sd_aw_units": sd,
                     "cpu_min_per_seed": seconds / 60, "seeds_for_0.05": needed,
                     "cpu_h_for_0.05": None if needed is None else needed * seconds / 3600})
    return rows


def analyse(name: str, cells: dict, caps: tuple[int, ...]) -> dict:
    """Per metric, the decomposition of the issue's comparisons and of every pair pooled; the levers."""
    strategies = sorted({s for s, _ in cells} - {"overall"})
    out = {"cells": len(cells), "seeds": sorted({s for _, s in cells}), "metrics": {}}
    pooled_by_metric = {}
    for metric in METRICS:
        scores = per_prompt(cells, metric)
        every = [decompose(scores, a, b) for a, b in itertools.combinations(strategies, 2)]
        pooled_by_metric[metric] = pooled(every)
        asked = [decompose(scores, a, b) for a, b in COMPARISONS if (a, 0) in scores and (b, 0) in scores]
        out["metrics"][metric] = [d.summary() for d in asked + [pooled_by_metric[metric]]]
    out["aw_units"] = {metric: aw_units(cells, metric) for metric in METRICS}
    out["ranking_signal"] = {metric: ranking_signal(cells, metric) for metric in METRICS}
    out["levers"] = lever_rows(pooled_by_metric, caps, out["aw_units"])
    return out


def print_world(name: str, analysis: dict) -> None:
    print(f"\n== {name}: {analysis['cells']} cells, seeds {analysis['seeds']}")
    print(f"{'metric':7} {'comparison':24} {'mean':>7} {'seed sd':>8} {'95% CI of sd':>15} {'prompts':>8} "
          f"{'transient':>9} {'persist.':>8} {'seed lvl':>8} {'eval share':>10} {'MDD@3':>6} {'n for .05':>9}")
    for metric, rows in analysis["metrics"].items():
        for row in rows:
            low, high = row["seed_sd_ci95"]
            unit_free = metric != "gold"
            print(f"{metric:7} {row['comparison']:24} {row['mean']:+7.3f} {row['seed_sd']:8.4f} "
                  f"[{low:.3f}, {high:.3f}] {row['prompt_sd']:8.4f} {row['transient_sd']:9.4f} {row['persistent_sd']:8.4f} "
                  f"{row['seed_level_sd']:8.4f} {row['prompt_share']:10.2f} "
                  f"{minimum_detectable_difference(row['seed_sd'], row['seeds']):6.3f} "
                  f"{(seeds_needed(TARGET, row['seed_sd']) if unit_free else '-')!s:>9}")
    for metric, unit in analysis["aw_units"].items():
        if metric != "AW":
            print(f"{metric}: 0.05 AW = {TARGET * unit['per_aw']:.3f} {metric} (r {unit['r']:.2f} over {unit['pairs']} "
                  "within-seed pairs)")
    print("strategy signal against cell noise (tau / sigma; 0 = the metric ranks nothing): " + ", ".join(
        f"{metric} {r['tau']:.3f} / {r['sigma']:.3f} = {r['ratio']:.2f}" for metric, r in analysis["ranking_signal"].items()))
    print("levers (pooled noise in AW units; one comparison of two selection strategies per seed, quiet 2-core CPU):")
    for row in analysis["levers"]:
        hours = "-" if row["cpu_h_for_0.05"] is None else f"{row['cpu_h_for_0.05']:.1f}"
        print(f"  {row['metric']:6} {row['prompts_per_family']:>3}/family ({row['prompts']:>4} prompts)  sd {row['sd_aw_units']:.4f}"
              f"  {row['cpu_min_per_seed']:5.1f} CPU-min/seed  {row['seeds_for_0.05']!s:>4} seeds for 0.05 AW  {hours:>5} CPU-h")


def split_training_order(main: dict, replicate: dict) -> dict:
    """Per metric, ``order_shares`` of every comparison whose two strategies the replicate re-trained."""
    strategies = sorted({s for s, _ in replicate} - {"overall"})
    pairs = [(a, b) for a, b in COMPARISONS if a in strategies and b in strategies]
    pairs += [(a, b) for a, b in itertools.combinations(strategies, 2) if (a, b) not in pairs and (b, a) not in pairs]
    return {metric: [order_shares(per_prompt(main, metric), per_prompt(replicate, metric, main), a, b) for a, b in pairs]
            for metric in METRICS}


def print_training_order(split: dict) -> None:
    print("\n== training order: the same data seeds' pairs re-trained in another order (shares of the seed variance)")
    for metric, rows in split.items():
        for row in rows:
            print(f"{metric:7} {row['comparison']:12} {row['data_seeds']} data seeds, {row['order_replicates']} re-trained: "
                  f"seed sd {row['seed_sd']:.4f}, one order's sd {row['order_sd']:.4f}; evaluation prompts "
                  f"{row['evaluation_prompts_share']:.2f}, training order {row['training_order_share']:.2f}, "
                  f"data and selection {row['data_and_selection_share']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", action="append", default=[], metavar="NAME=DIR[,DIR]",
                        help="cells of one world (default: the four committed ones)")
    parser.add_argument("--training-order", metavar="MAIN_DIR=REPLICATE_DIR",
                        help="cells of seeds in MAIN_DIR and the same data seeds re-trained in another order "
                             "(train.seed) in REPLICATE_DIR: split the seed level into training order and data")
    parser.add_argument("--json")
    args = parser.parse_args()
    worlds = ({name: folders.split(",") for name, folders in (w.split("=", 1) for w in args.world)} if args.world
              else {name: [str(ROOT / f) for f in folders] for name, folders in WORLDS.items()})
    caps = family_caps()
    print("columns: per-seed difference a - b; seed sd = its sd over seeds (what the paired t-test sees) with a 95% CI;")
    print("prompts = sd over fresh draws of the held-out prompts for the same policies (= transient + persistent);")
    print("transient = the prompts' part of the seed sd; seed lvl = training order + data + selection; eval share =")
    print("transient variance / seed variance; MDD@3 = what the seeds detect; n for .05 = the seeds 0.05 needs.")
    print(f"distinct held-out prompts each family can make ({', '.join(FAMILIES)}): {caps}")
    summary = {"family_caps": dict(zip(FAMILIES, caps)), "worlds": {}}
    for name, folders in worlds.items():
        summary["worlds"][name] = analyse(name, load_world([Path(f) for f in folders]), caps)
        print_world(name, summary["worlds"][name])
    if args.training_order:
        main_dir, replicate_dir = args.training_order.split("=", 1)
        summary["training_order"] = split_training_order(load_world([Path(main_dir)]), load_world([Path(replicate_dir)]))
        print_training_order(summary["training_order"])
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    json.dump(summary, sys.stdout)
    print()


if __name__ == "__main__":
    main()
