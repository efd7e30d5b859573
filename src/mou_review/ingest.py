"""Ingest: files -> load -> segment -> embed -> store, in worker processes, idempotent by content hash."""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import Settings
from .discovery import Discovery, walk
from .documents import file_id, load_document
from .embeddings import get_embedder
from .errors import DocumentError
from .limits import LoadSettings, deadline
from .metadata import read_manifest
from .models import Clause, Document
from .procs import exit_with_parent
from .segment import segment
from .stages import stage
from .store import ADD_CALL_ROWS, ClauseStore

FLUSH_CLAUSES = 2000  # clauses per store write while worker processes run alongside
# Clauses per store write, and per Chroma call, when this process works alone: nothing waits on
# its GIL, and Chroma adds a batch for less per row the bigger it is (its HNSW insert uses every
# core within one call): one call of 3,800 rows instead of 8 of 512 took 1.75 s instead of 2.29 s.
ALONE_CLAUSES = 5000
TASK_FILES = 4  # files per worker task
Chunk = list[tuple[str, dict[str, dict[str, str]]]]  # a task: files with their folders' manifests


@dataclass
class Prepared:
    """One file after the CPU-bound stages, ready for the store (or the reason it failed)."""

    path: str
    document: Document | None = None
    clauses: list[Clause] = field(default_factory=list)
    vectors: np.ndarray | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # noticed while loading, kept when it failed


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # stored earlier versions of an added file
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path of the same content)
    discovery: Discovery = field(default_factory=Discovery)
    clauses: int = 0
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def prepare(
    path: str,
    manifest: dict[str, dict[str, str]] | None,
    embedding: str,
    limits: LoadSettings | None = None,
) -> Prepared:
    """Load, segment and embed one file; every error comes back as data (one line) so a batch goes on.

    Nothing raised here may cross a process boundary: some library exceptions (lxml's) cannot
    be pickled and would take the whole pool down with them.
    """
    limits = limits or LoadSettings()
    try:
        with deadline(path, limits.seconds_per_document):
            with stage("load"):
                document = load_document(Path(path), manifest=manifest, limits=limits)
            with stage("segment"):
                clauses = segment(document)
            with stage("embed"):
                vectors = get_embedder(embedding).embed([c.context_text() for c in clauses])
    except DocumentError as exc:
        return Prepared(path=path, error=exc.reason, warnings=exc.warnings)
    except MemoryError:
        return Prepared(path=path, error="ran out of memory reading it")
    except Exception as exc:
        return Prepared(path=path, error=f"cannot read it ({type(exc).__name__}: {_first_line(exc)})")
    return Prepared(path=path, document=document, clauses=clauses, vectors=vectors)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


def batch_key(doc_id: str, path: Path) -> tuple[str, str]:
    """Files with the same bytes and extension load the same way; only those are duplicates up front."""
    suffix = path.suffix.lower()
    return doc_id, {".jpeg": ".jpg", ".tiff": ".tif", ".md": ".txt"}.get(suffix, suffix)


def _warm(embedding: str) -> None:
    """Worker start: load the model once, and yield the CPU to the main process, whose Chroma
    writes are the one serial stage of an ingest."""
    exit_with_parent()
    with contextlib.suppress(OSError):
        os.nice(5)
    get_embedder(embedding)


def ingest(
    paths: list[Path],
    settings: Settings,
    store: ClauseStore,
    *,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Add every new file under `paths` to the store; report added, skipped and failed files."""
    report = IngestReport(
        discovery=walk(paths, store=None if settings.store.chroma_host else settings.store.dir)
    )
    report.failed.extend(report.discovery.unreadable)
    known = store.document_ids()
    seen: dict[tuple[str, str], str] = {}
    todo: list[tuple[str, dict[str, dict[str, str]]]] = []
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in report.discovery.files:
        try:
            doc_id = file_id(path, settings.load)
        except DocumentError as exc:
            report.failed.append((str(path), exc.reason))
            continue
        if doc_id in known:
            report.skipped.append(str(path))
            continue
        if batch_key(doc_id, path) in seen:
            report.duplicates.append((str(path), seen[batch_key(doc_id, path)]))
            continue
        seen[batch_key(doc_id, path)] = str(path)
        folder = path.parent
        manifests.setdefault(folder, read_manifest(folder))
        todo.append((str(path), manifests[folder]))
    if on_start:
        on_start(len(todo) + len(report.skipped) + len(report.failed))
    for skipped in report.skipped:
        _notify(on_file, skipped, "skipped")
    for failed, reason in report.failed:
        _notify(on_file, failed, reason)

    pending: list[Prepared] = []
    loaded: dict[str, str] = {}  # doc_id -> path: same content under another extension
    flush_at, call_rows = (
        (FLUSH_CLAUSES, ADD_CALL_ROWS) if _pool_size(todo, settings) else (ALONE_CLAUSES,) * 2
    )
    for prepared in _prepare_all(todo, settings):
        report.warnings.extend(f"{prepared.path}: {w}" for w in prepared.warnings)
        if prepared.error or prepared.document is None:
            report.failed.append((prepared.path, prepared.error or "unknown error"))
            _notify(on_file, prepared.path, prepared.error or "failed")
            continue
        report.warnings.extend(f"{prepared.path}: {w}" for w in prepared.document.warnings)
        doc_id = prepared.document.info.doc_id
        if doc_id in loaded:
            report.duplicates.append((prepared.path, loaded[doc_id]))
            _notify(on_file, prepared.path, "skipped")
            continue
        loaded[doc_id] = prepared.path
        pending.append(prepared)
        if sum(len(p.clauses) for p in pending) >= flush_at:
            _flush(store, pending, report, on_file, call_rows)
            pending = []
    _flush(store, pending, report, on_file, call_rows)
    return report


def _prepare_all(todo: list[tuple[str, dict[str, dict[str, str]]]], settings: Settings) -> Iterator[Prepared]:
    """Every file prepared, in finishing order. With `workers` > 1 this process shares the batch
    with `workers - 1` worker processes (`parallel.shared`): on two cores, this process and one
    worker, both busy from the start, instead of two workers and this one waiting on them."""
    workers = _pool_size(todo, settings) + 1
    embedding, limits = settings.retrieval.embedding, settings.load
    if workers <= 1:
        for path, manifest in todo:
            yield prepare(path, manifest, embedding, limits)
        return
    from .parallel import shared_with_workers

    chunks = [todo[i : i + TASK_FILES] for i in range(0, len(todo), TASK_FILES)]
    with tempfile.TemporaryDirectory(prefix="mou-review-ingest-") as spill:
        for results in shared_with_workers(
            chunks,
            functools.partial(_prepare_here, embedding=embedding, limits=limits),
            _prepare_to_files,
            (embedding, limits, spill),
            workers,
            _chunk_failed,
            _warm,
            (embedding,),
        ):
            for result in results:  # prepared here, or the name of a worker's spill file
                yield result if isinstance(result, Prepared) else _load_spilled(result)


def _pool_size(todo: Chunk, settings: Settings) -> int:
    """Worker processes beside this one for the batch (0: it prepares every file itself)."""
    workers = settings.limits.workers_for(len(todo))
    return 0 if workers <= 1 or len(todo) < 4 else workers - 1


def _prepare_here(chunk: Chunk, embedding: str, limits: LoadSettings) -> list[Prepared | str]:
    return [prepare(path, manifest, embedding, limits) for path, manifest in chunk]


def _chunk_failed(chunk: Chunk, exc: BaseException) -> list[Prepared | str]:
    """A worker that died (out of memory, killed) fails its files only."""
    return [Prepared(path=path, error=f"worker process failed ({type(exc).__name__})") for path, _ in chunk]


def _prepare_to_files(chunk: Chunk, embedding: str, limits: LoadSettings, spill: str) -> list[Prepared | str]:
    """Prepare a few files in a worker and leave each result in a file: only names cross the pipe.

    The main process holds the GIL through each Chroma add, so its pool threads feed tasks and
    drain results only between adds. Several files per task and results on disk keep a worker
    busy through that wait instead of blocked on a full pipe or an empty task queue.
    """
    names: list[Prepared | str] = []
    for path, manifest in chunk:
        prepared = prepare(path, manifest, embedding, limits)
        fd, name = tempfile.mkstemp(dir=spill, suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(prepared, fh, protocol=pickle.HIGHEST_PROTOCOL)
        names.append(name)
    return names


def _load_spilled(name: str) -> Prepared:
    with open(name, "rb") as fh:
        prepared: Prepared = pickle.load(fh)
    os.unlink(name)
    return prepared


def _flush(
    store: ClauseStore,
    pending: list[Prepared],
    report: IngestReport,
    on_file: Callable[[str, str], None] | None,
    call_rows: int,
) -> None:
    items = []
    for prepared in pending:
        assert prepared.document is not None and prepared.vectors is not None
        items.append((prepared.document, prepared.clauses, prepared.vectors))
    report.replaced += [old.info.path for old in store.add_many(items, call_rows=call_rows)]
    for prepared in pending:
        assert prepared.document is not None
        report.added.append(prepared.path)
        report.clauses += len(prepared.clauses)
        report.pages += prepared.document.info.pages
        _notify(on_file, prepared.path, "added")


def _notify(callback: Callable[[str, str], None] | None, path: str, status: str) -> None:
    if callback:
        callback(path, status)
