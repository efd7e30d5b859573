"""What the LLM reviewer says to the model and what it expects back: pure, no LangChain here.

The prompts come from the versioned templates in prompts/review/; the document's clauses are
fenced between FENCE_OPEN and FENCE_CLOSE as data. `Verdicts` is the structured answer the
model must return; `to_finding` turns one verdict into an (ungrounded) Finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..checklist import Requirement
from ..models import Clause, Document, Finding, ScoredClause, Status
from ..prompt_templates import fill

PROMPT_VERSION = "review-v2"  # templates in prompts/review/v2/; part of every output and cache key
_TASK, _VERSION = PROMPT_VERSION.split("-")
FENCE_OPEN, FENCE_CLOSE = "<<<MOU_TEXT", "MOU_TEXT>>>"


class Verdict(BaseModel):
    """The model's judgement of one requirement (what it returns, not yet a grounded Finding)."""

    model_config = ConfigDict(extra="forbid")

    requirement_id: str = Field(description="id of the requirement judged, as given")
    # quotes come before status: a model writing fields in order picks its evidence first
    quotes: list[str] = Field(description="sentences copied exactly from the MOU text, at most 3")
    status: Literal["present", "weak", "missing", "not_applicable"]
    issues: list[str] = Field(description="snake_case codes of what falls short; empty when present")
    rationale: str = Field(description="one or two sentences saying why, naming clause ids")


class Verdicts(BaseModel):
    """One call's answer: a verdict per requirement it was given."""

    model_config = ConfigDict(extra="forbid")

    verdicts: list[Verdict]


class AdaptedClause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clause: str = Field(description="the model clause rewritten in the agreement's own terms and style")


def fence_safe(text: str) -> str:
    """Document text cannot close the fence early: the marker characters are neutralised."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def data_line(text: str) -> str:
    """A document-derived label (title, heading, file name) as one fenced-safe line: it cannot
    close the fence, start a line of its own or fake a clause label."""
    return " ".join(fence_safe(text).replace("[", "(").replace("]", ")").split())


def _requirement_text(requirement: Requirement, retrieved: list[ScoredClause]) -> str:
    return fill(
        _TASK,
        _VERSION,
        "requirement",
        id=requirement.id,
        title=requirement.title,
        severity=requirement.severity.value,
        conditional=" (conditional: not_applicable allowed)" if requirement.conditional else "",
        description=requirement.description,
        present=requirement.present,
        weak=requirement.weak or "falls short of 'present when'",
        clause_ids=", ".join(str(s.clause.index) for s in retrieved) or "none",
    )


def _clause_text(clause: Clause) -> str:
    heading = f" | {data_line(clause.heading_path[-1])}" if clause.heading_path else ""
    return f"[clause {clause.index} | page {clause.page}{heading}]\n{fence_safe(clause.text)}"


def build_messages(
    checklist_title: str, document: Document, group: list[tuple[Requirement, list[ScoredClause]]]
) -> tuple[str, str]:
    """System and user prompt for one call: the requirements, and their clauses fenced as data."""
    system = fill(_TASK, _VERSION, "system", checklist_title=checklist_title)
    shown: dict[str, Clause] = {}
    for _, retrieved in group:
        for scored in retrieved:
            shown.setdefault(scored.clause.clause_id, scored.clause)
    clauses = sorted(shown.values(), key=lambda c: c.index)
    user = fill(
        _TASK,
        _VERSION,
        "user",
        count=len(group),
        requirements="\n".join(_requirement_text(r, retrieved) for r, retrieved in group),
        title=data_line(document.info.title or Path(document.info.path).name),
        pages=document.info.pages,
        clauses="\n\n".join(_clause_text(c) for c in clauses) or "(no clause was retrieved)",
        ids=", ".join(r.id for r, _ in group),
    )
    return system, user


def to_finding(requirement: Requirement, verdict: Verdict) -> tuple[Finding, list[str]]:
    """The model's verdict as an ungrounded Finding plus its quotes (grounding comes next)."""
    status = Status(verdict.status)
    issues = list(dict.fromkeys(i.strip() for i in verdict.issues if i.strip()))
    rationale = verdict.rationale.strip()
    if status is Status.not_applicable and not requirement.conditional:
        status, rationale = (
            Status.missing,
            f"{rationale} (not_applicable is only for conditional requirements)",
        )
    finding = Finding(
        requirement_id=requirement.id,
        status=status,
        severity=requirement.severity,
        issues=[] if status is Status.present else issues,
        rationale=rationale,
    )
    return finding, [q for q in verdict.quotes if q.strip()]
