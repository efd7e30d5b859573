"""`logs`: the LLM audit log, so every review can be traced to what was asked and answered."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from ..render import as_json
from ..render.logs import calls_table
from ..reviewers.llm_log import CallLog, CallRecord
from .common import FormatOpt, TableFormat, guarded, make_settings, stdout

LogOpt = Annotated[
    Path | None, typer.Option("--log", help="the SQLite log [env MOU_REVIEW_LLM_CACHE]", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("logs")(logs_cmd)


def _open(path: Path | None) -> CallLog:
    path = path or make_settings().llm.cache
    if path is None or not path.is_file():
        raise ConfigError(f"{path or 'the LLM log'}: no LLM log here yet", hint="the llm backend writes it")
    return CallLog(path)


@guarded
def logs_cmd(
    call_id: Annotated[int | None, typer.Argument(help="show this call in full")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="only calls about this doc_id")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="calls listed")] = 20,
    fmt: FormatOpt = TableFormat.table,
    log: LogOpt = None,
) -> None:
    """List the logged LLM calls (newest first), or show one: messages, raw answer, verdicts."""
    calls = _open(log)
    if call_id is not None:
        record = calls.get(call_id)
        if record is None:
            raise ConfigError(f"no call {call_id} in {calls.path}")
        _show(record, fmt)
        return
    records = calls.calls(doc_id=doc, limit=limit)
    if fmt == TableFormat.json:
        stdout.print_json(as_json.calls(records))
        return
    stdout.print(calls_table(records))


def _show(r: CallRecord, fmt: TableFormat) -> None:
    if fmt == TableFormat.json:
        stdout.print_json(as_json.call(r))
        return
    stdout.print(
        f"[bold]call {r.id}[/bold] {r.created} doc {r.doc_id} {r.prompt_version} {r.model} "
        f"({r.method}, attempt {r.attempt}{', cached' if r.cached else ''})",
        highlight=False,
    )
    for message in r.messages:
        stdout.rule(message["role"])
        stdout.print(message["content"], markup=False, highlight=False)
    stdout.rule("raw answer")
    stdout.print(as_json.raw_answer(r), markup=False)
    stdout.rule("parsed" if r.error is None else "error")
    stdout.print(as_json.parsed_answer(r), markup=False, highlight=False)
