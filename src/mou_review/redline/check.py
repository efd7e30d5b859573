"""Does a suggested clause pass its own requirement? The clause alone, under its heading, is
reviewed like any agreement; a library clause or a model's rewrite that the offline reviewer
would still flag is not worth suggesting.
"""

from __future__ import annotations

from ..checklist import Checklist
from ..embeddings import get_embedder
from ..models import Document, DocumentInfo, Finding
from ..review import review_document
from ..reviewers import Reviewer
from ..segment import segment


def clause_finding(
    checklist: Checklist,
    requirement_id: str,
    heading: str,
    text: str,
    reviewer: Reviewer,
    *,
    embedding: str = "wordllama",
) -> Finding:
    """The reviewer's finding for `requirement_id` on a document holding only this clause."""
    document = Document(
        info=DocumentInfo(doc_id=f"clause-{requirement_id}", path=f"{requirement_id}.txt"),
        text=f"{heading}\n\n{text}\n",
    )
    clauses = segment(document)
    vectors = get_embedder(embedding).embed([c.context_text() for c in clauses])
    review = review_document(document, clauses, vectors, checklist, reviewer, embedding=embedding)
    finding = review.finding(requirement_id)
    if finding is None:
        raise KeyError(requirement_id)
    return finding
