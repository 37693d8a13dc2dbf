"""A content-addressed, on-disk cache of judge replies (SQLite, one row per judged order).

Every reply is committed as soon as it arrives, so an interrupted evaluation keeps every
verdict it paid for, and an identical re-run asks the judge nothing. Only parsed replies are
final: an unparseable one is never stored (``pdbench.eval.pairwise`` does not put it) and one stored by
an older version reads as missing, so a fixed judge is asked again. It lives in pdbench's cache
folder (or a path you choose), never inside the installed package.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from pdbench.eval.verdicts import JudgeReply
from pdbench.infra.cache import cache_root, content_key


class JudgeCache:
    """Judge replies keyed by (judge identity, instruction, answer 1, answer 2)."""

    def __init__(self, path: str | Path | None = None, refresh: bool = False):
        self.refresh = refresh
        """Ignore stored replies (ask again, overwrite); for ``--force judge``."""
        self.path = Path(path) if path else cache_root() / "judge_cache.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Parallel sweep workers share the file: wait for a writer instead of failing at once.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=120)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, score_1 REAL, score_2 REAL, raw TEXT)"
        )
        self._db.commit()

    @staticmethod
    def key(judge_id: str, instruction: str, response_1: str, response_2: str) -> str:
        """The cache key of one judged order."""
        return content_key(judge_id, instruction, response_1, response_2)

    def get(self, key: str) -> JudgeReply | None:
        """The stored parsed reply, or None (nothing stored, or only an unparseable reply)."""
        if self.refresh:
            return None
        with self._lock:
            row = self._db.execute("SELECT score_1, score_2, raw FROM replies WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] is None:
            return None
        return JudgeReply((row[0], row[1]), row[2])

    def put(self, key: str, reply: JudgeReply) -> None:
        """Store a parsed reply and commit at once."""
        if reply.scores is None:
            raise ValueError("an unparseable judge reply is not a final answer; it is not cached")
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?)", (key, *reply.scores, reply.raw))
            self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()
