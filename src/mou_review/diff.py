"""Two versions of an MOU side by side: requirement status changes and clauses added, removed or changed.

Clauses are paired by word-sequence similarity (difflib): a pair at or above MATCH_RATIO is the same
clause (changed when its words differ), the rest are added or removed. Each requirement lists the
clause changes that touch its evidence in either version, so "what changed for discipline" reads
off one entry.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, Field

from .models import Clause, DocumentReview, Finding, Status

MATCH_RATIO = 0.5


class ClauseChange(BaseModel):
    kind: Literal["added", "removed", "changed"]
    old: str | None = Field(None, description="the clause in the old version")
    new: str | None = Field(None, description="the clause in the new version")
    old_heading: str | None = None
    new_heading: str | None = None
    similarity: float = Field(0.0, description="word-sequence similarity of the pair (0 when unpaired)")


class RequirementChange(BaseModel):
    requirement_id: str
    old_status: Status | None
    new_status: Status | None
    status_changed: bool
    old_contrary: bool = False
    new_contrary: bool = False
    clauses: list[int] = Field(
        default_factory=list, description="indexes into `clauses` touching its evidence"
    )


class FactChange(BaseModel):
    fact: str
    old: str | int | float | bool | None
    new: str | int | float | bool | None


class MouDiff(BaseModel):
    old: str
    new: str
    checklist: str
    old_risk: float
    new_risk: float
    requirements: list[RequirementChange]
    clauses: list[ClauseChange]
    facts: list[FactChange] = Field(default_factory=list)

    @property
    def changed_requirements(self) -> list[RequirementChange]:
        return [r for r in self.requirements if r.status_changed or r.old_contrary != r.new_contrary]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9$%]+", text.lower())


def _heading(clause: Clause) -> str | None:
    return clause.heading_path[-1] if clause.heading_path else None


def pair_clauses(old: list[Clause], new: list[Clause]) -> list[tuple[int | None, int | None, float]]:
    """(old index, new index, similarity): the most similar pairs first, each clause used once."""
    old_words = [_words(c.text) for c in old]
    new_words = [_words(c.text) for c in new]
    scored = []
    for i, a in enumerate(old_words):
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(a)
        for j, b in enumerate(new_words):
            matcher.set_seq1(b)
            if matcher.real_quick_ratio() >= MATCH_RATIO and matcher.quick_ratio() >= MATCH_RATIO:
                ratio = matcher.ratio()
                if ratio >= MATCH_RATIO:
                    scored.append((ratio, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int | None, int | None, float]] = []
    for ratio, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j, ratio))
    pairs += [(i, None, 0.0) for i in range(len(old)) if i not in used_old]
    pairs += [(None, j, 0.0) for j in range(len(new)) if j not in used_new]
    return sorted(pairs, key=lambda p: (p[1] if p[1] is not None else len(new), p[0] or 0))


def clause_changes(
    old: list[Clause], new: list[Clause]
) -> tuple[list[ClauseChange], list[tuple[int | None, int | None]]]:
    """Changes in new-version order, and for each change the (old, new) clause indexes behind it."""
    changes: list[ClauseChange] = []
    sources: list[tuple[int | None, int | None]] = []
    for i, j, ratio in pair_clauses(old, new):
        a, b = (old[i] if i is not None else None), (new[j] if j is not None else None)
        if a is not None and b is not None and _words(a.text) == _words(b.text):
            continue
        kind: Literal["added", "removed", "changed"] = "changed" if a and b else "added" if b else "removed"
        changes.append(
            ClauseChange(
                kind=kind,
                old=a.text if a else None,
                new=b.text if b else None,
                old_heading=_heading(a) if a else None,
                new_heading=_heading(b) if b else None,
                similarity=round(ratio, 3),
            )
        )
        sources.append((i, j))
    return changes, sources


def _touches(finding: Finding | None, clause: Clause | None) -> bool:
    if finding is None or clause is None:
        return False
    return any(e.start < clause.end and e.end > clause.start for e in finding.evidence)


def diff_reviews(
    old: DocumentReview,
    new: DocumentReview,
    old_clauses: list[Clause],
    new_clauses: list[Clause],
) -> MouDiff:
    """Requirement by requirement (checklist order of the new review), with the clause changes."""
    changes, sources = clause_changes(old_clauses, new_clauses)
    requirements = []
    for finding in new.findings:
        rid = finding.requirement_id
        before = old.finding(rid)
        touching = [
            k
            for k, (i, j) in enumerate(sources)
            if _touches(before, old_clauses[i] if i is not None else None)
            or _touches(finding, new_clauses[j] if j is not None else None)
        ]
        requirements.append(
            RequirementChange(
                requirement_id=rid,
                old_status=before.status if before else None,
                new_status=finding.status,
                status_changed=before is None or before.status != finding.status,
                old_contrary=bool(before and before.contrary),
                new_contrary=finding.contrary,
                clauses=touching,
            )
        )
    return MouDiff(
        old=old.document.path,
        new=new.document.path,
        checklist=new.checklist,
        old_risk=old.risk_score,
        new_risk=new.risk_score,
        requirements=requirements,
        clauses=changes,
        facts=_fact_changes(old, new),
    )


def _fact_changes(old: DocumentReview, new: DocumentReview) -> list[FactChange]:
    if old.facts is None or new.facts is None:
        return []
    before, after = old.facts.normalized(), new.facts.normalized()
    return [FactChange(fact=k, old=before[k], new=after[k]) for k in after if before[k] != after[k]]
