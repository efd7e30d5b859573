"""Whole units of an agreement: the sentences and list items a redline deletes or replaces.

A quote is often a cut sentence ("... programs for students"); deleting only the quote leaves an
orphan (", students and parents on matters of safety."). Every deletion is therefore widened to
the whole sentence or list item holding it. A sentence ends at ".", "?" or "!", not at the ";" of
a run-on sentence; a list item ends where the next numbered item begins.
"""

from __future__ import annotations

from ..models import Clause
from ..vocabulary import MARKERS, TERMINAL, marker_of, sentence_spans


def clause_units(clause: Clause) -> list[tuple[int, int]]:
    """(start, end) document offsets of each whole sentence or list item of `clause`."""
    text = clause.text
    merged: list[list[int]] = []
    for start, end in sentence_spans(text):
        if (
            merged
            and not TERMINAL.search(text[merged[-1][0] : merged[-1][1]])
            and not marker_of(text[start:])
        ):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(clause.start + s, clause.start + e) for s, e in merged]


def clause_at(clauses: list[Clause], offset: int) -> Clause | None:
    return next((c for c in clauses if c.start <= offset < c.end), None)


def whole_units(clauses: list[Clause], start: int, end: int) -> tuple[int, int] | None:
    """The smallest run of whole units covering [start, end), within one clause (None if none)."""
    clause = clause_at(clauses, start)
    if clause is None:
        return None
    units = [u for u in clause_units(clause) if u[0] < max(end, start + 1) and start < u[1]]
    if not units:
        return None
    return units[0][0], units[-1][1]


def marker_length(text: str) -> int:
    """Length of a leading clause number ("5.1 ", "(a) ") with its spaces: a replacement keeps it."""
    for _, pattern in MARKERS:
        match = pattern.match(text)
        if match:
            rest = text[match.end() :]
            return match.end() + len(rest) - len(rest.lstrip())
    return 0


def is_whole_clause(clause: Clause, start: int, end: int) -> bool:
    """True when [start, end) is all of the clause's text after its number."""
    body = clause.start + marker_length(clause.text)
    return start <= body and end >= clause.start + len(clause.text.rstrip())
