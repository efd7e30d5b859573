"""The interface every reviewer implements, and the optional batch method a remote reviewer adds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..checklist import Requirement
from ..models import Clause, Document, Finding, ScoredClause

ProgressCallback = Callable[[int, int], None]


class Reviewer(Protocol):
    name: str

    def review(
        self,
        document: Document,
        requirement: Requirement,
        retrieved: list[ScoredClause],
        clauses: list[Clause],
    ) -> tuple[Finding, list[str]]:
        """A finding plus the raw quotes it rests on (grounding locates or drops them)."""
        ...


@dataclass
class ReviewBatch:
    """Every requirement of one document judged at once, plus what it cost."""

    results: list[tuple[Finding, list[str]]]
    usage: dict[str, float] = field(default_factory=dict)
    prompt_version: str | None = None
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class BatchReviewer(Protocol):
    """A reviewer that judges a document's requirements concurrently (one network round trip each)."""

    name: str

    def review_many(
        self,
        document: Document,
        requirements: list[Requirement],
        retrieved: list[list[ScoredClause]],
        clauses: list[Clause],
        on_progress: ProgressCallback | None = None,
    ) -> ReviewBatch:
        """One (finding, quotes) pair per requirement, in the order given."""
        ...
