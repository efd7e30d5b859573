"""`redline`: suggested clause language for every deficiency, as Word tracked changes or Markdown."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from ..metadata import read_manifest
from ..redline import RedlinePlan, make_adapter, plan_redline
from ..redline.docx_out import redlined_docx
from ..redline.verify import VerifyReport, verify_redline
from ..render.redline import markdown as redline_markdown
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
    resolve_backend,
    store_settings,
    write_output,
)
from .review_cmds import reviewed

DEFAULT_DIR = Path("redlines")


class RedlineFormat(StrEnum):
    docx = "docx"
    md = "md"


SUFFIX = {RedlineFormat.docx: ".docx", RedlineFormat.md: ".md"}


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
            help="where to write (docx: default ./redlines/FILE.redline.docx; md: stdout)",
        ),
    ] = None,
    fmt: Annotated[
        RedlineFormat, typer.Option("--format", "-f", help="docx (tracked changes) or md")
    ] = RedlineFormat.docx,
    author: Annotated[str, typer.Option("--author", help="author of the tracked changes")] = "mou-review",
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="accept every change in memory, review again, say what is still lacking"
        ),
    ] = False,
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """Review one MOU, then suggest model language for each weak or missing requirement.

    Comments (the reason for each change) show in Word and LibreOffice in the margin or the
    review pane; a renderer without a comment margin shows only the tracked changes.
    """
    target = _target(file, output, fmt)
    settings = store_settings(store, chroma_host, chroma_port, workers=1, checklist=checklist)
    resolved = resolve_backend(backend, settings)
    prepared, review, cl = reviewed(file, settings, resolved)
    adapter = make_adapter(resolved, settings, cl)
    document = prepared.document
    assert document is not None and prepared.vectors is not None  # reviewed() raised otherwise
    manifest_row = read_manifest(file.parent).get(file.name)
    plan = plan_redline(
        document,
        prepared.clauses,
        prepared.vectors,
        review,
        cl,
        adapter,
        manifest_row=manifest_row,
        embedding=settings.retrieval.embedding,
    )
    parties = f"{plan.parties.agency} and {plan.parties.district}"
    redlined, unplaced = redlined_docx(plan.edits, document, file, author=author)
    if fmt == RedlineFormat.md or target is None:
        write_output(redline_markdown(plan.edits, document, parties=parties, backend=plan.backend), target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        redlined.save(str(target))
        for edit in unplaced:
            console.print(f"[yellow]could not place the {edit.requirement_id} edit in the DOCX text[/yellow]")
        console.print(_summary(target, plan, len(unplaced), parties, review.risk_score), highlight=False)
    if verify:
        edited = {e.requirement_id for e in plan.edits} & set(cl.ids)
        report = verify_redline(
            redlined,
            file.name,
            review,
            cl,
            make_reviewer("offline"),
            edited=edited,
            embedding=settings.retrieval.embedding,
        )
        _print_verify(report)


def _target(file: Path, output: Path | None, fmt: RedlineFormat) -> Path | None:
    """Where the redline goes: `-o` if given (its extension must fit the format), else
    ./redlines/ for a DOCX (never beside the input, where the next triage would take it for an MOU)."""
    if output is not None:
        if output.suffix.lower() != SUFFIX[fmt]:
            raise ConfigError(
                f"{output}: a {fmt.value} redline needs a {SUFFIX[fmt]} file name (got '{output.suffix or 'none'}')"
            )
        if output.resolve() == file.resolve():
            raise ConfigError(f"{output}: refusing to overwrite the input")
        return output
    return DEFAULT_DIR / f"{file.stem}.redline.docx" if fmt == RedlineFormat.docx else None


def _summary(target: Path, plan: RedlinePlan, unplaced: int, parties: str, risk: float) -> str:
    kinds = {k: sum(e.kind == k for e in plan.edits) for k in ("replace", "insert", "strike", "flag")}
    return (
        f"wrote {target}: {len(plan.edits) - unplaced} tracked edit(s) for {parties} "
        f"({kinds['replace']} replaced, {kinds['insert']} inserted, {kinds['strike']} contrary struck, "
        f"{kinds['flag']} flagged; risk {risk}/100). Each edit carries a comment giving its reason "
        f"(shown in the margin or review pane of Word or LibreOffice)."
    )


def _print_verify(report: VerifyReport) -> None:
    deficient = len(report.deficient_before)
    console.print(
        f"verify: with every change accepted, {len(report.fixed)} of {deficient} deficient "
        f"requirement(s) become present; risk {report.after.risk_score}/100",
        highlight=False,
    )
    for change in report.still_lacking:
        console.print(f"  still {change.after.value}: {change.requirement_id}", highlight=False)
    for change in report.regressed:
        console.print(
            f"  [red]regressed[/red]: {change.requirement_id} ({change.before.value} -> {change.after.value})",
            highlight=False,
        )
    for fragment in report.fragments:
        console.print(f"  [red]fragment[/red]: ...{fragment}...", highlight=False)
    for rid, sentences in report.contrary_left.items():
        for sentence in sentences:
            console.print(f"  [red]contrary language left[/red] ({rid}): {sentence}", highlight=False)
