"""Evaluation: test sets, generation, pairwise judges, win scores and AlpacaEval 2."""
