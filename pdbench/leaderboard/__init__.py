"""The leaderboard: Table 1 from tracked runs (table) and what each policy learned (behaviour)."""
