"""The pydantic models at every boundary: documents, clauses, checklist, findings, reviews."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, computed_field


class Status(StrEnum):
    present = "present"
    weak = "weak"
    missing = "missing"
    not_applicable = "not_applicable"

    @property
    def deficient(self) -> bool:
        return self in (Status.weak, Status.missing)


class Severity(StrEnum):
    critical = "critical"
    major = "major"
    minor = "minor"


SEVERITY_RANK = {Severity.minor: 1, Severity.major: 2, Severity.critical: 3}


class OcrPage(BaseModel):
    """A page whose text came from OCR, and how sure Tesseract was of its words."""

    page: int = Field(description="1-based page number")
    confidence: float = Field(description="Tesseract's mean word confidence, 0-100")


class DocumentInfo(BaseModel):
    """What is known about one MOU besides its text."""

    doc_id: str = Field(description="content hash of the file bytes (first 16 hex digits of sha256)")
    path: str
    title: str | None = None
    parties: list[str] = Field(
        default_factory=list, description="agency and district, as the text names them"
    )
    pages: int = 1
    effective_date: str | None = None
    district: str | None = None
    state: str | None = None
    year: int | None = None
    split: str | None = None
    ocr_pages: list[OcrPage] = Field(
        default_factory=list, description="pages read by OCR (check quotes from them against the scan)"
    )
    revisions: int = Field(0, description="pending tracked changes in the DOCX")
    revisions_view: str | None = Field(None, description="accepted or original, when it had revisions")
    converted_from: str | None = Field(None, description="original format, when LibreOffice converted it")
    warnings: list[str] = Field(default_factory=list, description="non-fatal load problems")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ocr(self) -> bool:
        """Some of the text came from OCR."""
        return bool(self.ocr_pages)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ocr_confidence(self) -> float | None:
        """Mean OCR confidence over the OCR'd pages (0-100)."""
        if not self.ocr_pages:
            return None
        return round(sum(p.confidence for p in self.ocr_pages) / len(self.ocr_pages), 1)

    def ocr_confidence_of(self, page: int) -> float | None:
        return next((p.confidence for p in self.ocr_pages if p.page == page), None)

    nces_id: str | None = Field(None, description="NCES district id from manifest.csv, a join key")


class Document(BaseModel):
    """A loaded MOU: normalised text plus where each page starts in it."""

    info: DocumentInfo
    text: str
    page_starts: list[int] = Field(default_factory=lambda: [0])

    @property
    def warnings(self) -> list[str]:
        """Non-fatal load problems (an encoding guess, pages left unread)."""
        return self.info.warnings

    def page_at(self, offset: int) -> int:
        """1-based page number holding character `offset`."""
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
            else:
                break
        return page


class Clause(BaseModel):
    """One retrievable unit of an MOU: a numbered section or paragraph with its heading path."""

    clause_id: str
    doc_id: str
    index: int
    heading_path: list[str] = Field(default_factory=list)
    text: str
    start: int
    end: int
    page: int

    def context_text(self) -> str:
        """Text used for embedding and BM25: the nearest heading gives a clause its topic."""
        return f"{self.heading_path[-1]}: {self.text}" if self.heading_path else self.text


class ScoredClause(BaseModel):
    clause: Clause
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    learned: float | None = None  # the clause model's probability that it addresses the requirement


class Evidence(BaseModel):
    quote: str
    start: int = Field(description="character offset into the document's extracted text")
    end: int
    page: int
    match: str = Field("exact", description="how the quote was located: exact, normalized or fuzzy")
    ocr: bool = Field(False, description="the quote rests on OCR text: check it against the scan")
    ocr_confidence: float | None = Field(None, description="OCR confidence of its page (0-100)")


class Finding(BaseModel):
    requirement_id: str
    status: Status
    severity: Severity
    issues: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    rationale: str = ""
    redline: str | None = None
    backend: str | None = Field(None, description="set when a finding came from a fallback backend")
    ungrounded_quotes: int = Field(0, description="quotes proposed by the reviewer that were not found")
    offtopic_quotes: int = Field(0, description="located quotes dropped as not about the requirement")
    needs_review: bool = Field(False, description="the LLM and the offline rules disagree sharply here")
    contrary: bool = Field(
        False, description="weak because the MOU says the opposite of the guidance, not because it is silent"
    )

    @property
    def deficient(self) -> bool:
        return self.status.deficient


FactValue = str | int | float | bool


class Fact(BaseModel):
    """One fact: the words as written, their normalised form, and where the text says it."""

    value: str = Field(description="the text's own words for the fact")
    normalized: FactValue = Field(description="ISO date, USD amount, months, count, bool or name")
    quote: Evidence | None = Field(None, description="the sentence that states the fact, located")


class Facts(BaseModel):
    """What an MOU states as data (see facts.py); a fact the text does not state is None."""

    effective_date: Fact | None = Field(None, description="ISO YYYY-MM-DD")
    term_end: Fact | None = Field(None, description="ISO YYYY-MM-DD, the last day of the term")
    auto_renews: Fact | None = None
    review_cycle_months: Fact | None = Field(None, description="how often the MOU itself is reviewed")
    district_share_percent: Fact | None = Field(None, description="district's share of SRO pay")
    district_annual_cost: Fact | None = Field(None, description="USD a year, the first year stated")
    sro_count: Fact | None = None
    training_hours: Fact | None = Field(None, description="yearly in-service hours")
    agency: Fact | None = None
    district: Fact | None = None

    def normalized(self) -> dict[str, FactValue | None]:
        """fact name -> normalised value (None when not stated), for CSV columns and scoring."""
        return {
            name: (f.normalized if (f := getattr(self, name)) else None) for name in type(self).model_fields
        }


class DocumentReview(BaseModel):
    document: DocumentInfo
    checklist: str
    checklist_version: int = 1
    backend: str
    prompt_version: str | None = None
    findings: list[Finding]
    risk_score: float
    notes: list[str] = Field(default_factory=list)
    ungrounded_quotes: int = 0
    usage: dict[str, float] = Field(default_factory=dict, description="LLM tokens and estimated cost")
    facts: Facts | None = Field(None, description="dates, cost, officers and parties as data")
    rules: str | None = Field(
        None, description="digest of the checklist file, reviewer code and retrieval that made this review"
    )

    def finding(self, requirement_id: str) -> Finding | None:
        return next((f for f in self.findings if f.requirement_id == requirement_id), None)
