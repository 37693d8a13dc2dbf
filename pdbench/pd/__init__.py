"""Preference-divergence (PD) estimation: the paper's §4 and Algorithm 1."""
