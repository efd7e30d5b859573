"""Redline suggestions: model clauses for deficient requirements, as tracked changes or Markdown.

library (clause language, filled with the parties) -> adapt (offline: as written; llm: fitted to
the agreement) -> plan (where each edit goes, pure) -> docx_out (tracked changes) or render.redline (Markdown).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from ..checklist import Checklist
from ..models import Clause, Document, DocumentInfo, DocumentReview, Status
from ..retrieve import embed_queries, rank_in_memory
from ..review import requirement_queries
from ..reviewers.offline import OfflineReviewer
from .adapt import ClauseAdapter, LibraryClauseAdapter, make_adapter
from .check import clause_finding
from .library import ModelClause, Parties, fill, load_library, parties_from
from .plan import EditKind, RedlineEdit, Suggestion, plan_edits


class RedlinePlan(BaseModel):
    document: DocumentInfo
    checklist: str
    backend: str
    parties: Parties
    edits: list[RedlineEdit]


def plan_redline(
    document: Document,
    clauses: list[Clause],
    vectors: np.ndarray,
    review: DocumentReview,
    checklist: Checklist,
    adapter: ClauseAdapter,
    *,
    manifest_row: dict[str, str] | None = None,
    embedding: str = "wordllama",
) -> RedlinePlan:
    """Suggested edits for every deficient finding of `review` that the clause library covers."""
    library = load_library(checklist.id)
    parties = parties_from(document, manifest_row)
    related = related_clauses(checklist, clauses, vectors, embedding)
    suggestions = {}
    for finding in review.findings:
        model = library.get(finding.requirement_id)
        if not finding.deficient or model is None:
            continue
        anchors = related.get(finding.requirement_id) or []
        excerpt = finding.evidence[0].quote if finding.evidence else (anchors[0].text if anchors else "")
        suggestions[model.id] = Suggestion(
            requirement_id=model.id,
            heading=model.heading,
            text=checked_adaptation(adapter, checklist, model, fill(model, parties), excerpt, embedding),
            source=model.source,
            headings=model.headings,
            contradicts=model.contradicts,
        )
    edits = plan_edits(review, document, clauses, related, suggestions, checklist)
    return RedlinePlan(
        document=document.info, checklist=checklist.id, backend=adapter.name, parties=parties, edits=edits
    )


def checked_adaptation(
    adapter: ClauseAdapter,
    checklist: Checklist,
    model: ModelClause,
    filled: str,
    excerpt: str,
    embedding: str,
) -> str:
    """The adapter's rewrite when the offline reviewer rates it `present` on its own, else the
    filled library clause: a model's rewording must not lose what the checklist asks for."""
    if isinstance(adapter, LibraryClauseAdapter):
        return filled
    adapted = adapter.adapt(model.id, filled, excerpt)
    if adapted == filled:
        return filled
    finding = clause_finding(
        checklist, model.id, model.heading, adapted, OfflineReviewer(), embedding=embedding
    )
    return adapted if finding.status == Status.present else filled


def related_clauses(
    checklist: Checklist, clauses: list[Clause], vectors: np.ndarray, embedding: str = "wordllama", k: int = 3
) -> dict[str, list[Clause]]:
    """The clauses retrieval ranks highest for each requirement (dense and BM25 fused), best first."""
    queries = requirement_queries(checklist)
    query_vectors = embed_queries(queries, embedding)
    ranked = rank_in_memory(queries, query_vectors, clauses, vectors, k, labels=checklist.ids)
    return {
        r.id: [hit.clause for hit in hits] for r, hits in zip(checklist.requirements, ranked, strict=True)
    }


__all__ = [
    "ClauseAdapter",
    "EditKind",
    "LibraryClauseAdapter",
    "RedlineEdit",
    "RedlinePlan",
    "checked_adaptation",
    "make_adapter",
    "plan_redline",
    "related_clauses",
]
