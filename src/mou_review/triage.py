"""Batch triage: review every MOU under a folder, worst first, resumable document by document.

A finished document is `<out>/reviews/<doc_id>.json` (a DocumentReview, written atomically after the
document's HTML page), so that file is the commit marker: an interrupted run picks up where it
stopped, never redoes a finished review and never loses one (after a power cut, one written in
its last seconds may be gone or cut short: it is redone). A result whose key (document,
checklist id and version, backend, prompt version, and the rules key: a digest of the checklist
file, the reviewer's code and the retrieval settings) differs from this run's is redone.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from pydantic import ValidationError

from . import summary
from .checklist import load_checklist
from .config import DEFAULT_CHECKLIST, LimitsSettings
from .discovery import Discovery, walk
from .documents import file_id
from .errors import DocumentError
from .ingest import Prepared, batch_key, prepare
from .limits import LoadSettings, deadline
from .metadata import read_manifest
from .models import DocumentReview
from .parallel import shared_with_workers
from .pipeline import review_prepared
from .procs import exit_with_parent
from .render import html, tables
from .review import warm
from .reviewers import LOCAL_BACKENDS, Reviewer, make_reviewer
from .store import ClauseStore
from .summary import Failure
from .versions import rules_key

REVIEWS_DIR = "reviews"
PAGES_DIR = "docs"
FLUSH_CLAUSES = 2000


@dataclass(frozen=True)
class TriageOptions:
    """What a run reviews with; everything a worker process needs, and picklable."""

    checklist: str = DEFAULT_CHECKLIST
    backend: str = "offline"
    top_k: int = 6
    embedding: str = "wordllama"
    workers: int | None = 1  # None: one, or more for a large batch (LimitsSettings.workers_for)
    force: bool = False
    as_of: date | None = None  # for the overdue flag; None: today
    load: LoadSettings = field(default_factory=LoadSettings)


@dataclass(frozen=True)
class ResultKey:
    doc_id: str
    checklist: str
    checklist_version: int
    backend: str
    prompt_version: str | None
    rules: str | None = None  # checklist file, reviewer code, retrieval (pipeline.rules_key)

    @classmethod
    def of(cls, review: DocumentReview) -> ResultKey:
        return cls(
            review.document.doc_id,
            review.checklist,
            review.checklist_version,
            review.backend,
            review.prompt_version,
            review.rules,
        )


@dataclass
class Job:
    path: str
    doc_id: str
    manifest: dict[str, dict[str, str]]
    review: bool = True  # False: the review is finished; only its page or store entry is missing


@dataclass
class TriagePlan:
    order: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, path) in discovery order
    jobs: list[Job] = field(default_factory=list)
    finished: dict[str, DocumentReview] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path of the same content)
    discovery: Discovery = field(default_factory=Discovery)


@dataclass
class Outcome:
    job: Job
    prepared: Prepared
    review: DocumentReview | None = None
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class TriageResult:
    rows: list[summary.TriageRow]
    reviews: list[DocumentReview]  # in the order of `rows`
    failed: list[Failure]
    reviewed: list[str]  # doc_ids reviewed by this run
    reused: list[str]  # doc_ids whose finished review was kept
    duplicates: list[tuple[str, str]]  # (path, path of the same content)
    seconds: dict[str, float]
    discovery: Discovery = field(default_factory=Discovery)
    warnings: list[str] = field(default_factory=list)  # "path: warning" for every document read

    @property
    def ok(self) -> bool:
        return not self.failed


def review_path(out: Path, doc_id: str) -> Path:
    return out / REVIEWS_DIR / f"{doc_id}.json"


def page_path(out: Path, doc_id: str) -> Path:
    return out / PAGES_DIR / f"{doc_id}.html"


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write beside the target, then rename over it: a reader never sees half a file.

    `durable` syncs the bytes to disk before the rename, so a power cut leaves the old file or
    the whole new one. Without it only a process that dies is covered: after a power cut the
    file may be empty or cut short, which only a reader that validates what it reads may accept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_result(path: Path) -> DocumentReview | None:
    """A finished review, or None when the file is absent or unreadable (then it is redone)."""
    try:
        return DocumentReview.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def make_plan(
    paths: list[Path],
    out: Path,
    expected: Callable[[str], ResultKey],
    force: bool,
    indexed: set[str] | None,
    limits: LoadSettings | None = None,
    reuse: tuple[Path, ...] = (),
) -> TriagePlan:
    """Which files need a review, which are finished (here or in a `reuse` folder), which cannot be read."""
    limits = limits or LoadSettings()
    plan = TriagePlan(discovery=walk(paths, exclude=[out]))  # our own output is never an input
    plan.failed.extend(Failure(path=p, reason=reason) for p, reason in plan.discovery.unreadable)
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    seen: dict[tuple[str, str], str] = {}
    _remove_torn_writes(out)
    for path in plan.discovery.files:
        try:
            doc_id = file_id(path, limits)
        except DocumentError as exc:
            plan.failed.append(Failure(path=str(path), reason=exc.reason))
            continue
        key = batch_key(doc_id, path)
        if key in seen:
            plan.duplicates.append((str(path), seen[key]))
            continue
        seen[key] = str(path)
        plan.order.append((doc_id, str(path)))
        manifest = manifests.setdefault(path.parent, read_manifest(path.parent))
        done = None if force else _finished(doc_id, expected(doc_id), (out, *reuse))
        if done is not None:
            plan.finished[doc_id] = done
            if not review_path(out, doc_id).is_file():  # reused from another run's folder: copy it
                write_atomic(review_path(out, doc_id), done.model_dump_json(indent=1))
            missing_page = not page_path(out, doc_id).is_file()
            if missing_page or (indexed is not None and doc_id not in indexed):
                plan.jobs.append(Job(str(path), doc_id, manifest, review=False))
        else:
            plan.jobs.append(Job(str(path), doc_id, manifest))
    return plan


def _finished(doc_id: str, key: ResultKey, folders: tuple[Path, ...]) -> DocumentReview | None:
    """The first finished review of `doc_id` made with this run's key, in `folders` in order."""
    for folder in folders:
        done = load_result(review_path(folder, doc_id))
        if done is not None and ResultKey.of(done) == key:
            return done
    return None


def _remove_torn_writes(out: Path) -> None:
    """Temporary files left by a run killed mid-write (the target files are intact)."""
    for folder in (out / REVIEWS_DIR, out / PAGES_DIR):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


# --- the work for one document (in a worker process or in the main one) ---------------------


@cache
@lru_cache(maxsize=4)
def _reviewer(backend: str) -> Reviewer:
    """One reviewer per worker process and backend, built at start-up by `_warm`."""
    return make_reviewer(backend)


def _warm(options: TriageOptions) -> None:
    """Worker start-up: the embedder, checklist, query vectors and reviewer, once per process;
    then what exists is frozen for the worker's life."""
    exit_with_parent()
    _reviewer(options.backend)
    _load(options)
    _freeze_long_lived()


def _load(options: TriageOptions) -> None:
    """What every document needs, loaded before the first: checklist, embedder, query vectors."""
    warm(load_checklist(options.checklist), options.embedding)


def _freeze_long_lived() -> None:
    """The collector skips what exists now (imports, models, checklist, earlier results) from
    here on: its full passes over each document's garbage walked all of it again and again
    (0.2-0.5 s of a one-process triage of 80 five-page PDFs). Reference counting still frees a
    frozen object; only a cycle among them that dies later stays (a batch is usually the
    process's whole life: the CLI's)."""
    gc.freeze()


def work(job: Job, options: TriageOptions, reviewer: Reviewer | None = None) -> Outcome:
    """Prepare (load, segment, embed) and review one file; any failure comes back as data."""
    started = time.perf_counter()
    outcome = Outcome(job, Prepared(path=job.path))
    try:
        with deadline(job.path, options.load.seconds_per_document):
            outcome.prepared = prepare(job.path, job.manifest, options.embedding, options.load)
            outcome.error = outcome.prepared.error
            outcome.seconds["prepare"] = time.perf_counter() - started
            if outcome.error is None and job.review:
                outcome.review = _review(outcome.prepared, options, reviewer)
                outcome.seconds["review"] = time.perf_counter() - started - outcome.seconds["prepare"]
    except DocumentError as exc:  # the time limit
        outcome.error = exc.reason
    except Exception as exc:  # one document's failure must not stop the batch
        outcome.error = f"review failed ({type(exc).__name__}: {exc})"
    return outcome


def _review(prepared: Prepared, options: TriageOptions, reviewer: Reviewer | None) -> DocumentReview:
    return review_prepared(
        prepared,
        load_checklist(options.checklist),
        reviewer or _reviewer(options.backend),
        top_k=options.top_k,
        embedding=options.embedding,
    )


def outcomes(jobs: list[Job], options: TriageOptions, reviewer: Reviewer) -> Generator[Outcome, None, None]:
    """Outcomes as they finish. Offline backends with `workers` > 1 share the batch between this
    process and `workers - 1` worker processes (`parallel.shared`); others run in this process."""
    workers = LimitsSettings(workers=options.workers).workers_for(len(jobs))
    if not jobs:
        return
    _load(options)
    _freeze_long_lived()
    if workers <= 1 or options.backend not in LOCAL_BACKENDS:
        for job in jobs:
            yield work(job, options, reviewer)
        return
    yield from shared_with_workers(
        jobs,
        lambda job: work(job, options, reviewer),
        work,
        (options,),
        workers,
        _worker_failed,
        _warm,
        (options,),
    )


def _worker_failed(job: Job, exc: BaseException) -> Outcome:
    """A worker that died (BrokenProcessPool) fails its document only."""
    return Outcome(job, Prepared(path=job.path), error=f"worker process failed ({type(exc).__name__})")


# --- the main process: write each result as it arrives ---------------------------------------


class Writer:
    """Writes finished documents' files on a thread of its own, in the order given, so that this
    process works on the next document while the disk syncs the last page (fsync releases the
    GIL). After a failed write nothing more is written (a review never lands without its page);
    `close` waits for every write and raises the first error."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[list[tuple[Path, str, bool]] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="triage-writer", daemon=True)
        self._thread.start()

    def put(self, files: list[tuple[Path, str, bool]]) -> None:
        """Write each (path, text, durable) with `write_atomic`, after everything put before."""
        if self._error is not None:
            raise self._error
        self._queue.put(files)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (files := self._queue.get()) is not None:
            if self._error is not None:
                continue  # after a failure: nothing more is written
            try:
                for path, text, durable in files:
                    write_atomic(path, text, durable=durable)
            except BaseException as exc:  # handed to the main thread by `put` or `close`
                self._error = exc


class ResultSink:
    """Writes a document's page and review as soon as it finishes, feeds the store in batches, keeps count."""

    def __init__(self, out: Path, store: ClauseStore | None, plan: TriagePlan) -> None:
        self.writer = Writer()
        self.out = out
        self.store = store
        self.finished = plan.finished
        self.reviews = dict(plan.finished)
        self.failed = list(plan.failed)
        self.reviewed: list[str] = []
        self.pending: list[Prepared] = []
        self.seconds = {"write": 0.0, "index": 0.0}
        self.accepted: dict[str, str] = {}  # doc_id -> path
        self.duplicates: list[tuple[str, str]] = []
        self.warnings: list[str] = []

    def accept(self, outcome: Outcome) -> None:
        for stage, spent in outcome.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + spent
        document = outcome.prepared.document
        review = outcome.review or self.finished.get(outcome.job.doc_id)
        warnings = document.warnings if document is not None else outcome.prepared.warnings
        self.warnings.extend(f"{outcome.job.path}: {w}" for w in warnings)
        if outcome.error or document is None or review is None:
            reason = outcome.error or "no result"
            self.failed.append(Failure(path=outcome.job.path, reason=reason, warnings=warnings))
            return
        if outcome.job.doc_id in self.accepted:  # the same bytes under another extension
            self.duplicates.append((outcome.job.path, self.accepted[outcome.job.doc_id]))
            return
        self.accepted[outcome.job.doc_id] = outcome.job.path
        started = time.perf_counter()
        page = html.document_page(review, document.text, document.page_starts)
        files = [(page_path(self.out, outcome.job.doc_id), page, True)]
        if outcome.review is not None:  # the review file last: it marks the document finished
            # Not synced (one fsync a document, not two): the page before it is on disk before
            # this file exists, and `load_result` validates a review in full, so one cut short by
            # a power failure is redone, never read. A process that dies mid-write leaves only a
            # .tmp file either way (the rename is atomic).
            files.append((review_path(self.out, outcome.job.doc_id), review.model_dump_json(indent=1), False))
            self.reviews[outcome.job.doc_id] = review
            self.reviewed.append(outcome.job.doc_id)
        self.writer.put(files)
        self.seconds["write"] += time.perf_counter() - started
        if self.store is not None:
            self.pending.append(outcome.prepared)
            if sum(len(p.clauses) for p in self.pending) >= FLUSH_CLAUSES:
                self.flush()

    def flush(self) -> None:
        started = time.perf_counter()
        if self.store is not None and self.pending:
            index_documents(self.store, self.pending)
        self.pending = []
        self.seconds["index"] += time.perf_counter() - started


def index_documents(store: ClauseStore, batch: list[Prepared]) -> None:
    """Add reviewed documents to the store so `search` and `similar` see them, several per call."""
    store.add_many(
        [
            (p.document, p.clauses, p.vectors)
            for p in batch
            if p.document is not None and p.vectors is not None
        ]
    )


def run_triage(
    paths: list[Path],
    out: Path,
    options: TriageOptions,
    *,
    store: ClauseStore | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    reviewer: Reviewer | None = None,
    reuse: tuple[Path, ...] = (),
) -> TriageResult:
    """Review every new or changed MOU under `paths` into `out`; reuse finished results (also
    those in `reuse` folders, e.g. a triage run that `compare` builds on).

    `reviewer` is for backends built with settings (llm); offline and keyword are built here.
    """
    checklist = load_checklist(options.checklist)
    reviewer = reviewer or _reviewer(options.backend)
    prompt_version = getattr(reviewer, "prompt_version", None)
    rules = rules_key(checklist, reviewer, options.top_k, options.embedding)

    def expected(doc_id: str) -> ResultKey:
        return ResultKey(doc_id, checklist.id, checklist.version, reviewer.name, prompt_version, rules)

    indexed = store.document_ids() if store is not None else None
    plan = make_plan(paths, out, expected, options.force, indexed, options.load, reuse)
    if on_start:
        on_start(len(plan.jobs))
    sink = ResultSink(out, store, plan)
    try:
        with closing(outcomes(plan.jobs, options, reviewer)) as stream:
            for outcome in stream:
                sink.accept(outcome)
                if on_done:
                    on_done(outcome)
    finally:
        sink.writer.close()  # every accepted document's files are on disk before this returns or raises
    sink.flush()
    later = {path for path, _ in sink.duplicates}
    rows, ordered = summary.summarize(
        [o for o in plan.order if o[1] not in later], sink.reviews, options.as_of
    )
    reused = [doc_id for doc_id in plan.finished if doc_id not in sink.reviewed]
    return TriageResult(
        rows,
        ordered,
        sink.failed,
        sink.reviewed,
        reused,
        plan.duplicates + sink.duplicates,
        sink.seconds,
        discovery=plan.discovery,
        warnings=sink.warnings,
    )


def write_summary(out: Path, result: TriageResult, title: str = "MOU triage") -> list[Path]:
    """triage.csv, triage.json, index.html and failed.json (only when something failed)."""
    written = {
        out / "triage.csv": tables.triage_csv(result.rows),
        out / "triage.json": json.dumps([r.model_dump() for r in result.rows], indent=1),
        out / "index.html": html.index_page(result.rows, result.failed, title=title),
    }
    failed_path = out / "failed.json"
    if result.failed:
        written[failed_path] = json.dumps([f.model_dump() for f in result.failed], indent=1)
    else:
        failed_path.unlink(missing_ok=True)
    for path, text in written.items():
        write_atomic(path, text)
    return list(written)
