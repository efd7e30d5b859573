"""Comparison across districts: MOUs x requirements, a status per cell, prevalence, grouped views.

The matrix is built from DocumentReviews only (the triage results), so every cell is by
construction what the review of that MOU says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .checklist import Checklist
from .models import DocumentReview, FactValue, Severity, Status

GroupBy = Literal["state", "year"]
STATUS_COLOUR = {
    Status.present: "#4caf50",
    Status.weak: "#ffc107",
    Status.missing: "#e53935",
    Status.not_applicable: "#c8c8c8",
}
UNKNOWN_GROUP = "unknown"
CONTRARY = "contrary"
CONTRARY_COLOUR = "#8e24aa"


@dataclass
class MatrixRow:
    doc_id: str
    file: str
    district: str
    state: str | None
    year: int | None
    risk_score: float
    statuses: dict[str, Status]
    ocr_findings: set[str] = field(default_factory=set)  # requirements whose evidence rests on OCR text
    ocr: bool = False
    contrary: set[str] = field(default_factory=set)  # weak because the MOU says the opposite
    facts: dict[str, FactValue | None] = field(default_factory=dict)
    nces_id: str | None = None

    def cell_label(self, requirement_id: str) -> str:
        """The status, or 'contrary' for a weak finding that contrary language decided."""
        if requirement_id in self.contrary:
            return CONTRARY
        status = self.statuses.get(requirement_id)
        return status.value if status else ""

    def group(self, by: GroupBy) -> str:
        value = self.state if by == "state" else self.year
        return str(value) if value is not None else UNKNOWN_GROUP


@dataclass
class Matrix:
    requirement_ids: list[str]
    severities: dict[str, Severity]
    titles: dict[str, str]
    rows: list[MatrixRow]

    def cell(self, doc_id: str, requirement_id: str) -> Status | None:
        row = next((r for r in self.rows if r.doc_id == doc_id), None)
        return row.statuses.get(requirement_id) if row else None


class Prevalence(BaseModel):
    """How many MOUs address one requirement, and how well."""

    requirement_id: str
    severity: Severity
    documents: int
    present: int
    weak: int = Field(description="weak for want of detail (contrary findings are counted apart)")
    missing: int
    not_applicable: int
    contrary: int = Field(0, description="weak because the MOU says the opposite of the guidance")

    @property
    def applicable(self) -> int:
        """The MOUs a (conditional) requirement applies to: both shares are of these."""
        return self.documents - self.not_applicable

    @property
    def addressed_share(self) -> float:
        """Present, weak or contrary: the MOU at least names the topic."""
        return (self.present + self.weak + self.contrary) / self.applicable if self.applicable else 0.0

    @property
    def deficient_share(self) -> float:
        return (self.weak + self.missing + self.contrary) / self.applicable if self.applicable else 0.0

    @property
    def contrary_share(self) -> float:
        """MOUs whose text goes against the requirement (e.g. the SRO enforces school rules)."""
        return self.contrary / self.applicable if self.applicable else 0.0


def build_matrix(reviews: list[DocumentReview], checklist: Checklist, group_by: GroupBy = "state") -> Matrix:
    """Rows grouped (state or year), worst first within a group; columns in checklist order."""
    rows = [
        MatrixRow(
            doc_id=r.document.doc_id,
            file=Path(r.document.path).name,
            district=r.document.district or "; ".join(r.document.parties) or Path(r.document.path).stem,
            state=r.document.state,
            year=r.document.year,
            risk_score=r.risk_score,
            statuses={f.requirement_id: f.status for f in r.findings},
            ocr_findings={f.requirement_id for f in r.findings if any(e.ocr for e in f.evidence)},
            ocr=r.document.ocr,
            contrary={f.requirement_id for f in r.findings if f.contrary and f.deficient},
            facts=r.facts.normalized() if r.facts else {},
            nces_id=r.document.nces_id,
        )
        for r in reviews
    ]
    rows.sort(
        key=lambda row: (row.group(group_by) == UNKNOWN_GROUP, row.group(group_by), -row.risk_score, row.file)
    )
    return Matrix(
        requirement_ids=checklist.ids,
        severities={r.id: r.severity for r in checklist.requirements},
        titles={r.id: r.title for r in checklist.requirements},
        rows=rows,
    )


def prevalence(matrix: Matrix, rows: list[MatrixRow] | None = None) -> list[Prevalence]:
    """Status counts per requirement over `rows` (default: every MOU)."""
    rows = matrix.rows if rows is None else rows
    out = []
    for rid in matrix.requirement_ids:
        statuses = [row.statuses.get(rid) for row in rows]
        counts = {s.value: statuses.count(s) for s in Status}
        contrary = sum(rid in row.contrary for row in rows)
        counts["weak"] -= contrary
        out.append(
            Prevalence(
                requirement_id=rid,
                severity=matrix.severities[rid],
                documents=len(rows),
                contrary=contrary,
                **counts,
            )
        )
    return out


def grouped_prevalence(matrix: Matrix, by: GroupBy) -> dict[str, list[Prevalence]]:
    """Prevalence within each state or year (groups in matrix order)."""
    groups: dict[str, list[MatrixRow]] = {}
    for row in matrix.rows:
        groups.setdefault(row.group(by), []).append(row)
    return {name: prevalence(matrix, rows) for name, rows in groups.items()}


def headline(p: Prevalence, title: str) -> str:
    """'FERPA and student records: addressed in 41% of MOUs (present in 30%)'."""
    present = p.present / p.applicable if p.applicable else 0.0
    of = "MOUs" if p.applicable == p.documents else f"the {p.applicable} MOUs it applies to"
    return f"{title}: addressed in {p.addressed_share:.0%} of {of} (present in {present:.0%})"
