"""The one-method interface every reviewer implements."""

from __future__ import annotations

from typing import Protocol

from ..checklist import Requirement
from ..models import Clause, Document, Finding, ScoredClause


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
