"""Plan the redline: which deficient requirement gets which edit, where, and why (pure, no I/O).

Four kinds of edit, each on whole sentences or list items (see `units`):
- replace: a weak requirement's own weak sentence gives way to the model clause, when that sentence
  really is the weak language (it matches the vague or contrary signals, or it is on topic in the
  clause retrieval ranks first) and holds no other requirement's evidence;
- insert: otherwise the model clause is added where a drafter expects it (see `placement`);
- strike: language that contradicts an inserted clause (the SRO "shall enforce the dress code"
  beside a discipline carve-out) is deleted, with a comment saying why;
- flag: contradicting language that is not safe to strike (it carries another requirement's
  evidence) gets a comment for the drafter instead.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from ..checklist import Checklist, Requirement
from ..models import Clause, Document, DocumentReview, Finding, Severity, Status
from . import placement
from .contrary import affirmed, affirmed_any
from .units import clause_at, clause_units, is_whole_clause, marker_length, whole_units

ANCHOR_CHARS = 160
OMITTED = "[Intentionally omitted.]"
NUMBERING = "numbering"  # the requirement id of an edit that only renumbers a heading

EditKind = Literal["insert", "replace", "strike", "flag"]


class Suggestion(BaseModel):
    """A requirement's model clause, already filled with the parties (and adapted, if a model ran)."""

    requirement_id: str
    heading: str
    text: str
    source: str
    headings: list[str] = Field(default_factory=list)
    contradicts: list[str] = Field(default_factory=list)


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
    position: Literal["after", "before"] = "after"
    anchor_text: str = Field(
        description="replace/strike/flag: the text changed; insert: the end (or start) of the paragraph"
    )
    old_text: str | None = None
    heading: str
    lead: str = Field("", description="what opens an inserted paragraph: its number and heading")
    number: str | None = Field(None, description="the item or section number the lead opens with")
    new_text: str
    comment: str
    source: str


class _Context:
    def __init__(
        self, review: DocumentReview, document: Document, clauses: list[Clause], checklist: Checklist
    ):
        self.review, self.document, self.clauses, self.checklist = review, document, clauses, checklist
        self.body = placement.body_clauses(clauses, document.text)
        self.taken: list[tuple[int, int]] = []
        self.new_sections = 0
        self.added: dict[str, int] = {}  # items added at the end of a section, by its last clause

    def kept_evidence(self, requirement_id: str) -> list[tuple[int, int]]:
        """Evidence of the other requirements the agreement already meets: never deleted."""
        return [
            (e.start, e.end)
            for f in self.review.findings
            if f.requirement_id != requirement_id and not f.deficient
            for e in f.evidence
        ]

    def free(self, start: int, end: int, requirement_id: str) -> bool:
        spans = self.taken + self.kept_evidence(requirement_id)
        return not any(start < e and s < end for s, e in spans)


def plan_edits(
    review: DocumentReview,
    document: Document,
    clauses: list[Clause],
    related: dict[str, list[Clause]],
    suggestions: dict[str, Suggestion],
    checklist: Checklist,
) -> list[RedlineEdit]:
    """The edits for every deficient finding that has a suggestion, in document order.

    `related` holds, per requirement id, the clauses retrieval ranked highest, best first.
    """
    ctx = _Context(review, document, clauses, checklist)
    edits: list[tuple[int, RedlineEdit]] = []
    for order, finding in enumerate(review.findings):
        suggestion = suggestions.get(finding.requirement_id)
        if not finding.deficient or suggestion is None:
            continue
        requirement = checklist.get(finding.requirement_id)
        ranked = related.get(finding.requirement_id) or []
        best = ranked[0] if ranked else None
        span = _replaceable(ctx, finding, requirement, best)
        if span is not None:
            ctx.taken.append(span)
            edits.append((order, _replace(ctx, finding, requirement, suggestion, span)))
        else:
            edits.append((order, _insert(ctx, finding, requirement, suggestion)))
        edits += [(order, e) for e in _contrary(ctx, finding, requirement, suggestion)]
    renumber = _renumber_signatures(ctx)
    if renumber is not None:
        edits.append((len(review.findings), renumber))
    edits.sort(key=lambda pair: (pair[1].start, _rank(pair[1]), pair[0]))
    return [edit for _, edit in edits]


def _rank(edit: RedlineEdit) -> int:
    """At one point: changes to the text, then items of the section, new sections, signatures."""
    if edit.kind != "insert":
        return 0
    if edit.requirement_id == "signatures":
        return 3
    return 2 if edit.lead.strip().endswith(f"{edit.heading}.") else 1


def _replaceable(
    ctx: _Context, finding: Finding, requirement: Requirement, related: Clause | None
) -> tuple[int, int] | None:
    """The whole sentences of the weak evidence to replace, or None to insert instead.

    Vague or contrary wording on the topic is the first choice ("This agreement will be reviewed
    periodically."); else the first quote, when it is on topic in the clause retrieval ranks first.
    """
    if finding.status != Status.weak or not finding.evidence:
        return None
    signals = requirement.signals
    candidates = [
        (e, True)
        for e in finding.evidence
        if _matches(signals.contrary, e.quote)
        or (_matches(signals.vague, e.quote) and _matches(signals.topic, e.quote))
    ]
    candidates.append((finding.evidence[0], False))
    for evidence, wrong in candidates:
        span = whole_units(ctx.clauses, evidence.start, evidence.end)
        if span is None or not ctx.free(*span, finding.requirement_id) or span[0] >= ctx.body[-1].end:
            continue
        if wrong or _matches(signals.vague, evidence.quote):
            return span
        in_related = related is not None and related.start <= span[0] and span[1] <= related.end
        if in_related and _matches(signals.topic, evidence.quote):
            return span
    return None


def _matches(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _edit(
    ctx: _Context, finding: Finding, requirement: Requirement, suggestion: Suggestion, **fields
) -> RedlineEdit:
    return RedlineEdit(
        requirement_id=finding.requirement_id,
        title=requirement.title,
        status=finding.status,
        severity=finding.severity,
        heading=suggestion.heading,
        source=suggestion.source,
        page=ctx.document.page_at(max(fields["start"] - (fields["kind"] == "insert"), 0)),
        **fields,
    )


def _replace(
    ctx: _Context, finding: Finding, requirement: Requirement, suggestion: Suggestion, span: tuple[int, int]
) -> RedlineEdit:
    start, end = span
    clause = clause_at(ctx.clauses, start)
    if clause is not None and start == clause.start:
        start += marker_length(clause.text)  # the clause keeps its number
    old = ctx.document.text[start:end]
    return _edit(
        ctx,
        finding,
        requirement,
        suggestion,
        kind="replace",
        start=start,
        end=end,
        section=_heading(clause),
        anchor_text=old,
        old_text=old,
        new_text=suggestion.text,
        comment=_comment(finding, requirement, suggestion, "The weak sentence is replaced."),
    )


def _insert(ctx: _Context, finding: Finding, requirement: Requirement, suggestion: Suggestion) -> RedlineEdit:
    where = _placement(ctx, finding.requirement_id, suggestion)
    text = ctx.document.text
    anchor = where.anchor
    if anchor is None:
        point, anchor_text = len(text), text[-ANCHOR_CHARS:]
    elif where.position == "after":
        point = anchor.end
        anchor_text = text[max(anchor.start, point - ANCHOR_CHARS) : point]
    else:
        point = anchor.start
        anchor_text = text[point : min(anchor.end, point + ANCHOR_CHARS)]
    lead = f"{where.number} " if where.number else ""
    if not where.under_heading:
        lead += f"{suggestion.heading}. "
    action = (
        "Suggested clause added."
        if finding.status == Status.missing
        else "Suggested clause added to strengthen it."
    )
    return _edit(
        ctx,
        finding,
        requirement,
        suggestion,
        kind="insert",
        start=point,
        end=point,
        section=where.section,
        position=where.position,
        anchor_text=anchor_text,
        lead=lead,
        number=where.number,
        new_text=suggestion.text,
        comment=_comment(finding, requirement, suggestion, action),
    )


def _placement(ctx: _Context, requirement_id: str, suggestion: Suggestion) -> placement.Placement:
    if requirement_id == "purpose":
        return placement.top(ctx.body)
    if requirement_id == "signatures":
        last = ctx.clauses[-1] if ctx.clauses else None
        return placement.Placement(last, "after", _heading(last), None, False)
    section = placement.heading_section(ctx.body, suggestion.headings)
    if section:
        key = section[-1].clause_id
        ctx.added[key] = ctx.added.get(key, 0) + 1
        return placement.under_heading(section, ctx.added[key] - 1)
    ctx.new_sections += 1
    return placement.new_section(ctx.body, ctx.new_sections - 1)


def _renumber_signatures(ctx: _Context) -> RedlineEdit | None:
    """New sections take the numbers after the body's last section; a numbered signature heading
    that followed it ("VIII. SIGNATURES") moves up past them."""
    if not ctx.new_sections or len(ctx.body) == len(ctx.clauses):
        return None
    tail = ctx.clauses[len(ctx.body)]
    style = placement.section_style(ctx.body)
    heading = tail.heading_path[-1] if tail.heading_path else ""
    old = placement.leading_marker(heading)
    if not style or not old or old != placement.next_number(style):
        return None
    at = ctx.document.text.rfind(heading, ctx.body[-1].end, tail.start + 1)
    if at < 0:
        return None
    new = style
    for _ in range(ctx.new_sections + 1):
        new = placement.next_number(new)
    return RedlineEdit(
        requirement_id=NUMBERING,
        title="Section numbering",
        status=Status.present,
        severity=Severity.minor,
        kind="replace",
        start=at,
        end=at + len(old),
        page=ctx.document.page_at(at),
        section=heading,
        anchor_text=heading,
        old_text=old,
        heading=heading,
        new_text=new,
        comment=f"Renumbered: the {ctx.new_sections} new section(s) this redline adds come before it.",
        source="the agreement's own numbering",
    )


def _contrary(
    ctx: _Context, finding: Finding, requirement: Requirement, suggestion: Suggestion
) -> list[RedlineEdit]:
    """Strike (or, where unsafe, flag) every sentence that says the opposite of the new clause."""
    extra = tuple(suggestion.contradicts)
    edits = []
    for clause in ctx.clauses:
        for start, end in clause_units(clause):
            sentence = ctx.document.text[start:end]
            hit = affirmed(requirement, sentence) or affirmed_any(extra, sentence)
            if hit is None or any(start < e and s < end for s, e in ctx.taken):
                continue
            signal = " ".join(hit.group(0).split())
            edits.append(_strike(ctx, finding, requirement, suggestion, clause, (start, end), signal))
            ctx.taken.append((start, end))
    return edits


def _strike(
    ctx: _Context,
    finding: Finding,
    requirement: Requirement,
    suggestion: Suggestion,
    clause: Clause,
    span: tuple[int, int],
    signal: str,
) -> RedlineEdit:
    start, end = span
    whole = is_whole_clause(clause, start, end)
    if start == clause.start:
        start += marker_length(clause.text)
    safe = ctx.free(start, end, finding.requirement_id) and start < ctx.body[-1].end
    old = ctx.document.text[start:end]
    why = (
        f"Contrary language ('{signal}'): it says the opposite of the {suggestion.heading} clause this "
        f"redline adds, so the accepted agreement would say both."
    )
    if safe:
        comment = f"{why} It is struck. {_checklist(requirement, suggestion)}"
    else:
        comment = (
            f"{why} Not struck, because it also carries language the agreement needs for another "
            f"requirement: the drafter should rewrite it. {_checklist(requirement, suggestion)}"
        )
    return _edit(
        ctx,
        finding,
        requirement,
        suggestion,
        kind="strike" if safe else "flag",
        start=start,
        end=end,
        section=_heading(clause),
        anchor_text=old,
        old_text=old,
        new_text=OMITTED if safe and whole and start > clause.start else "",
        comment=comment,
    )


def _heading(clause: Clause | None) -> str | None:
    return clause.heading_path[-1] if clause and clause.heading_path else None


def _checklist(requirement: Requirement, suggestion: Suggestion) -> str:
    return f"Checklist ({requirement.id}): {requirement.present}. Source: {suggestion.source}."


def _comment(finding: Finding, requirement: Requirement, suggestion: Suggestion, action: str) -> str:
    """The reviewer's note on an edit: what is wrong, what the checklist asks, and where that comes from."""
    what = "weak" if finding.status == Status.weak else "missing"
    parts = [f"{requirement.title} ({finding.severity.value}): {what}. {action}"]
    if finding.rationale:
        parts.append(finding.rationale.rstrip(".") + ".")
    if finding.issues:
        parts.append(f"Issues: {', '.join(finding.issues)}.")
    parts.append(_checklist(requirement, suggestion))
    return " ".join(parts)
