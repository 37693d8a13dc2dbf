"""Judges: a judge is a config plus a prompt file; the swap protocol lives in ``eval.pairwise``."""
