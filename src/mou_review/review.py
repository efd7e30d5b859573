"""Review one document: retrieve per requirement, ask the reviewer, ground every quote, score risk."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import cast

import numpy as np

from .checklist import Checklist
from .facts import extract_facts
from .grounding import Grounder, ground_finding
from .models import Clause, Document, DocumentReview, Finding, ScoredClause, Severity
from .provenance import load_notes, mark_ocr
from .retrieve import LexicalIndex, embed_queries, rank_in_memory
from .reviewers import BatchReviewer, ReviewBatch, Reviewer
from .reviewers.base import ProgressCallback
from .reviewers.matcher import confirm
from .stages import stage

log = logging.getLogger(__name__)
SEVERITY_WEIGHT = {Severity.critical: 3.0, Severity.major: 2.0, Severity.minor: 1.0}
STATUS_WEIGHT = {"missing": 1.0, "weak": 0.5}


def risk_score(findings: list[Finding]) -> float:
    """0-100: severity-weighted share of deficiency; missing counts fully, weak half.

    risk = 100 * sum(w_sev * w_status over deficient findings) / sum(w_sev over applicable findings)
    """
    applicable = [f for f in findings if f.status.value != "not_applicable"]
    total = sum(SEVERITY_WEIGHT[f.severity] for f in applicable)
    lost = sum(SEVERITY_WEIGHT[f.severity] * STATUS_WEIGHT.get(f.status.value, 0.0) for f in applicable)
    return round(100.0 * lost / total, 1) if total else 0.0


def requirement_queries(checklist: Checklist) -> list[str]:
    """One retrieval query per requirement, in checklist order."""
    return [" ".join(r.queries) for r in checklist.requirements]


@lru_cache(maxsize=8)
def _query_vectors(queries: tuple[str, ...], embedding: str) -> np.ndarray:
    """Requirement queries are embedded once per process, not once per document."""
    return embed_queries(queries, embedding)


def warm(checklist: Checklist, embedding: str = "wordllama") -> None:
    """Embed the checklist's queries now (worker start-up), not on the first document."""
    _query_vectors(tuple(requirement_queries(checklist)), embedding)


def review_document(
    document: Document,
    clauses: list[Clause],
    clause_vectors: np.ndarray,
    checklist: Checklist,
    reviewer: Reviewer,
    *,
    top_k: int = 6,
    embedding: str = "wordllama",
    on_progress: ProgressCallback | None = None,
) -> DocumentReview:
    """Every requirement of `checklist` judged on `document`, evidence located in its text."""
    with stage("retrieve"):
        queries = requirement_queries(checklist)
        lexical = LexicalIndex([c.context_text() for c in clauses])
        query_vectors = _query_vectors(tuple(queries), embedding)
        ranked = rank_in_memory(
            queries,
            query_vectors,
            clauses,
            clause_vectors,
            top_k,
            lexical=lexical,
            labels=checklist.ids,
            learned=_learned(reviewer, clause_vectors, checklist, embedding),
        )
    with stage("review"):
        batch = _judge(document, checklist, reviewer, ranked, clauses, on_progress)
    with stage("ground"):
        grounder = Grounder(document)
        findings = [mark_ocr(document, ground_finding(grounder, f, quotes)) for f, quotes in batch.results]
    for f in findings:
        log.info("decide %s: %s (%s); %s", f.requirement_id, f.status.value, f.severity.value, f.rationale)
    with stage("facts"):
        facts = extract_facts(document)
    with stage("score"):
        notes = [*load_notes(document.info), *batch.notes]
        if _incorporates_by_reference(document.text):
            notes.append(
                "incorporates an earlier agreement by reference; that agreement was not supplied and "
                "was not reviewed"
            )
        return DocumentReview(
            document=document.info,
            checklist=checklist.id,
            checklist_version=checklist.version,
            backend=reviewer.name,
            prompt_version=batch.prompt_version,
            findings=findings,
            risk_score=risk_score(findings),
            notes=notes,
            ungrounded_quotes=sum(f.ungrounded_quotes for f in findings),
            usage=batch.usage,
            facts=facts,
        )


def _learned(
    reviewer: Reviewer, clause_vectors: np.ndarray, checklist: Checklist, embedding: str
) -> np.ndarray | None:
    """The reviewer's clause model's scores, when it has one fitted on this embedding."""
    model = getattr(reviewer, "clause_model", None)
    if model is None or model.embedding != embedding:
        return None
    scores: np.ndarray = model.probabilities(clause_vectors, checklist.ids)
    return scores


def _judge(
    document: Document,
    checklist: Checklist,
    reviewer: Reviewer,
    ranked: list[list[ScoredClause]],
    clauses: list[Clause],
    on_progress: ProgressCallback | None,
) -> ReviewBatch:
    """The reviewer's finding and raw quotes per requirement; a remote one judges them concurrently."""
    if callable(getattr(reviewer, "review_many", None)):  # a BatchReviewer, told without the slow
        # isinstance of a runtime Protocol (it walks the class's members on every call)
        batched = cast(BatchReviewer, reviewer)
        return batched.review_many(document, checklist.requirements, ranked, clauses, on_progress)
    pairs = [
        reviewer.review(document, requirement, retrieved, clauses)
        for requirement, retrieved in zip(checklist.requirements, ranked, strict=True)
    ]
    return ReviewBatch(results=pairs)


_BY_REFERENCE = re.compile(r"incorporated (herein )?by reference|remain in full force and effect", re.I)


def _incorporates_by_reference(text: str) -> bool:
    return confirm(_BY_REFERENCE, text) is not None  # RE2 scans the whole text once, `re` only confirms
