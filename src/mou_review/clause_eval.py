"""Score a reviewer on a clause set: real MOU clauses, each reviewed as a one-clause document.

A clause is judged only on what it says. A requirement the clause does not address counts against
the reviewer only when it is flagged (marked present or weak): an excerpt is not penalised for the
rest of an agreement it does not contain, so `missing` and `not_applicable` claim nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError, computed_field

from .checklist import Checklist
from .config import Settings
from .errors import ConfigError
from .evaluate import each_timed, git_commit
from .models import Status

if TYPE_CHECKING:
    from .reviewers import Reviewer

Quality = Literal["explicit", "vague", "partial", "contrary"]
FLAGGED = (Status.present, Status.weak)
CLAUSES_FILE = "clauses.jsonl"


class ClauseRow(BaseModel):
    """One labelled clause; `labels == {}` is boilerplate that addresses no requirement."""

    id: str
    text: str = Field(min_length=1)
    source: str = ""
    source_group: str = ""
    query: str = ""
    labels: dict[str, Quality] = Field(default_factory=dict)
    split: str | None = None
    note: str = ""


class Rate(BaseModel):
    hits: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        return round(self.hits / self.total, 3) if self.total else None


class ClauseScores(BaseModel):
    """The clause-set metrics over a group of clause/requirement pairs."""

    recognised: Rate = Field(default_factory=Rate, description="labelled requirement marked present or weak")
    explicit_present: Rate = Field(default_factory=Rate, description="explicit label marked present")
    vague_weak: Rate = Field(default_factory=Rate, description="vague label marked weak")
    partial_weak: Rate = Field(default_factory=Rate, description="partial label marked weak")
    contrary_weak: Rate = Field(default_factory=Rate, description="contrary label marked weak")
    spurious: int = Field(
        0, description="flags (present or weak) on requirements the clause does not address"
    )
    clauses: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spurious_per_clause(self) -> float:
        return round(self.spurious / self.clauses, 3) if self.clauses else 0.0

    def summary(self) -> dict[str, float | None]:
        """The headline numbers, by metric name."""
        rates = {name: getattr(self, name).rate for name in RATE_METRICS}
        return {**rates, "spurious_per_clause": self.spurious_per_clause}


RATE_METRICS = ("recognised", "explicit_present", "vague_weak", "partial_weak", "contrary_weak")
_EXPECTED = {"explicit": ("explicit_present", Status.present), "vague": ("vague_weak", Status.weak)}
_EXPECTED |= {"partial": ("partial_weak", Status.weak), "contrary": ("contrary_weak", Status.weak)}


class ClauseEvalReport(BaseModel):
    kind: Literal["clauses"] = "clauses"
    set_name: str
    backend: str
    checklist: str
    checklist_version: int = 1
    split: str | None
    clauses: int
    overall: ClauseScores
    per_requirement: dict[str, ClauseScores]
    failures: list[str] = Field(
        default_factory=list, description="each miss: clause id, requirement, what happened"
    )
    clauses_per_second: float = 0.0
    git_commit: str | None = None
    created: str | None = None


def clause_file(path: Path) -> Path | None:
    """The clause set a path names (a .jsonl file, or a folder holding clauses.jsonl), if any."""
    if path.is_file() and path.suffix == ".jsonl":
        return path
    if path.is_dir() and (path / CLAUSES_FILE).is_file():
        return path / CLAUSES_FILE
    return None


def load_clauses(path: Path, checklist: Checklist, split: str | None = None) -> list[ClauseRow]:
    """Every row of a clause set (one JSON object a line), checked against the checklist's ids."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = ClauseRow.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.errors()[0]["msg"]
            raise ConfigError(f"{path}:{number}: not a clause row ({reason})") from exc
        unknown = sorted(set(row.labels) - set(checklist.ids))
        if unknown:
            raise ConfigError(f"{path}:{number}: unknown requirement id {unknown[0]!r}")
        if split is None or row.split == split:
            rows.append(row)
    if not rows:
        raise ConfigError(f"{path}: no clauses{f' in split {split!r}' if split else ''}")
    return rows


def score_clauses(
    rows: list[ClauseRow], predictions: list[dict[str, Status]], requirement_ids: list[str]
) -> tuple[ClauseScores, dict[str, ClauseScores], list[str]]:
    """Overall and per-requirement scores, and one line per miss (pure: no reviewer involved)."""
    overall = ClauseScores(clauses=len(rows))
    per = {rid: ClauseScores(clauses=len(rows)) for rid in requirement_ids}
    failures: list[str] = []
    for row, predicted in zip(rows, predictions, strict=True):
        for rid in requirement_ids:
            status = predicted.get(rid, Status.missing)
            quality = row.labels.get(rid)
            if quality is None:
                if status in FLAGGED:
                    overall.spurious += 1
                    per[rid].spurious += 1
                    failures.append(f"{row.id}: {rid} not addressed, marked {status.value}")
                continue
            metric, wanted = _EXPECTED[quality]
            for scores in (overall, per[rid]):
                _count(scores.recognised, status in FLAGGED)
                _count(getattr(scores, metric), status == wanted)
            if status != wanted:
                failures.append(f"{row.id}: {rid} {quality}, marked {status.value}")
    return overall, per, failures


def _count(rate: Rate, hit: bool) -> None:
    rate.total += 1
    rate.hits += hit


def run_clause_eval(
    path: Path,
    checklist: Checklist,
    backend: str,
    settings: Settings | None = None,
    split: str | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[str], None] | None = None,
) -> ClauseEvalReport:
    """Review every clause as a one-clause document with `backend` and score the findings."""
    from .reviewers import make_reviewer

    settings = settings or Settings()
    rows = load_clauses(path, checklist, split)
    reviewer = make_reviewer(backend, settings, checklist)
    predictions, seconds = predict_clauses(rows, checklist, reviewer, settings, on_start, on_document)
    overall, per, failures = score_clauses(rows, predictions, checklist.ids)
    return ClauseEvalReport(
        set_name=path.parent.name if path.name == CLAUSES_FILE else path.stem,
        backend=backend,
        checklist=checklist.id,
        checklist_version=checklist.version,
        split=split,
        clauses=len(rows),
        overall=overall,
        per_requirement=per,
        failures=failures,
        clauses_per_second=round(len(rows) / seconds, 2) if seconds > 0 else 0.0,
        git_commit=git_commit(),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def predict_clauses(
    rows: list[ClauseRow],
    checklist: Checklist,
    reviewer: Reviewer,
    settings: Settings,
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, Status]], float]:
    """Each row's statuses, reviewed as a one-clause document through the `review` pipeline."""
    from .documents import document_from_text
    from .embeddings import get_embedder
    from .ingest import Prepared
    from .pipeline import review_prepared
    from .segment import segment

    embedding = settings.retrieval.embedding
    embedder = get_embedder(embedding)

    def predict(row: ClauseRow) -> dict[str, Status]:
        document = document_from_text(row.text, f"{row.id}.txt")
        clauses = segment(document)
        vectors = embedder.embed([c.context_text() for c in clauses])
        prepared = Prepared(path=f"{row.id}.txt", document=document, clauses=clauses, vectors=vectors)
        review = review_prepared(
            prepared, checklist, reviewer, top_k=settings.retrieval.top_k, embedding=embedding
        )
        return {f.requirement_id: f.status for f in review.findings}

    return each_timed(rows, predict, lambda row: row.id, on_start, on_document)
