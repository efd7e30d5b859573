"""`ingest`, `search`, `documents`: getting MOUs into the store and looking inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import MouReviewError
from ..ingest import ingest
from ..render import as_json
from ..render.tables import documents_table, search_rows, search_table
from ..retrieve import embed_queries, rank_in_memory
from ..similar import corpus_hits
from ..store import ClauseStore, open_store
from .common import (
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
    print_read_report,
    progress_bar,
    store_settings,
    with_revisions,
    write_output,
    write_table,
)


def register(app: typer.Typer) -> None:
    app.command("remove", cls=PlainHelp)(remove_cmd)
    app.command("ingest", cls=PlainHelp)(ingest_cmd)
    app.command("search", cls=PlainHelp)(search_cmd)
    app.command("documents", cls=PlainHelp)(documents_cmd)


@guarded
def ingest_cmd(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="files or folders (searched recursively)")
    ],
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    workers: WorkersOpt = None,
    revisions: RevisionsOpt = None,
) -> None:
    """Load every MOU (PDF, DOCX, text, scans, old Word formats) into the store; stored files are skipped."""
    settings = store_settings(store, chroma_host, chroma_port, workers=workers)
    settings = with_revisions(settings, revisions)
    clause_store = open_store(settings)
    with progress_bar() as bar:
        task = bar.add_task("ingesting", total=None, failed=0)
        failed = 0

        def on_file(path: str, status: str) -> None:
            nonlocal failed
            if status not in ("added", "skipped"):
                failed += 1
                bar.console.print(f"[red]✗[/red] {path}: {status}", highlight=False)
            bar.update(task, advance=1, failed=failed)

        report = ingest(
            list(paths), settings, clause_store, on_start=lambda n: bar.update(task, total=n), on_file=on_file
        )
    print_read_report(report.discovery.summary(), report.duplicates, report.warnings)
    for path in report.replaced:
        console.print(
            f"[yellow]note:[/yellow] {path}: replaced its earlier version in the store", highlight=False
        )
    say_stale(clause_store)
    total = len(clause_store.document_ids())
    console.print(
        f"added {len(report.added)} document(s) ({report.pages} pages, {report.clauses} clauses), "
        f"skipped {len(report.skipped)} already stored"
        + (f" and {len(report.duplicates)} duplicate(s)" if report.duplicates else "")
        + f", failed {len(report.failed)}; "
        f"the store at {settings.store.where()} now holds {total} document(s)",
        highlight=False,
    )
    if report.failed:
        raise typer.Exit(2)


@guarded
def search_cmd(
    query: Annotated[str, typer.Argument(metavar="TEXT", help="a question or phrase")],
    doc: Annotated[
        str | None, typer.Option("--doc", help="only this document (doc_id, prefix or file name)")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="how many clauses")] = 5,
    fmt: FormatOpt = TableFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """Rank clauses by meaning and keywords (dense + BM25, fused), with page and offsets."""
    settings = store_settings(store, chroma_host, chroma_port)
    clause_store = open_store(settings, create=False)
    require_documents(clause_store)
    vector = embed_queries([query], settings.retrieval.embedding)
    if doc:
        document = clause_store.find_document(doc)
        if document is None:
            raise MouReviewError(f"no document {doc!r} in the store", hint="see `mou-review documents`")
        clauses, vectors = clause_store.get_clauses(document.info.doc_id)
        hits = [(s.clause, s.score) for s in rank_in_memory([query], vector, clauses, vectors, k)[0]]
    else:
        hits = corpus_hits(clause_store, query, vector, k)
    paths = {doc_id: info.path for doc_id, info in clause_store.infos({c.doc_id for c, _ in hits}).items()}
    rows = search_rows(hits, paths)
    if fmt == TableFormat.json:
        write_output(as_json.search(rows), output)
        return
    write_table(search_table(rows), output)


@guarded
def documents_cmd(
    fmt: FormatOpt = TableFormat.table,
    output: OutputOpt = None,
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """What is in the store: doc_id, title, parties, pages, clauses."""
    settings = store_settings(store, chroma_host, chroma_port)
    docs = open_store(settings, create=False).list_documents()
    if fmt == TableFormat.json:
        write_output(as_json.documents(docs), output)
        return
    write_table(documents_table(docs), output)
    console.print(f"{len(docs)} document(s) in the store at {settings.store.where()}", highlight=False)


def say_stale(clause_store: ClauseStore) -> None:
    """One line when the store also holds an index built by other code or another embedding model."""
    stale = clause_store.stale_indexes()
    if stale:
        console.print(
            f"[yellow]note:[/yellow] the store also holds {sum(stale.values())} document(s) indexed by an "
            "older version or another embedding model; ingest their files again to re-index them",
            highlight=False,
        )


@guarded
def remove_cmd(
    doc: Annotated[str, typer.Argument(metavar="DOC", help="doc_id, doc_id prefix, file path or file name")],
    store: StoreOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
) -> None:
    """Delete one document and its clauses from the store."""
    settings = store_settings(store, chroma_host, chroma_port)
    clause_store = open_store(settings, create=False)
    document = clause_store.find_document(doc)
    if document is None or not clause_store.remove(document.info.doc_id):
        raise MouReviewError(f"no document {doc!r} in the store", hint="see `mou-review documents`")
    console.print(
        f"removed {document.info.path} ({document.info.doc_id}); "
        f"the store at {settings.store.where()} now holds {len(clause_store.document_ids())} document(s)",
        highlight=False,
    )


def require_documents(clause_store: ClauseStore) -> None:
    """A corpus command on an empty (or only stale) store stops with one line saying why."""
    if clause_store.document_ids():
        return
    where = clause_store.settings.store.where()
    if clause_store.stale_indexes():
        raise MouReviewError(
            f"the store at {where} was indexed by an older version or another embedding model",
            hint="ingest the files again (`mou-review ingest DIR`) to re-index them",
        )
    raise MouReviewError(
        "the store holds no documents",
        hint=f"the store at {where} is empty: run `mou-review ingest DIR` first",
    )
