"""The LLM audit log as a table of calls and as data, one summary per call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from ..reviewers.llm_log import CallRecord


def calls_table(records: list[CallRecord]) -> Table:
    """Newest first: id, when, document, prompt, model, cache, tokens, seconds and the verdicts."""
    table = Table("id", "created", "doc_id", "prompt", "model", "cached", "tokens in/out", "s", "result")
    for r in records:
        table.add_row(
            str(r.id),
            r.created,
            r.doc_id or "",
            r.prompt_version,
            r.model,
            "yes" if r.cached else "",
            f"{r.input_tokens}/{r.output_tokens}",
            f"{r.seconds:.1f}",
            escape(str(call_summary(r)["result"])),
        )
    return table


def call_summary(r: CallRecord) -> dict[str, object]:
    """One logged call as data (the JSON listing, and the table's row)."""
    result = f"error: {r.error}" if r.error else _verdicts(r.parsed)
    return {
        "id": r.id,
        "created": r.created,
        "doc_id": r.doc_id,
        "prompt_version": r.prompt_version,
        "model": r.model,
        "attempt": r.attempt,
        "cached": r.cached,
        "input_tokens": r.input_tokens,
        "output_tokens": r.output_tokens,
        "seconds": round(r.seconds, 2),
        "result": result,
    }


def _verdicts(parsed: object) -> str:
    if isinstance(parsed, dict) and isinstance(parsed.get("verdicts"), list):
        return ", ".join(f"{v.get('requirement_id')}={v.get('status')}" for v in parsed["verdicts"])
    return "answered"
