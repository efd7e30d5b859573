"""Locate every quote in the source text, or drop it: no evidence is shown that is not there.

Matching goes exact, then normalised (whitespace, curly quotes, dashes, hyphenated line breaks,
case), then a bounded fuzzy match over word windows. Each located quote gets offsets and a page.
"""

from __future__ import annotations

import difflib
import re
from functools import cached_property

from .models import Document, Evidence, Finding, Status

FUZZY_MIN_RATIO = 0.9
MIN_QUOTE_CHARS = 8
_TRANSLATE = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def _canonical(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with runs of whitespace/line-break hyphens collapsed, plus an offset map."""
    out: list[str] = []
    mapping: list[int] = []
    i = 0
    text = text.translate(_TRANSLATE)
    while i < len(text):
        ch = text[i]
        if ch == "-" and i + 1 < len(text) and text[i + 1] == "\n":
            i += 2
            continue
        if ch.isspace():
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if out and out[-1] != " ":
                out.append(" ")
                mapping.append(i)
            i = j
            continue
        out.append(ch.lower())
        mapping.append(i)
        i += 1
    return "".join(out), mapping


class Grounder:
    """Locates quotes in one document; the canonical form is computed once per document."""

    def __init__(self, document: Document) -> None:
        self.document = document

    @cached_property
    def _normalized(self) -> tuple[str, list[int]]:
        """Built on the first quote that is not found verbatim: most quotes are, so most
        documents never pay for it."""
        return _canonical(self.document.text)

    @property
    def _canon(self) -> str:
        return self._normalized[0]

    @property
    def _map(self) -> list[int]:
        return self._normalized[1]

    def locate(self, quote: str) -> Evidence | None:
        quote = quote.translate(_TRANSLATE).strip().strip('"').strip()
        if len(quote) < MIN_QUOTE_CHARS:
            return None
        start = self.document.text.find(quote)
        if start >= 0:
            return self._evidence(start, start + len(quote), "exact")
        canon_quote, _ = _canonical(quote)
        pos = self._canon.find(canon_quote.strip())
        if pos >= 0:
            end = pos + len(canon_quote.strip()) - 1
            return self._evidence(self._map[pos], self._map[end] + 1, "normalized")
        return self._fuzzy(canon_quote.strip())

    def _fuzzy(self, canon_quote: str) -> Evidence | None:
        """Best window of the same word count, accepted only above FUZZY_MIN_RATIO."""
        words = list(re.finditer(r"\S+", self._canon))
        n = len(canon_quote.split())
        if n < 4 or not words:
            return None
        anchor = canon_quote.split()[0]
        best, best_span = 0.0, None
        for i in range(len(words)):
            if i + n > len(words):
                break
            if (
                words[i].group() != anchor
                and words[min(i + n - 1, len(words) - 1)].group() != canon_quote.split()[-1]
            ):
                continue
            window = self._canon[words[i].start() : words[i + n - 1].end()]
            ratio = difflib.SequenceMatcher(None, canon_quote, window, autojunk=False).ratio()
            if ratio > best:
                best, best_span = ratio, (words[i].start(), words[i + n - 1].end())
        if best_span is None or best < FUZZY_MIN_RATIO:
            return None
        start, end = best_span
        return self._evidence(self._map[start], self._map[end - 1] + 1, "fuzzy")

    def _evidence(self, start: int, end: int, how: str) -> Evidence:
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
