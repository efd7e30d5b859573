"""A trivial baseline: missing when no topic keyword appears, else present. Shows the margin."""

from __future__ import annotations

import re

from ..checklist import Requirement
from ..models import Clause, Document, Finding, ScoredClause, Status
from ..quotes import quote_at


class KeywordReviewer:
    name = "keyword"

    def review(
        self,
        document: Document,
        requirement: Requirement,
        retrieved: list[ScoredClause],
        clauses: list[Clause],
    ) -> tuple[Finding, list[str]]:
        finding = Finding(
            requirement_id=requirement.id,
            status=Status.missing,
            severity=requirement.severity,
            rationale="no keyword found",
        )
        keywords = requirement.signals.topic + requirement.signals.strong
        for clause in clauses:
            for pattern in keywords:
                if m := re.search(pattern, clause.text, re.I):
                    present = finding.model_copy(
                        update={"status": Status.present, "rationale": f"keyword '{m.group(0)[:40]}'"}
                    )
                    return present, [quote_at(clause.text, m.start(), m.end())]
        return finding, []
