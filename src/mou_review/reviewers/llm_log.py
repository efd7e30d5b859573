"""The LLM audit log, which is also the answer cache: one local SQLite table, one row per call.

A review that may be cited in a negotiation must be traceable to what was asked and answered, so
every call is written down: the messages, the raw answer, the parsed verdicts (or why they did not
parse), model, prompt version, doc_id, tokens and seconds. A later identical request (same prompt
version, model, temperature, method and messages) is answered from the newest successful row
instead of the network; the replay is logged too, with `cached=1`. This replaces LangChain
community's SQLiteCache (keyed by LangChain's `llm_string`, which changes with unrelated client
options) with a table the `mou-review logs` command can read.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    key TEXT NOT NULL,
    doc_id TEXT,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    base_url TEXT,
    method TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    cached INTEGER NOT NULL DEFAULT 0,
    messages TEXT NOT NULL,
    raw TEXT,
    parsed TEXT,
    error TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS calls_key ON calls (key);
CREATE INDEX IF NOT EXISTS calls_doc ON calls (doc_id);
"""


@dataclass
class CallRecord:
    """One LLM call as the log keeps it (`raw` is {"content", "tool_calls"} of the answer)."""

    key: str
    prompt_version: str
    model: str
    method: str
    messages: list[dict[str, str]]
    raw: dict[str, Any] | None = None
    parsed: Any = None
    error: str | None = None
    doc_id: str | None = None
    base_url: str | None = None
    attempt: int = 0
    cached: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    id: int | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def request_key(prompt_version: str, model: str, temperature: float, method: str, messages: list[Any]) -> str:
    """What makes two requests the same question (the server's address does not)."""
    blob = json.dumps([prompt_version, model, temperature, method, messages], sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CallLog:
    """The SQLite file at `path`; a connection per operation, so threads can share one CallLog."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def lookup(self, key: str) -> dict[str, Any] | None:
        """The raw answer of the newest network call with this key that got an answer."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT raw FROM calls WHERE key = ? AND cached = 0 AND raw IS NOT NULL ORDER BY id DESC LIMIT 1",
                (key,),
            ).fetchone()
        return json.loads(row["raw"]) if row else None

    def record(self, call: CallRecord) -> int:
        row = asdict(call)
        row.pop("id")
        for name in ("messages", "raw", "parsed"):
            row[name] = None if row[name] is None else json.dumps(row[name], ensure_ascii=False)
        row["cached"] = int(call.cached)
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with closing(self._connect()) as db, db:
            cursor = db.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", row)
        return int(cursor.lastrowid or 0)

    def calls(self, doc_id: str | None = None, limit: int = 50) -> list[CallRecord]:
        """Newest first, optionally only one document's."""
        where, args = ("WHERE doc_id = ?", [doc_id]) if doc_id else ("", [])
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT * FROM calls {where} ORDER BY id DESC LIMIT ?", [*args, limit]
            ).fetchall()
        return [_record(r) for r in rows]

    def get(self, call_id: int) -> CallRecord | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
        return _record(row) if row else None


def _record(row: sqlite3.Row) -> CallRecord:
    data = dict(row)
    for name in ("messages", "raw", "parsed"):
        data[name] = None if data[name] is None else json.loads(data[name])
    data["cached"] = bool(data["cached"])
    return CallRecord(**data)
