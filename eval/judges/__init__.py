"""Judges: a judge is a config plus a prompt file; the swap protocol lives in ``pdbench.eval.pairwise``."""
