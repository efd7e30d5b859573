"""`checklist`, `review` and `eval`: judging MOUs against the checklist and scoring the judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import TaskID
from rich.table import Table

from ..checklist import Checklist, load_checklist
from ..clause_eval import ClauseEvalReport, clause_file, run_clause_eval
from ..config import Settings
from ..documents import content_hash
from ..errors import DocumentError, MouReviewError
from ..eval_report import (
    CLAUSE_METRICS,
    SUMMARY_METRICS,
    clause_cell,
    render_clause_markdown,
    save_reports,
    usage_rows,
)
from ..eval_report import render_markdown as render_eval_markdown
from ..evaluate import EvalReport, run_eval
from ..ingest import ingest
from ..models import SEVERITY_RANK, Clause, Document, DocumentReview, Severity
from ..review import review_document
from ..reviewers import BatchReviewer, Reviewer, make_reviewer
from ..store import open_store
from .common import (
    HostOpt,
    PortOpt,
    StoreOpt,
    console,
    guarded,
    make_settings,
    resolve_backend,
    stdout,
    write_output,
)
from .store_cmds import progress_bar

ChecklistOpt = Annotated[str | None, typer.Option("--checklist", help="checklist id or YAML path")]
BackendOpt = Annotated[str | None, typer.Option("--backend", "-b", help="auto, offline, llm or keyword")]


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist_cmd)
    app.command("review")(review_cmd)
    app.command("eval")(eval_cmd)


@guarded
def checklist_cmd(
    checklist: ChecklistOpt = None, fmt: Annotated[str, typer.Option("--format", "-f")] = "table"
) -> None:
    """The requirements: id, severity, and what "present" means."""
    cl = load_checklist(checklist or "cops-nasro")
    if fmt == "json":
        stdout.print_json(cl.model_dump_json())
        return
    table = Table("id", "severity", "present when", title=f"{cl.title} (v{cl.version})")
    for r in cl.requirements:
        table.add_row(r.id, r.severity.value + (" (conditional)" if r.conditional else ""), r.present)
    stdout.print(table)


@guarded
def review_cmd(
    file: Annotated[Path, typer.Argument(help="an MOU file (PDF, DOCX, TXT, MD)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or md")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
    ] = None,
    checklist: ChecklistOpt = None,
    backend: BackendOpt = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="exit 1 when a deficiency of this severity or worse")
    ] = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """Review one MOU: a finding per requirement with located quotes (ingests the file if needed)."""
    settings = make_settings(store_dir=store, chroma_host=chroma_host, chroma_port=chroma_port, workers=1)
    cl = load_checklist(checklist or settings.checklist)
    reviewer = make_reviewer(resolve_backend(backend), settings, cl)
    document, clauses, vectors = ingested(file, settings)
    result = _review_with_progress(document, clauses, vectors, cl, reviewer, settings.top_k)
    if fmt == "json":
        write_output(result.model_dump_json(indent=2), output)
    elif fmt == "md":
        write_output(render_markdown(result), output)
    else:
        stdout.print(_table(result))
    if fail_on:
        threshold = SEVERITY_RANK[Severity(fail_on)]
        if any(f.deficient and SEVERITY_RANK[f.severity] >= threshold for f in result.findings):
            raise typer.Exit(1)


def ingested(file: Path, settings: Settings) -> tuple[Document, list[Clause], np.ndarray]:
    """One file from the store, ingested first if it is not there yet: its text, clauses and vectors."""
    clause_store = open_store(settings)
    report = ingest([file], settings, clause_store)
    if report.failed:
        raise DocumentError(file, report.failed[0][1])
    doc_id = content_hash(file.read_bytes())
    document = clause_store.get_document(doc_id)
    if document is None:
        raise MouReviewError(f"{file}: not found in the store after ingest")
    clauses, vectors = clause_store.get_clauses(doc_id)
    return document, clauses, vectors


def _review_with_progress(
    document: Document,
    clauses: list[Clause],
    vectors: np.ndarray,
    cl: Checklist,
    reviewer: Reviewer,
    top_k: int,
) -> DocumentReview:
    """A progress bar while a remote reviewer works; usage and fallbacks said on stderr after."""
    if not isinstance(reviewer, BatchReviewer):
        return review_document(document, clauses, vectors, cl, reviewer, top_k=top_k)
    with progress_bar() as bar:
        task = bar.add_task(
            f"reviewing {Path(document.info.path).name}", total=len(cl.requirements), failed=0
        )
        result = review_document(
            document,
            clauses,
            vectors,
            cl,
            reviewer,
            top_k=top_k,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
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
    return result


def _table(review: DocumentReview) -> Table:
    table = Table(
        "requirement",
        "status",
        "severity",
        "best quote (page)",
        title=f"{Path(review.document.path).name}: risk {review.risk_score}/100 ({review.backend})",
    )
    colour = {"present": "green", "weak": "yellow", "missing": "red", "not_applicable": "dim"}
    for f in review.findings:
        quote = f"{f.evidence[0].quote[:120]} (p.{f.evidence[0].page})" if f.evidence else ""
        table.add_row(
            f.requirement_id, f"[{colour[f.status.value]}]{f.status.value}[/]", f.severity.value, quote
        )
    return table


def render_markdown(review: DocumentReview) -> str:
    """A readable report with quotes, pages and rationale."""
    info = review.document
    lines = [
        f"# Review of {Path(info.path).name}",
        "",
        f"- parties: {', '.join(info.parties) or 'not stated'}",
        f"- risk score: {review.risk_score}/100",
        f"- checklist: {review.checklist} v{review.checklist_version}; backend: {review.backend}",
        "",
    ]
    lines += [f"> note: {n}" for n in review.notes]
    for f in review.findings:
        lines += ["", f"## {f.requirement_id}: {f.status.value} ({f.severity.value})", "", f.rationale]
        if f.issues:
            lines.append(f"Issues: {', '.join(f.issues)}")
        lines += [f'> "{e.quote}" (page {e.page}, chars {e.start}-{e.end})' for e in f.evidence]
    return "\n".join(lines) + "\n"


@guarded
def eval_cmd(
    gold_dir: Annotated[
        Path,
        typer.Argument(
            help="folder of gold YAML files, or a clause set (.jsonl, or a folder with clauses.jsonl)"
        ),
    ],
    backend: BackendOpt = None,
    split: Annotated[str | None, typer.Option("--split", help="dev or test (from the manifest)")] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="comma-separated backends side by side")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or md")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write json/md here")] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="also save JSON + Markdown under evals/results/ named by date, split and commit"
        ),
    ] = False,
    results_dir: Annotated[Path, typer.Option("--results-dir", help="where --save writes")] = Path(
        "evals/results"
    ),
    checklist: ChecklistOpt = None,
) -> None:
    """Score a reviewer backend against gold annotations (deficient = weak or missing), or against a
    clause set (each clause reviewed as a one-clause document)."""
    cl = load_checklist(checklist or "cops-nasro")
    backends = [b.strip() for b in compare.split(",")] if compare else [resolve_backend(backend)]
    clauses = clause_file(gold_dir)
    reports = _run_evals(gold_dir, clauses, cl, backends, split)
    if save:
        for path in save_reports(reports, results_dir):
            console.print(f"saved {path}")
    if fmt == "json":
        payload = [r.model_dump() for r in reports]
        write_output(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2), output)
        return
    if fmt == "md":
        markdown = render_clause_markdown(reports) if clauses else render_eval_markdown(reports)  # type: ignore[arg-type]
        write_output(markdown, output)
        return
    if clauses:
        stdout.print(_clause_table(reports, cl))  # type: ignore[arg-type]
        console.print(f"{reports[0].clauses} clause(s), split {split or 'all'}")  # type: ignore[union-attr]
        return
    stdout.print(_gold_table(reports, cl))  # type: ignore[arg-type]
    console.print(f"{reports[0].documents} document(s), split {split or 'all'}")  # type: ignore[union-attr]


def _run_evals(
    gold_dir: Path, clauses: Path | None, cl: Checklist, backends: list[str], split: str | None
) -> list[EvalReport] | list[ClauseEvalReport]:
    """One report per backend, with a progress bar each: a clause set or a gold folder."""
    reports: list = []
    with progress_bar() as progress:
        for name in backends:
            task = progress.add_task(f"eval {name}", total=None, failed=0)

            def started(total: int, task: TaskID = task) -> None:
                progress.update(task, total=total)

            def reviewed(_: str, task: TaskID = task) -> None:
                progress.advance(task)

            run = run_clause_eval if clauses else run_eval
            reports.append(
                run(clauses or gold_dir, cl, name, split=split, on_start=started, on_document=reviewed)
            )
    return reports


def _gold_table(reports: list[EvalReport], cl: Checklist) -> Table:
    table = Table("requirement", *[f"{r.backend} F1 (P/R)" for r in reports], "support")
    for rid in cl.ids:
        cells = [
            f"{r.per_requirement[rid].f1:.2f} ({r.per_requirement[rid].precision:.2f}/"
            f"{r.per_requirement[rid].recall:.2f})"
            for r in reports
        ]
        table.add_row(rid, *cells, str(reports[0].per_requirement[rid].support))
    for metric in SUMMARY_METRICS:
        table.add_row(f"[bold]{metric}[/bold]", *[str(getattr(r, metric)) for r in reports], "")
    for label, cells in usage_rows(reports):
        table.add_row(f"[bold]LLM {label}[/bold]", *cells, "")
    return table


def _clause_table(reports: list[ClauseEvalReport], cl: Checklist) -> Table:
    """Per requirement: recognised and spurious per backend; the summary rows give every metric."""
    columns = [f"{r.backend} {h}" for r in reports for h in ("recognised", "spurious")]
    table = Table("requirement", *columns, title=f"clause set {reports[0].set_name}")
    for rid in cl.ids:
        cells = [
            clause_cell(r.per_requirement[rid], m)
            for r in reports
            for m in ("recognised", "spurious_per_clause")
        ]
        table.add_row(rid, *cells)
    for metric, label in CLAUSE_METRICS:
        cells = [clause_cell(r.overall, metric) if i == 0 else "" for r in reports for i in range(2)]
        table.add_row(f"[bold]{label}[/bold]", *cells)
    return table
