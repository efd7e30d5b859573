"""Every command's `--format json` output, as text: what other tools read, so its shape is the
contract (indented for people; the LLM log's listing is compact, and the CLI pretty-prints it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .logs import call_summary

if TYPE_CHECKING:  # the store (and Chroma) is imported only by the commands that open it
    from ..reviewers.llm_log import CallRecord
    from ..similar import DistrictHits
    from ..store_records import StoredDocument


def model(value: BaseModel) -> str:
    """A review, the checklist or a diff, exactly as pydantic writes the model."""
    return value.model_dump_json(indent=2)


def reports(reports: Sequence[BaseModel]) -> str:
    """Evaluation reports: one object for one backend, a list when `--compare` ran several."""
    payload = [r.model_dump() for r in reports]
    return json.dumps(payload[0] if len(payload) == 1 else payload, indent=2)


def search(rows: list[dict[str, Any]]) -> str:
    """The ranked clauses of `search` (the rows its table shows)."""
    return json.dumps(rows, indent=2)


def similar(groups: list[DistrictHits]) -> str:
    """The closest clauses of `similar`, grouped by district."""
    return json.dumps([g.model_dump() for g in groups], indent=2)


def documents(docs: list[StoredDocument]) -> str:
    """What the store holds: each document's info and its clause count."""
    return json.dumps([{**d.info.model_dump(), "clauses": d.clauses} for d in docs], indent=2)


def calls(records: list[CallRecord]) -> str:
    """The LLM log's listing, one summary per call."""
    return json.dumps([call_summary(r) for r in records])


def call(record: CallRecord) -> str:
    """One logged call in full: its summary, the messages, the raw and the parsed answer."""
    return json.dumps(
        {**call_summary(record), "messages": record.messages, "raw": record.raw, "parsed": record.parsed}
    )


def raw_answer(record: CallRecord) -> str:
    """The model's answer as it came: its text, else its tool calls as JSON."""
    return (record.raw or {}).get("content") or json.dumps((record.raw or {}).get("tool_calls"))


def parsed_answer(record: CallRecord) -> str:
    """The error, else the parsed answer as indented JSON."""
    return record.error or json.dumps(record.parsed, indent=2)
