"""Locate every quote in the source text, or drop it: no evidence is shown that is not there.

Matching goes exact, then normalised (whitespace, curly quotes, dashes, hyphenated line breaks,
case), then a fuzzy match (rapidfuzz) snapped to whole words. Each located quote gets offsets and a page,
and is cut to one table cell: a quote that joins cells can be found by no one in Word.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from .models import Document, Evidence, Finding, Status
from .normalize import Normalized, fold, fold_with_map
from .vocabulary import one_cell

FUZZY_MIN_RATIO = 0.9
# partial_ratio only says where to look; the whole-word span must then reach FUZZY_MIN_RATIO
_PREFILTER_SCORE = FUZZY_MIN_RATIO * 100 - 10
MIN_QUOTE_CHARS = 8


class Grounder:
    """Locates quotes in one document; the canonical form is computed once per document."""

    def __init__(self, document: Document) -> None:
        self.document = document

    @cached_property
    def _folded(self) -> Normalized:
        """Built on the first quote that is not found verbatim: most quotes are, so most
        documents never pay for it."""
        return fold_with_map(self.document.text)

    @property
    def _canon(self) -> str:
        return self._folded.text

    def locate(self, quote: str) -> Evidence | None:
        quote = quote.strip().strip('"\u201c\u201d').strip()
        if len(quote) < MIN_QUOTE_CHARS:
            return None
        start = self.document.text.find(quote)
        if start >= 0:
            return self._evidence(start, start + len(quote), "exact")
        canon_quote = fold(quote).strip()
        pos = self._canon.find(canon_quote)
        if pos >= 0:
            return self._evidence(*self._folded.source_span(pos, pos + len(canon_quote)), "normalized")
        return self._fuzzy(canon_quote)

    @cached_property
    def _words(self) -> tuple[list[int], list[int]]:
        """Start and end offsets of every word of the canonical text (for snapping a match)."""
        spans = [m.span() for m in re.finditer(r"\S+", self._canon)]
        return [s for s, _ in spans], [e for _, e in spans]

    def _fuzzy(self, canon_quote: str) -> Evidence | None:
        """The closest run of whole words, accepted only at FUZZY_MIN_RATIO or above.

        rapidfuzz's partial_ratio_alignment finds where the quote sits, whatever its first and last
        words are; the span is then snapped to whole words and scored as a whole (Indel ratio, the
        LCS form of difflib's ratio), so a quote matches only a span that is nearly all of it.
        """
        if len(canon_quote.split()) < 4 or not self._canon:
            return None
        from rapidfuzz import fuzz  # here: quotes are nearly always found verbatim, and start-up counts

        hit = fuzz.partial_ratio_alignment(canon_quote, self._canon, score_cutoff=_PREFILTER_SCORE)
        if hit is None:
            return None
        starts, ends = self._words
        first = max(bisect.bisect_right(starts, hit.dest_start) - 1, 0)
        last = min(bisect.bisect_left(ends, hit.dest_end), len(ends) - 1)
        candidates = [
            (fuzz.ratio(canon_quote, self._canon[starts[i] : ends[j]]), starts[j] - starts[i], i, j)
            for i in range(max(first - 1, 0), min(first + 2, len(starts)))
            for j in range(max(last - 1, i), min(last + 2, len(ends)))
        ]
        if not candidates:
            return None
        ratio, _, i, j = max(candidates, key=lambda c: (c[0], -c[1]))
        if ratio < FUZZY_MIN_RATIO * 100:
            return None
        return self._evidence(*self._folded.source_span(starts[i], ends[j]), "fuzzy")

    def _evidence(self, start: int, end: int, how: str) -> Evidence:
        start, end = one_cell(self.document.text, start, end)
        return Evidence(
            quote=self.document.text[start:end],
            start=start,
            end=end,
            page=self.document.page_at(start),
            match=how,
        )


def ground_quotes(grounder: Grounder, quotes: list[str]) -> tuple[list[Evidence], int]:
    """Located evidence (deduplicated, in document order) and how many quotes were dropped."""
    found: dict[tuple[int, int], Evidence] = {}
    dropped = 0
    for quote in quotes:
        evidence = grounder.locate(quote)
        if evidence is None:
            dropped += 1
        else:
            found.setdefault((evidence.start, evidence.end), evidence)
    return sorted(found.values(), key=lambda e: e.start), dropped


def ground_finding(grounder: Grounder, finding: Finding, quotes: list[str]) -> Finding:
    """A finding whose evidence is only what could be located; a `present` left bare is downgraded."""
    evidence, dropped = ground_quotes(grounder, quotes)
    update: dict[str, object] = {
        "evidence": evidence,
        "ungrounded_quotes": finding.ungrounded_quotes + dropped,
    }
    if finding.status.value == "present" and quotes and not evidence:
        update["status"] = Status.weak  # model_copy does not validate: a plain str would stick
        update["issues"] = [*finding.issues, "evidence_not_found"]
        update["rationale"] = (
            f"{finding.rationale} (downgraded: none of its quotes is in the document)".strip()
        )
    return finding.model_copy(update=update)
