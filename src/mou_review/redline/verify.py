"""The round trip a drafter makes: accept every change of the redline, review the result again.

`verify_redline` saves the accepted DOCX to a temporary file and sends it through the same load,
segment, embed and review stages as any MOU, so what it reports is what `mou-review review` would
say about the accepted agreement.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..checklist import Checklist
from ..ingest import prepare
from ..models import DocumentReview, Status
from ..review import review_document
from ..reviewers import Reviewer
from .accept import accept_all
from .contrary import contrary_sentences
from .library import load_library

# a word (not an abbreviation such as "Inc." or "a.m.") closed by a period, then a comma or semicolon
_FRAGMENT = re.compile(
    r"(?<![.\w])(?!(?:inc|co|corp|ltd|jr|sr|etc|no|nos|al|seq)\.)[a-z]{2,}\.\s*[,;]|^\s*[,;]",
    re.I | re.MULTILINE,
)


class RequirementChange(BaseModel):
    requirement_id: str
    before: Status
    after: Status


class VerifyReport(BaseModel):
    """What the accepted agreement would still lack, and what the redline broke (if anything)."""

    document: str
    changes: list[RequirementChange]
    fragments: list[str] = Field(
        default_factory=list, description="'., ' / '.;' or a paragraph opening with , or ;"
    )
    contrary_left: dict[str, list[str]] = Field(
        default_factory=dict, description="contrary language still there, for requirements the redline edited"
    )
    after: DocumentReview

    @property
    def deficient_before(self) -> list[RequirementChange]:
        return [c for c in self.changes if c.before.deficient]

    @property
    def fixed(self) -> list[RequirementChange]:
        return [c for c in self.deficient_before if c.after == Status.present]

    @property
    def still_lacking(self) -> list[RequirementChange]:
        return [c for c in self.changes if c.after.deficient]

    @property
    def regressed(self) -> list[RequirementChange]:
        rank = {Status.present: 2, Status.not_applicable: 2, Status.weak: 1, Status.missing: 0}
        return [c for c in self.changes if rank[c.after] < rank[c.before]]


def verify_redline(
    redlined: Any,
    name: str,
    before: DocumentReview,
    checklist: Checklist,
    reviewer: Reviewer,
    *,
    edited: set[str],
    embedding: str = "wordllama",
    top_k: int = 6,
) -> VerifyReport:
    """Accept all changes of python-docx document `redlined` and review the accepted agreement."""
    accepted = accept_all(redlined)
    with tempfile.TemporaryDirectory(prefix="mou-review-verify-") as tmp:
        path = Path(tmp) / f"{Path(name).stem}.accepted.docx"
        accepted.save(str(path))
        prepared = prepare(str(path), None, embedding)
    if prepared.document is None or prepared.vectors is None:
        raise ValueError(f"{name}: the accepted redline could not be read back ({prepared.error})")
    document = prepared.document
    after = review_document(
        document, prepared.clauses, prepared.vectors, checklist, reviewer, top_k=top_k, embedding=embedding
    )
    changes = [
        RequirementChange(requirement_id=b.requirement_id, before=b.status, after=a.status)
        for b, a in zip(before.findings, after.findings, strict=True)
    ]
    library = load_library(checklist.id)
    contrary = {}
    for rid in sorted(edited):
        model = library.get(rid)
        extra = tuple(model.contradicts) if model else ()
        if found := contrary_sentences(checklist.get(rid), document.text, extra):
            contrary[rid] = found
    return VerifyReport(
        document=name,
        changes=changes,
        fragments=fragments(document.text),
        contrary_left=contrary,
        after=after,
    )


def fragments(text: str) -> list[str]:
    """Orphaned pieces of a sentence: '., ' or '.;' sequences, or a paragraph starting with , or ;."""
    out = []
    for match in _FRAGMENT.finditer(text):
        out.append(text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " "))
    return out
