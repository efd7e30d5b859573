"""`redline`: suggested clause language for every deficiency, as Word tracked changes or Markdown."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..checklist import load_checklist
from ..errors import ConfigError
from ..metadata import read_manifest
from ..redline import make_adapter, plan_redline
from ..redline.docx_out import write_docx
from ..redline.md_out import render_markdown
from ..review import review_document
from ..reviewers import make_reviewer
from .common import (
    BackendOpt,
    ChecklistOpt,
    HostOpt,
    PlainHelp,
    PortOpt,
    StoreOpt,
    console,
    guarded,
    make_settings,
    resolve_backend,
    write_output,
)
from .review_cmds import ingested


class RedlineFormat(StrEnum):
    docx = "docx"
    md = "md"


def register(app: typer.Typer) -> None:
    app.command("redline", cls=PlainHelp)(redline_cmd)


@guarded
def redline_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="an MOU file (PDF, DOCX, TXT, MD)")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="where to write (docx: default FILE.redline.docx; md: stdout)",
        ),
    ] = None,
    fmt: Annotated[
        RedlineFormat, typer.Option("--format", "-f", help="docx (tracked changes) or md")
    ] = RedlineFormat.docx,
    author: Annotated[str, typer.Option("--author", help="author of the tracked changes")] = "mou-review",
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """Review one MOU, then suggest model language for each weak or missing requirement."""
    settings = make_settings(
        store_dir=store, chroma_host=chroma_host, chroma_port=chroma_port, workers=1, checklist=checklist
    )
    cl = load_checklist(settings.checklist)
    resolved = resolve_backend(backend, settings)
    adapter = make_adapter(resolved, settings, cl)
    reviewer = make_reviewer(resolved, settings, cl)
    document, clauses, vectors = ingested(file, settings)
    review = review_document(document, clauses, vectors, cl, reviewer, top_k=settings.retrieval.top_k)
    plan = plan_redline(
        document,
        clauses,
        vectors,
        review,
        cl,
        adapter,
        manifest_row=read_manifest(file.parent).get(file.name),
        embedding=settings.retrieval.embedding,
    )
    parties = f"{plan.parties.agency} and {plan.parties.district}"
    if fmt == RedlineFormat.md:
        write_output(render_markdown(plan.edits, document, parties=parties, backend=plan.backend), output)
        return
    target = output or file.with_name(f"{file.stem}.redline.docx")
    if target.resolve() == file.resolve():
        raise ConfigError(f"{target}: refusing to overwrite the input", hint="give another --output")
    unplaced = write_docx(plan.edits, document, file, target, author=author)
    for edit in unplaced:
        console.print(f"[yellow]could not place the {edit.requirement_id} edit in the DOCX text[/yellow]")
    console.print(
        f"wrote {target}: {len(plan.edits) - len(unplaced)} tracked edit(s) for {parties} "
        f"(risk {review.risk_score}/100)",
        highlight=False,
    )
