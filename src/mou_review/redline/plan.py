"""Plan the redline: which deficient requirement gets which edit, where, and why (pure, no I/O).

A weak requirement replaces its weak clause only when that clause is really the weak language: it
matches the requirement's vague or contrary patterns, or it is on topic, lies in the clause
retrieval ranks first for the requirement, and is no other finding's evidence. A clause that merely mentions the
topic is left alone and the suggestion is inserted instead, so a redline never deletes good text
about something else. Insertions go after the section holding the clause retrieval ranked most
related to the requirement, but never into the signature block.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from ..checklist import Checklist, Requirement
from ..models import Clause, Document, DocumentReview, Evidence, Finding, Severity, Status
from ..segment import MARKERS

ANCHOR_CHARS = 160
_SIGNATURE_BLOCK = re.compile(
    r"in witness whereof|_{6,}|^\s*(?:signed|signatures?)\s*[:.]?\s*$", re.IGNORECASE | re.MULTILINE
)


EditKind = Literal["insert", "replace"]


class Suggestion(BaseModel):
    """A requirement's model clause, already filled with the parties (and adapted, if a model ran)."""

    requirement_id: str
    heading: str
    text: str
    source: str


class RedlineEdit(BaseModel):
    requirement_id: str
    title: str
    status: Status
    severity: Severity
    kind: EditKind
    start: int = Field(description="offset into the document text: the replaced text, or the insertion point")
    end: int
    page: int
    section: str | None = Field(None, description="heading of the section the edit is placed in or after")
    anchor_text: str = Field(
        description="replace: the replaced text; insert: the end of the paragraph the clause follows"
    )
    old_text: str | None = None
    heading: str
    new_text: str
    comment: str
    source: str


def plan_edits(
    review: DocumentReview,
    document: Document,
    clauses: list[Clause],
    related: dict[str, list[Clause]],
    suggestions: dict[str, Suggestion],
    checklist: Checklist,
) -> list[RedlineEdit]:
    """One edit per deficient finding that has a suggestion, in document order.

    `related` holds, per requirement id, the clauses retrieval ranked highest, best first.
    """
    evidence_owners = _evidence_owners(review.findings)
    taken: list[tuple[int, int]] = []
    edits: list[tuple[int, RedlineEdit]] = []
    for order, finding in enumerate(review.findings):
        suggestion = suggestions.get(finding.requirement_id)
        if not finding.deficient or suggestion is None:
            continue
        requirement = checklist.get(finding.requirement_id)
        candidates = related.get(finding.requirement_id, [])
        best = candidates[0] if candidates else None
        weak = _replaceable(finding, requirement, best, evidence_owners, taken)
        if weak is not None:
            taken.append((weak.start, weak.end))
            edit = _replace(document, finding, requirement, suggestion, weak, clauses)
        else:
            edit = _insert(document, finding, requirement, suggestion, clauses, candidates)
        edits.append((order, edit))
    edits.sort(key=lambda pair: (pair[1].start, pair[1].kind != "replace", pair[0]))
    return [edit for _, edit in edits]


def _evidence_owners(findings: list[Finding]) -> dict[tuple[int, int], set[str]]:
    owners: dict[tuple[int, int], set[str]] = {}
    for finding in findings:
        for evidence in finding.evidence:
            owners.setdefault((evidence.start, evidence.end), set()).add(finding.requirement_id)
    return owners


def _replaceable(
    finding: Finding,
    requirement: Requirement,
    related: Clause | None,
    owners: dict[tuple[int, int], set[str]],
    taken: list[tuple[int, int]],
) -> Evidence | None:
    """The weak evidence to replace, or None when the suggestion should be inserted instead."""
    if finding.status != Status.weak or not finding.evidence:
        return None
    evidence = finding.evidence[0]
    if any(evidence.start < end and start < evidence.end for start, end in taken):
        return None
    signals = requirement.signals
    if _matches(signals.vague + signals.contrary, evidence.quote):
        return evidence
    shared = owners.get((evidence.start, evidence.end), set()) - {finding.requirement_id}
    in_related = related is not None and related.start <= evidence.start and evidence.end <= related.end
    on_topic = _matches(signals.topic, evidence.quote)
    return evidence if in_related and on_topic and not shared else None


def _matches(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _replace(
    document: Document,
    finding: Finding,
    requirement: Requirement,
    suggestion: Suggestion,
    evidence: Evidence,
    clauses: list[Clause],
) -> RedlineEdit:
    start = evidence.start + _marker_length(document.text[evidence.start : evidence.end])
    end = evidence.end
    old = document.text[start:end]
    return RedlineEdit(
        requirement_id=finding.requirement_id,
        title=requirement.title,
        status=finding.status,
        severity=finding.severity,
        kind="replace",
        start=start,
        end=end,
        page=document.page_at(start),
        section=_section_heading(_clause_at(clauses, start)),
        anchor_text=old,
        old_text=old,
        heading=suggestion.heading,
        new_text=suggestion.text,
        comment=_comment(finding, requirement, suggestion, replaced=True),
        source=suggestion.source,
    )


def _insert(
    document: Document,
    finding: Finding,
    requirement: Requirement,
    suggestion: Suggestion,
    clauses: list[Clause],
    candidates: list[Clause],
) -> RedlineEdit:
    anchor = _insert_anchor(candidates, clauses, finding.requirement_id)
    if anchor is None and finding.evidence:
        anchor = _clause_at(clauses, finding.evidence[0].start)
    last = _section_end(clauses, anchor) if anchor else (clauses[-1] if clauses else None)
    point = last.end if last else len(document.text)
    tail_start = max(last.start if last else 0, point - ANCHOR_CHARS)
    return RedlineEdit(
        requirement_id=finding.requirement_id,
        title=requirement.title,
        status=finding.status,
        severity=finding.severity,
        kind="insert",
        start=point,
        end=point,
        page=document.page_at(max(point - 1, 0)),
        section=_section_heading(last),
        anchor_text=document.text[tail_start:point],
        heading=suggestion.heading,
        new_text=suggestion.text,
        comment=_comment(finding, requirement, suggestion, replaced=False),
        source=suggestion.source,
    )


def _insert_anchor(candidates: list[Clause], clauses: list[Clause], requirement_id: str) -> Clause | None:
    """The best-ranked candidate in the body: the title and preamble only suit the purpose clause."""
    if requirement_id == "purpose" or not candidates:
        return candidates[0] if candidates else None
    preamble = clauses[0].heading_path if clauses else []
    in_body = [c for c in candidates if c.index > 0 and c.heading_path != preamble]
    return (in_body or [c for c in candidates if c.index > 0] or candidates)[0]


def _section_end(clauses: list[Clause], anchor: Clause) -> Clause:
    """The last clause of the (deepest) section holding `anchor`, stopping at the signature block.

    In a document without sections (every clause under the title) the clause itself is the section.
    """
    index = next((i for i, c in enumerate(clauses) if c.clause_id == anchor.clause_id), None)
    if index is None:
        return anchor
    while index > 0 and _SIGNATURE_BLOCK.search(clauses[index].text):
        index -= 1
    path = clauses[index].heading_path
    if path == clauses[0].heading_path:
        return clauses[index]
    while (
        path
        and index + 1 < len(clauses)
        and clauses[index + 1].heading_path == path
        and not _SIGNATURE_BLOCK.search(clauses[index + 1].text)
    ):
        index += 1
    return clauses[index]


def _clause_at(clauses: list[Clause], offset: int) -> Clause | None:
    return next((c for c in clauses if c.start <= offset < c.end), None)


def _section_heading(clause: Clause | None) -> str | None:
    return clause.heading_path[-1] if clause and clause.heading_path else None


def _marker_length(text: str) -> int:
    """Length of a leading clause number ("5.1 ", "(a) ") so a replacement keeps the numbering."""
    for _, pattern in MARKERS:
        match = pattern.match(text)
        if match:
            return match.end() + len(text[match.end() :]) - len(text[match.end() :].lstrip())
    return 0


def _comment(finding: Finding, requirement: Requirement, suggestion: Suggestion, *, replaced: bool) -> str:
    """The reviewer's note on an edit: what is wrong, what the checklist asks, and where that comes from."""
    what = "weak" if finding.status == Status.weak else "missing"
    action = (
        "The weak language is replaced."
        if replaced
        else ("Suggested clause added." if what == "missing" else "Suggested clause added to strengthen it.")
    )
    parts = [f"{requirement.title} ({finding.severity.value}): {what}. {action}"]
    if finding.rationale:
        parts.append(finding.rationale.rstrip(".") + ".")
    if finding.issues:
        parts.append(f"Issues: {', '.join(finding.issues)}.")
    parts.append(f"Checklist ({requirement.id}): {requirement.present}.")
    parts.append(f"Source: {suggestion.source}.")
    return " ".join(parts)
