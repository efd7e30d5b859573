"""Quote spans a reader can check: the sentence around a match, trimmed to the words that matter.

Evidence is judged by people (and by the evaluator) against the clause that carries the
requirement, so a quote should be one sentence, without its list number or section label, and
short enough that the deciding words are not buried: a long sentence is cut at the clause
boundary after the match. Every span returned is a slice of the text it came from.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_QUOTE_WORDS = 24
MIN_QUOTE_WORDS = 5

# Abbreviations whose period does not end a sentence in MOUs: statutes, times, titles, initials.
_ABBREVIATION = re.compile(
    r"(?:\b(?:U\.S\.C|C\.F\.R|U\.S|a\.m|p\.m|No|Nos|Dr|Mr|Mrs|Ms|St|Sec|Secs|Art|e\.g|i\.e|etc|Inc|Co|Corp|Jr|Sr|vs|v|Stat|Ann|Rev|Ch|Pub|L|Ed|Gov|approx)|\b[A-Z])$"
)
_BOUNDARY = re.compile(
    r"[.?!;:](?=[\"'\u201d\u2019)]?\s+(?=[A-Z(\"\u201c\d]))|\n\s*\n|\n(?=\s*(?:\(?[a-zA-Z0-9]{1,4}[.)]\s|[-•*]\s))"
)
# A leading list number, section label or heading: "1.3 ", "(a) ", "A.2 ", "Section 4.2 ", "IV. ".
_LABEL = re.compile(
    r"\s*(?:(?:section|article|sec\.)\s+[\dIVXLC]+(?:\.\d+)*[.:]?\s+|\(?[a-zA-Z]\)\s+|\(?\d{1,3}\)\s+|[A-Z]\.\d+(?:\.\d+)*\s+|\d+(?:\.\d+)+\.?\s+|\d{1,3}\.\s+|[IVXLC]+\.\s+|[A-Z]\.\s+|[-•*]\s+)",
    re.I,
)
_CUT = re.compile(r",\s(?!\d)|;\s|\s\u2014\s|\s-\s|:\s")


@lru_cache(maxsize=8192)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence, list item or heading line in `text` (cached: every
    requirement looks at the same clauses)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end() if m.group(0) in ".?!;:" else m.start()
        if m.group(0) == "." and _ABBREVIATION.search(text[start : m.start()]):
            continue
        if m.group(0) == ":" and not text[m.end() :].lstrip().startswith("("):
            continue  # a colon ends a span only before a lettered list
        _add(spans, text, start, end)
        start = m.end()
    _add(spans, text, start, len(text))
    return tuple(spans)


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+", text))


def _strip_label(text: str, start: int, end: int) -> int:
    """Start of the span after any leading list number or section label."""
    while m := _LABEL.match(text, start, end):
        if m.end() >= end:
            break
        start = m.end()
    return start


def quote_span(text: str, offset: int, match_end: int | None = None) -> tuple[int, int]:
    """The span of the best quote for a match at `offset` in `text` (a clause or a document).

    The sentence holding the match, label stripped; a heading-only line gives way to the sentence
    after it; a sentence longer than MAX_QUOTE_WORDS is cut at the first clause boundary after
    the match (and starts at the last one before it when the match sits deep in the sentence).
    """
    spans = sentence_spans(text) or ((0, len(text)),)
    index = next((i for i, (s, e) in enumerate(spans) if s <= offset < e), len(spans) - 1)
    start, end = spans[index]
    start = _strip_label(text, start, end)
    if _words(text[start:end]) < MIN_QUOTE_WORDS and index + 1 < len(spans):
        start, end = spans[index + 1]
        start = _strip_label(text, start, end)
        offset = start
        match_end = None
    if _words(text[start:end]) <= MAX_QUOTE_WORDS:
        return start, end
    match_end = max(match_end or offset, offset)
    cut_end = next(
        (c.start() for c in _CUT.finditer(text, match_end, end) if _words(text[start : c.start()]) >= 10),
        end,
    )
    if _words(text[start:cut_end]) > MAX_QUOTE_WORDS * 3 // 2:
        # the match sits deep in a long sentence: quote the clause around it
        cuts_before = [c.end() for c in _CUT.finditer(text, start, offset)]
        if cuts_before:
            start = cuts_before[-1]
        if _words(text[start:cut_end]) > MAX_QUOTE_WORDS * 3 // 2:
            words = list(re.finditer(r"\S+", text[start:cut_end]))
            keep = max(MAX_QUOTE_WORDS, _words(text[start:match_end]) + 3)
            cut_end = start + words[min(len(words), keep) - 1].end()
    return start, cut_end


def quote_at(text: str, offset: int, match_end: int | None = None) -> str:
    """The quote text for a match at `offset`: a slice of `text`, never rewritten."""
    start, end = quote_span(text, offset, match_end)
    return text[start:end].rstrip(",;: ")
