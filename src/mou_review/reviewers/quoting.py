"""The offline reviewer's quotes: which sentences show a reader why the verdict is what it is.

Split from `offline` so the rules and the quote picking each stay one screenful. Sentence-level
pattern hits come from the document's `DocumentViews`, worked out once per (pattern, clause).
"""

from __future__ import annotations

import re

from ..models import Clause
from ..quotes import quote_at
from ..vocabulary import sentence_at, sentence_spans
from .views import DocumentViews

MAX_QUOTES = 3


def span_in_clause(clause: Clause, match: re.Match[str]) -> tuple[int, int]:
    """The match's span in the clause's own text (a match in the led text starts at the clause)."""
    shift = len(match.string) - len(clause.text)
    return max(match.start() - shift, 0), max(match.end() - shift, 0)


def sentence_of(text: str, offset: int) -> str:
    start, end = sentence_at(text, offset)
    return text[start:end]


def quotes_of(pairs: list[tuple[Clause, re.Match[str]]]) -> list[str]:
    """Up to MAX_QUOTES quotes, at most one per sentence, in the order the hits are given."""
    out: list[str] = []
    seen: set[tuple[str, int]] = set()
    for clause, match in pairs:
        start, end = span_in_clause(clause, match)
        sentence = sentence_at(clause.text, start)[0]
        if (clause.clause_id, sentence) in seen:
            continue
        seen.add((clause.clause_id, sentence))
        quote = quote_at(clause.text, start, end)
        if quote and quote not in out:
            out.append(quote)
        if len(out) == MAX_QUOTES:
            break
    return out


def heading_quotes(clauses: list[Clause]) -> list[str]:
    """The opening sentence under a heading that names the topic: what the section says about it."""
    quotes = []
    for clause in clauses[:MAX_QUOTES]:
        spans = sentence_spans(clause.text)
        if spans:
            quotes.append(quote_at(clause.text, spans[0][0], spans[0][1]))
    return dedupe(quotes)


def best_sentences(
    ordered: list[Clause],
    primary: list[re.Pattern[str]],
    secondary: list[list[re.Pattern[str]]],
    views: DocumentViews,
) -> list[str]:
    """The sentences that meet the most distinct `primary` patterns (ties: more patterns of the
    `secondary` lists, then retrieval order): the ones a reader needs to see to check the verdict."""
    scored = []
    index = views.index
    hit = views.relevant(primary)
    for rank, clause in enumerate(ordered):
        text = clause.text
        if text not in hit and (index.covers(text) or not index.first(primary, text)):
            continue  # no primary pattern in the clause: none in a sentence of it worth a look
        lit = views.sentence_counts(primary, text)
        if not lit:
            continue
        support = [views.sentence_counts(group, text) for group in secondary]
        spans = sentence_spans(text)
        for j in sorted(lit):
            count, (at, until) = lit[j]
            backing = sum(h[j][0] for h in support if j in h)
            scored.append((-count, -backing, rank, spans[j][0], clause, at, until))
    scored.sort(key=lambda row: row[:4])
    quotes = [quote_at(clause.text, at, until) for *_, clause, at, until in scored[: MAX_QUOTES * 2]]
    return dedupe(quotes)[:MAX_QUOTES]


def dedupe(quotes: list[str]) -> list[str]:
    """Distinct quotes, none a piece of another (two cuts of one sentence show it once)."""
    out: list[str] = []
    for quote in quotes:
        if quote and not any(quote in kept or kept in quote for kept in out):
            out.append(quote)
    return out[:MAX_QUOTES]
