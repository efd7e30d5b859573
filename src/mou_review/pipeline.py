"""The one per-document pipeline: load → segment → embed → retrieve → review → ground → score.

`review`, `redline`, `triage`, `compare` and `eval` all reach a `DocumentReview` through
`review_file` (or `review_prepared`, when a batch worker has prepared the file already), so they
see the same clauses and give the same findings. The Chroma store is not on this path: it serves
search, `similar` and resumable batches, and it is named by `index_key`, so an index built by
other code or another embedding model is never read as if it were current.

The keys (`versions`) are digests of the code that shapes them: a change to the segmenter
re-indexes, a change to a rule redoes a finished review.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .checklist import Checklist
from .config import Settings
from .errors import DocumentError
from .ingest import Prepared, prepare
from .metadata import read_manifest
from .models import DocumentReview
from .review import review_document
from .reviewers import Reviewer
from .reviewers.base import ProgressCallback
from .versions import rules_key

log = logging.getLogger(__name__)


def review_prepared(
    prepared: Prepared,
    checklist: Checklist,
    reviewer: Reviewer,
    *,
    top_k: int,
    embedding: str,
    on_progress: ProgressCallback | None = None,
) -> DocumentReview:
    """Retrieve, review, ground and score one prepared document; the review carries its rules key."""
    if prepared.document is None or prepared.vectors is None:
        raise DocumentError(prepared.path, prepared.error or "could not be read")
    review = review_document(
        prepared.document,
        prepared.clauses,
        prepared.vectors,
        checklist,
        reviewer,
        top_k=top_k,
        embedding=embedding,
        on_progress=on_progress,
    )
    review.rules = rules_key(checklist, reviewer, top_k, embedding)
    log.info("%s: %d clauses, risk %s", Path(prepared.path).name, len(prepared.clauses), review.risk_score)
    return review


def prepare_file(path: Path, settings: Settings) -> Prepared:
    """Load, segment and embed one file, with the manifest beside it; a bad file raises one line."""
    prepared = prepare(str(path), read_manifest(path.parent), settings.retrieval.embedding, settings.load)
    if prepared.document is None or prepared.vectors is None:
        raise DocumentError(path, prepared.error or "could not be read")
    return prepared


def review_file(
    path: Path,
    settings: Settings,
    checklist: Checklist,
    reviewer: Reviewer,
    on_progress: ProgressCallback | None = None,
) -> tuple[Prepared, DocumentReview]:
    """The whole pipeline for one file, in memory: what `review` and `redline` show."""
    prepared = prepare_file(path, settings)
    review = review_prepared(
        prepared,
        checklist,
        reviewer,
        top_k=settings.retrieval.top_k,
        embedding=settings.retrieval.embedding,
        on_progress=on_progress,
    )
    return prepared, review
