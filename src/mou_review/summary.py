"""Triage summaries: one row per MOU (risk, deficiencies by severity, who, where, when), worst first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from .facts import review_due
from .models import DocumentReview, FactValue, Severity


class TriageRow(BaseModel):
    """One MOU in triage.csv / triage.json."""

    doc_id: str
    file: str
    path: str
    title: str | None = None
    parties: list[str]
    district: str | None = None
    state: str | None = None
    year: int | None = None
    backend: str
    checklist: str
    risk_score: float
    critical: int
    major: int
    minor: int
    deficient: list[str]
    ocr: bool = Field(False, description="some of the text was read by OCR: check quotes against the scan")
    ocr_confidence: float | None = Field(None, description="mean OCR confidence of its OCR'd pages (0-100)")
    warnings: list[str] = Field(default_factory=list, description="non-fatal problems reading the file")
    contrary: list[str] = Field(default_factory=list, description="deficient because of contrary language")
    nces_id: str | None = None
    facts: dict[str, FactValue | None] = Field(default_factory=dict, description="normalised facts")
    review_due: str | None = Field(None, description="term end or first scheduled review (ISO)")
    overdue: bool | None = Field(None, description="review_due is before the --as-of date")

    @classmethod
    def from_review(cls, review: DocumentReview, path: str, as_of: date | None = None) -> TriageRow:
        info = review.document
        deficient = [f for f in review.findings if f.deficient]
        due = review_due(review.facts)
        return cls(
            doc_id=info.doc_id,
            file=Path(path).name,
            path=path,
            title=info.title,
            parties=info.parties,
            district=info.district,
            state=info.state,
            year=info.year,
            backend=review.backend,
            checklist=f"{review.checklist} v{review.checklist_version}",
            risk_score=review.risk_score,
            critical=sum(f.severity == Severity.critical for f in deficient),
            major=sum(f.severity == Severity.major for f in deficient),
            minor=sum(f.severity == Severity.minor for f in deficient),
            deficient=[f.requirement_id for f in deficient],
            ocr=info.ocr,
            ocr_confidence=info.ocr_confidence,
            warnings=info.warnings,
            contrary=[f.requirement_id for f in deficient if getattr(f, "contrary", False)],
            nces_id=info.nces_id,
            facts=review.facts.normalized() if review.facts else {},
            review_due=due.isoformat() if due else None,
            overdue=(due < (as_of or date.today())) if due else None,
        )


class Failure(BaseModel):
    """A file that could not be reviewed, and why."""

    path: str
    reason: str
    warnings: list[str] = Field(
        default_factory=list, description="noticed while reading it, before it failed"
    )


def summarize(
    order: list[tuple[str, str]], reviews: dict[str, DocumentReview], as_of: date | None = None
) -> tuple[list[TriageRow], list[DocumentReview]]:
    """Rows worst first: risk, then critical and major deficiencies, then file name."""
    pairs = [
        (TriageRow.from_review(reviews[doc_id], path, as_of), reviews[doc_id])
        for doc_id, path in order
        if doc_id in reviews
    ]
    pairs.sort(key=lambda p: (-p[0].risk_score, -p[0].critical, -p[0].major, p[0].file))
    return [row for row, _ in pairs], [review for _, review in pairs]
