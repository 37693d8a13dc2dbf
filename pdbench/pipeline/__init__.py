"""Pipeline: the run configuration and presets, the cached stages, the runner, select, sweep and report.

Layer order, top to bottom: cli -> pipeline -> {selection, training, eval, tracking, leaderboard}
-> {pd, data, world} -> infra (checked by the import contracts in pyproject.toml).
"""
