"""One review as Markdown or as a terminal table, and the checklist as a table."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..checklist import Checklist
from ..models import DocumentReview

STATUS_COLOUR = {"present": "green", "weak": "yellow", "missing": "red", "not_applicable": "dim"}


def markdown(review: DocumentReview) -> str:
    """A readable report with quotes, pages and rationale."""
    info = review.document
    lines = [
        f"# Review of {Path(info.path).name}",
        "",
        f"- parties: {', '.join(info.parties) or 'not stated'}",
        f"- risk score: {review.risk_score}/100",
        f"- checklist: {review.checklist} v{review.checklist_version}; backend: {review.backend}",
        "",
    ]
    lines += [f"> note: {n}" for n in review.notes]
    for f in review.findings:
        contrary = ", contrary language" if f.contrary else ""
        lines += [
            "",
            f"## {f.requirement_id}: {f.status.value} ({f.severity.value}{contrary})",
            "",
            f.rationale,
        ]
        if f.issues:
            lines.append(f"Issues: {', '.join(f.issues)}")
        lines += [f'> "{e.quote}" (page {e.page}, chars {e.start}-{e.end})' for e in f.evidence]
    return "\n".join(lines) + "\n"


def table(review: DocumentReview) -> Table:
    """A row per requirement: status (coloured), severity and the best quote with its page."""
    out = Table(
        "requirement",
        "status",
        "severity",
        "best quote (page)",
        title=f"{Path(review.document.path).name}: risk {review.risk_score}/100 ({review.backend})",
    )
    for f in review.findings:
        quote = f"{f.evidence[0].quote[:120]} (p.{f.evidence[0].page})" if f.evidence else ""
        out.add_row(
            f.requirement_id, f"[{STATUS_COLOUR[f.status.value]}]{f.status.value}[/]", f.severity.value, quote
        )
    return out


def checklist_table(cl: Checklist) -> Table:
    """id, severity and what present means; a statute column when the checklist cites statutes."""
    cited = any(r.statute for r in cl.requirements)
    out = Table(
        "id", "severity", "present when", *(["statute"] if cited else []), title=f"{cl.title} (v{cl.version})"
    )
    for r in cl.requirements:
        severity = r.severity.value + (" (conditional)" if r.conditional else "")
        out.add_row(r.id, severity, r.present, *([r.statute or ""] if cited else []))
    return out
