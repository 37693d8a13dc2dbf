"""What every benchmark does at the end: print its numbers and optionally write them as JSON."""

import json


def report(summary: dict, json_path: str | None) -> None:
    """Print ``summary`` one line per figure, write it to ``json_path`` if given, and end with one JSON line."""
    for key, value in summary.items():
        print(f"{key:<30} {value}")
    if json_path:
        with open(json_path, "w") as handle:
            json.dump(summary, handle, indent=2)
    print(json.dumps(summary))
