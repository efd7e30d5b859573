"""`checklist`, `review` and `eval`: judging MOUs against the checklist and scoring the judge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..checklist import Checklist, load_checklist, resolve_checklist
from ..config import Settings
from ..errors import ConfigError, DocumentError
from ..models import SEVERITY_RANK, DocumentReview, Severity
from ..pipeline import prepare_file, review_prepared
from ..render import as_json
from ..render import review as render_review
from ..reviewers import BatchReviewer, make_reviewer
from .common import (
    Backend,
    BackendOpt,
    ChecklistOpt,
    FailOn,
    FormatOpt,
    HostOpt,
    OutputOpt,
    PlainHelp,
    PortOpt,
    ReportFormat,
    RevisionsOpt,
    StoreOpt,
    TableFormat,
    console,
    guarded,
    make_settings,
    print_read_report,
    progress_bar,
    resolve_backend,
    store_settings,
    with_revisions,
    write_output,
    write_table,
)

if TYPE_CHECKING:  # the eval modules are imported by `eval` only: `review` starts faster without them
    from rich.progress import TaskID

    from ..clause_eval import ClauseEvalReport
    from ..evaluate import EvalReport
    from ..ingest import Prepared

ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="output format")]


def register(app: typer.Typer) -> None:
    app.command("checklist", cls=PlainHelp)(checklist_cmd)
    app.command("review", cls=PlainHelp)(review_cmd)
    app.command("eval", cls=PlainHelp)(eval_cmd)


@guarded
def checklist_cmd(
    checklist: ChecklistOpt = None, fmt: FormatOpt = TableFormat.table, output: OutputOpt = None
) -> None:
    """The requirements: id, severity, and what "present" means."""
    cl = load_checklist(make_settings(checklist=checklist).checklist)
    if fmt == TableFormat.json:
        write_output(as_json.model(cl), output)
        return
    write_table(render_review.checklist_table(cl), output)


@guarded
def review_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="an MOU file (PDF, DOCX, TXT, MD)")],
    fmt: ReportFormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    fail_on: Annotated[
        FailOn | None, typer.Option("--fail-on", help="exit 1 when a deficiency of this severity or worse")
    ] = None,
    index: Annotated[
        bool, typer.Option("--index", help="also add the file to the store, for search and similar")
    ] = False,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    revisions: RevisionsOpt = None,
) -> None:
    """Review one MOU: a finding per requirement with located quotes (in memory; no store needed)."""
    settings = store_settings(store, chroma_host, chroma_port, workers=1, checklist=checklist)
    settings = with_revisions(settings, revisions)
    prepared, result, _ = reviewed(file, settings, resolve_backend(backend, settings))
    assert prepared.document is not None  # reviewed() raised otherwise
    print_read_report(None, [], [f"{file}: {w}" for w in prepared.document.warnings])
    if index:
        add_to_store([prepared], settings)
    if fmt == ReportFormat.json:
        write_output(as_json.model(result), output)
    elif fmt == ReportFormat.md:
        write_output(render_review.markdown(result), output)
    else:
        write_table(render_review.table(result), output)
    if fail_on:
        threshold = SEVERITY_RANK[Severity(fail_on.value)]
        if any(f.deficient and SEVERITY_RANK[f.severity] >= threshold for f in result.findings):
            raise typer.Exit(1)


def check_one_file(file: Path) -> None:
    """A folder or a missing path is a usage error, said before any work starts."""
    try:
        is_dir = file.is_dir()
    except OSError as exc:  # e.g. inside a folder we may not enter
        raise DocumentError(file, f"cannot read file ({exc.strerror})") from None
    if is_dir:
        raise DocumentError(
            file, "is a folder; this command takes one file (`mou-review triage` takes folders)"
        )
    if not file.exists():
        raise DocumentError(file, "no such file")


def add_to_store(prepared: list[Prepared], settings: Settings) -> None:
    """Index already-prepared documents (no second load or embedding)."""
    from ..store import open_store  # Chroma is imported only when a store is wanted

    store = open_store(settings)
    store.add_many(
        [(p.document, p.clauses, p.vectors) for p in prepared if p.document and p.vectors is not None]
    )
    console.print(f"indexed in the store at {settings.store.where()}", highlight=False)


def reviewed(file: Path, settings: Settings, backend: str) -> tuple[Prepared, DocumentReview, Checklist]:
    """The one pipeline over one file, with the checklist it resolved (`auto`: the state's pack);
    a remote reviewer gets a progress bar and a usage line."""
    check_one_file(file)
    prepared = prepare_file(file, settings)
    assert prepared.document is not None  # prepare_file raised otherwise
    cl = resolve_checklist(settings.checklist, prepared.document.info.state)
    reviewer = make_reviewer(backend, settings, cl)
    top_k, embedding = settings.retrieval.top_k, settings.retrieval.embedding
    if not isinstance(reviewer, BatchReviewer):
        return prepared, review_prepared(prepared, cl, reviewer, top_k=top_k, embedding=embedding), cl
    with progress_bar() as bar:
        task = bar.add_task(f"reviewing {file.name}", total=len(cl.requirements), failed=0)
        result = review_prepared(
            prepared,
            cl,
            reviewer,
            top_k=top_k,
            embedding=embedding,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    _say_usage(result)
    return prepared, result, cl


def _say_usage(result: DocumentReview) -> None:
    fallen = sum(f.backend is not None for f in result.findings)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    usage = result.usage
    cost = f", ~${usage['cost_usd']:.4f}" if "cost_usd" in usage else ""
    console.print(
        f"[dim]{result.prompt_version}: {usage.get('calls', 0):.0f} call(s), "
        f"{usage.get('cached_calls', 0):.0f} cached, {usage.get('retries', 0):.0f} retries, "
        f"{usage.get('input_tokens', 0):.0f} in / {usage.get('output_tokens', 0):.0f} out tokens{cost}"
        f"{f'; {fallen} finding(s) from offline fallback' if fallen else ''}[/dim]",
        highlight=False,
    )


@guarded
def eval_cmd(
    gold_dir: Annotated[
        Path,
        typer.Argument(
            metavar="GOLD_DIR",
            help="folder of gold YAML files, or a clause set (.jsonl, or a folder with clauses.jsonl)",
        ),
    ],
    backend: BackendOpt = None,
    split: Annotated[str | None, typer.Option("--split", help="dev or test (from the manifest)")] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="comma-separated backends side by side")
    ] = None,
    fmt: ReportFormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="also save JSON + Markdown under evals/results/ named by date, split and commit"
        ),
    ] = False,
    results_dir: Annotated[
        Path | None, typer.Option("--results-dir", metavar="DIR", help="where --save writes [evals/results]")
    ] = None,
    checklist: ChecklistOpt = None,
) -> None:
    """Score a reviewer backend against gold annotations (deficient = weak or missing), or against a
    clause set (each clause reviewed as a one-clause document)."""
    from ..clause_eval import clause_file
    from ..eval_report import save_reports
    from ..render import evaluation

    settings = make_settings(checklist=checklist)
    cl = load_checklist(settings.checklist)
    backends = _compared(compare) if compare else [resolve_backend(backend, settings)]
    clauses = clause_file(gold_dir)
    reports = _run_evals(gold_dir, clauses, cl, backends, split, settings)
    if save:
        for path in save_reports(reports, results_dir or settings.output.results_dir):
            console.print(f"saved {path}")
    if fmt == ReportFormat.json:
        write_output(as_json.reports(reports), output)
        return
    if fmt == ReportFormat.md:
        markdown = evaluation.clause_markdown(reports) if clauses else evaluation.markdown(reports)  # type: ignore[arg-type]
        write_output(markdown, output)
        return
    if clauses:
        write_table(evaluation.clause_table(reports, cl), output)  # type: ignore[arg-type]
        console.print(f"{reports[0].clauses} clause(s), split {split or 'all'}")  # type: ignore[union-attr]
        return
    write_table(evaluation.gold_table(reports, cl), output)  # type: ignore[arg-type]
    console.print(f"{reports[0].documents} document(s), split {split or 'all'}")  # type: ignore[union-attr]


def _run_evals(
    gold_dir: Path,
    clauses: Path | None,
    cl: Checklist,
    backends: list[str],
    split: str | None,
    settings: Settings,
) -> list[EvalReport] | list[ClauseEvalReport]:
    """One report per backend, with a progress bar each: a clause set or a gold folder."""
    from ..clause_eval import run_clause_eval
    from ..evaluate import run_eval

    reports: list = []
    with progress_bar() as progress:
        for name in backends:
            task = progress.add_task(f"eval {name}", total=None, failed=0)

            def started(total: int, task: TaskID = task) -> None:
                progress.update(task, total=total)

            def reviewed(_: str, task: TaskID = task) -> None:
                progress.advance(task)

            if clauses:
                reports.append(
                    run_clause_eval(
                        clauses, cl, name, settings, split, on_start=started, on_document=reviewed
                    )
                )
            else:
                reports.append(
                    run_eval(gold_dir, cl, name, settings, split, on_start=started, on_document=reviewed)
                )
    return reports


def _compared(compare: str) -> list[str]:
    """`--compare offline,keyword`: each name must be a backend (auto resolves as usual)."""
    names = [name.strip() for name in compare.split(",") if name.strip()]
    unknown = [n for n in names if n not in {b.value for b in Backend}]
    if unknown or not names:
        choices = ", ".join(b.value for b in Backend)
        raise ConfigError(
            f"unknown backend {(unknown or [compare])[0]!r} in --compare; choose from {choices}"
        )
    return [resolve_backend(n) if n == "auto" else n for n in names]
