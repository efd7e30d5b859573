"""`triage`, `compare`, `similar`: many MOUs at once, worst first, side by side, clause by clause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..checklist import load_checklist
from ..compare import build_matrix, prevalence
from ..config import Settings
from ..errors import MouReviewError
from ..render import as_json
from ..render.html import compare_page, heatmap_svg
from ..render.tables import long_csv, prevalence_table, similar_table, wide_csv, worst_table
from ..reviewers import LOCAL_BACKENDS, make_reviewer
from ..similar import similar
from ..store import open_store
from ..triage import (
    Outcome,
    TriageOptions,
    TriageResult,
    run_triage,
    write_atomic,
    write_summary,
)
from .common import (
    Backend,
    BackendOpt,
    ChecklistOpt,
    FormatOpt,
    HostOpt,
    OutputOpt,
    PlainHelp,
    PortOpt,
    RevisionsOpt,
    StoreOpt,
    TableFormat,
    WorkersOpt,
    console,
    guarded,
    make_settings,
    print_read_report,
    progress_bar,
    resolve_backend,
    stdout,
    store_settings,
    with_revisions,
    write_output,
    write_table,
)
from .store_cmds import require_documents

PathsArg = Annotated[
    list[Path], typer.Argument(metavar="PATH", help="MOU files or folders (searched recursively)")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="redo every review, even finished ones")]
NoIndexOpt = Annotated[bool, typer.Option("--no-index", help="do not add the documents to the Chroma store")]


class GroupBy(StrEnum):
    state = "state"
    year = "year"


def register(app: typer.Typer) -> None:
    app.command("triage", cls=PlainHelp)(triage_cmd)
    app.command("compare", cls=PlainHelp)(compare_cmd)
    app.command("similar", cls=PlainHelp)(similar_cmd)


def run_batch(
    paths: list[Path],
    out: Path,
    settings: Settings,
    *,
    force: bool,
    index: bool,
    title: str,
    reuse: tuple[Path, ...] = (),
    as_of: datetime | None = None,
) -> TriageResult:
    """Triage with a progress bar; writes reviews as they finish, then the summary files."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise MouReviewError(f"{missing[0]}: no such file or folder")
    options = TriageOptions(
        checklist=settings.checklist,
        backend=settings.resolved_backend(),
        top_k=settings.retrieval.top_k,
        embedding=settings.retrieval.embedding,
        workers=settings.limits.workers,
        force=force,
        as_of=as_of.date() if as_of else None,
        load=settings.load,
    )
    store = open_store(settings) if index else None
    reviewer = None
    if options.backend not in LOCAL_BACKENDS:  # llm: built with the settings, runs in this process
        reviewer = make_reviewer(options.backend, settings, load_checklist(settings.checklist))
    with progress_bar() as bar:
        task = bar.add_task("reviewing", total=None, failed=0)
        failed = 0

        def on_done(outcome: Outcome) -> None:
            nonlocal failed
            failed += bool(outcome.error)
            bar.update(task, advance=1, failed=failed)

        result = run_triage(
            paths,
            out,
            options,
            store=store,
            reviewer=reviewer,
            reuse=reuse,
            on_start=lambda n: bar.update(task, total=n),
            on_done=on_done,
        )
    write_summary(out, result, title=title)
    print_read_report(result.discovery.summary(), result.duplicates, result.warnings)
    console.print(
        f"{len(result.rows)} MOU(s) in {out}: reviewed {len(result.reviewed)}, "
        f"kept {len(result.reused)} finished, failed {len(result.failed)}"
        + (f", {len(result.duplicates)} duplicate file(s) skipped" if result.duplicates else ""),
        highlight=False,
    )
    for failure in result.failed:
        console.print(f"[red]✗[/red] {failure.path}: {failure.reason}", highlight=False)
    return result


def _settings(
    backend: Backend | None,
    checklist: str | None,
    workers: int | None,
    store: Path | None,
    chroma_host: str | None,
    chroma_port: int | None,
    revisions: str | None = None,
) -> Settings:
    settings = make_settings(
        checklist=checklist,
        workers=workers,
        store_dir=store,
        chroma_host=chroma_host,
        chroma_port=chroma_port,
    )
    return with_revisions(settings.with_(backend=resolve_backend(backend, settings)), revisions)


@guarded
def triage_cmd(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="output folder")] = Path("triage"),
    force: ForceOpt = False,
    no_index: NoIndexOpt = False,
    backend: BackendOpt = None,
    checklist: ChecklistOpt = None,
    workers: WorkersOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="date the overdue flag is judged on [default: today]"
        ),
    ] = None,
    revisions: RevisionsOpt = None,
) -> None:
    """Review every MOU, worst first: triage.csv/json and an HTML report; resumable (--force redoes)."""
    settings = _settings(backend, checklist, workers, store, chroma_host, chroma_port, revisions)
    result = run_batch(paths, out, settings, force=force, index=not no_index, title="MOU triage", as_of=as_of)
    _finish(worst_table(result.rows), out / "index.html", result)


@guarded
def compare_cmd(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="output folder")] = Path("compare"),
    group_by: Annotated[
        GroupBy, typer.Option("--group-by", help="group MOUs by state or year")
    ] = GroupBy.state,
    reuse: Annotated[
        Path,
        typer.Option("--reuse", metavar="DIR", help="reuse the finished reviews of this triage folder"),
    ] = Path("triage"),
    force: ForceOpt = False,
    no_index: NoIndexOpt = False,
    backend: BackendOpt = None,
    checklist: ChecklistOpt = None,
    workers: WorkersOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    revisions: RevisionsOpt = None,
) -> None:
    """Matrix of MOUs x requirements (CSV wide and long, SVG heatmap, HTML) with prevalence."""
    settings = _settings(backend, checklist, workers, store, chroma_host, chroma_port, revisions)
    result = run_batch(
        paths, out, settings, force=force, index=not no_index, title="MOU comparison", reuse=(reuse,)
    )
    matrix = build_matrix(result.reviews, load_checklist(settings.checklist), group_by.value)
    svg = heatmap_svg(matrix, group_by.value)
    files = {
        "compare.csv": wide_csv(matrix),
        "compare_long.csv": long_csv(matrix),
        "heatmap.svg": svg,
        "compare.html": compare_page(matrix, group_by.value, svg),
    }
    for name, text in files.items():
        write_atomic(out / name, text)
    _finish(prevalence_table(prevalence(matrix), len(matrix.rows)), out / "compare.html", result)


def _finish(table: Table, page: Path, result: TriageResult) -> None:
    """A batch's summary table, the page to open, and exit 2 when any file failed."""
    stdout.print(table)
    console.print(f"open {page}", highlight=False)
    if result.failed:
        raise typer.Exit(2)


@guarded
def similar_cmd(
    query: Annotated[str, typer.Argument(metavar="TEXT", help="a clause or phrase")],
    k: Annotated[int, typer.Option("-k", min=1, help="how many clauses in all")] = 10,
    fmt: FormatOpt = TableFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """The clauses closest to a phrase across every stored MOU, grouped by district."""
    settings = store_settings(store, chroma_host, chroma_port)
    clause_store = open_store(settings, create=False)
    require_documents(clause_store)
    groups = similar(clause_store, query, k, settings.retrieval.embedding)
    if fmt == TableFormat.json:
        write_output(as_json.similar(groups), output)
        return
    write_table(similar_table(groups), output)
