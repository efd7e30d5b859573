"""`diff OLD NEW`: what changed between two versions of an MOU, requirement by requirement."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..checklist import resolve_checklist
from ..diff import diff_reviews, render_markdown
from ..review import review_document
from ..reviewers import make_reviewer
from .common import (
    BackendOpt,
    ChecklistOpt,
    OutputOpt,
    StoreOpt,
    guarded,
    make_settings,
    resolve_backend,
    write_output,
)
from .review_cmds import ingested


class DiffFormat(StrEnum):
    md = "md"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_cmd)


@guarded
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="the earlier MOU (or a state model MOU)")],
    new: Annotated[Path, typer.Argument(help="the later MOU: an amendment, a renewal, a district's MOU")],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="output format")] = DiffFormat.md,
    output: OutputOpt = None,
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    store: StoreOpt = None,
) -> None:
    """Requirement status changes and clauses added, removed or changed (paired by similarity)."""
    settings = make_settings(store_dir=store, workers=1, checklist=checklist)
    old_doc, old_clauses, old_vectors = ingested(old, settings)
    new_doc, new_clauses, new_vectors = ingested(new, settings)
    cl = resolve_checklist(settings.checklist, new_doc.info.state)
    reviewer = make_reviewer(resolve_backend(backend, settings), settings, cl)
    top_k = settings.retrieval.top_k
    before = review_document(old_doc, old_clauses, old_vectors, cl, reviewer, top_k=top_k)
    after = review_document(new_doc, new_clauses, new_vectors, cl, reviewer, top_k=top_k)
    result = diff_reviews(before, after, old_clauses, new_clauses)
    if fmt == DiffFormat.json:
        write_output(result.model_dump_json(indent=2), output)
    else:
        write_output(render_markdown(result), output)
