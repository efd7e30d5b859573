"""`diff OLD NEW`: what changed between two versions of an MOU, requirement by requirement."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..checklist import resolve_checklist
from ..diff import diff_reviews
from ..pipeline import prepare_file, review_prepared
from ..render import as_json
from ..render.diff import markdown as diff_markdown
from ..reviewers import make_reviewer
from .common import (
    BackendOpt,
    ChecklistOpt,
    OutputOpt,
    PlainHelp,
    StoreOpt,
    guarded,
    make_settings,
    resolve_backend,
    write_output,
)
from .review_cmds import check_one_file


class DiffFormat(StrEnum):
    md = "md"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("diff", cls=PlainHelp)(diff_cmd)


@guarded
def diff_cmd(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="the earlier MOU (or a state model MOU)")],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="the later MOU: an amendment, a renewal, a district's MOU")
    ],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="output format")] = DiffFormat.md,
    output: OutputOpt = None,
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    store: StoreOpt = None,
) -> None:
    """Requirement status changes and clauses added, removed or changed (paired by similarity)."""
    settings = make_settings(store_dir=store, workers=1, checklist=checklist)
    for path in (old, new):
        check_one_file(path)
    older, newer = prepare_file(old, settings), prepare_file(new, settings)
    assert newer.document is not None  # prepare_file raised otherwise
    cl = resolve_checklist(settings.checklist, newer.document.info.state)
    reviewer = make_reviewer(resolve_backend(backend, settings), settings, cl)
    top_k, embedding = settings.retrieval.top_k, settings.retrieval.embedding
    before = review_prepared(older, cl, reviewer, top_k=top_k, embedding=embedding)
    after = review_prepared(newer, cl, reviewer, top_k=top_k, embedding=embedding)
    result = diff_reviews(before, after, older.clauses, newer.clauses)
    if fmt == DiffFormat.json:
        write_output(as_json.model(result), output)
    else:
        write_output(diff_markdown(result), output)
