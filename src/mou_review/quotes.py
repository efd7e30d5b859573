"""Quote spans a reader can check: the sentence around a match, trimmed to the words that matter.

Evidence is judged by people (and by the evaluator) against the clause that carries the
requirement, so a quote should be one sentence, without its list number or section label, and
short enough that the deciding words are not buried: a long sentence is cut at the clause
boundary after the match. Every span returned is a slice of the text it came from.
"""

from __future__ import annotations

import re

from .vocabulary import sentence_spans, strip_label, table_row

__all__ = ["quote_at", "quote_span", "sentence_spans"]  # sentence_spans: re-exported for old callers

MAX_QUOTE_WORDS = 24
MIN_QUOTE_WORDS = 5

_CUT = re.compile(r",\s(?!\d)|;\s|\s\u2014\s|\s-\s|:\s")


_WORD = re.compile(r"[A-Za-z0-9]+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def quote_span(text: str, offset: int, match_end: int | None = None) -> tuple[int, int]:
    """The span of the best quote for a match at `offset` in `text` (a clause or a document).

    The sentence holding the match, label stripped (a table cell is a sentence: a quote never
    joins cells); a heading-only line, not a cell, gives way to the sentence after it; a
    sentence longer than MAX_QUOTE_WORDS is cut at the first clause boundary after the match
    (and starts at the last one before it when the match sits deep in the sentence).
    """
    spans = sentence_spans(text) or ((0, len(text)),)
    index = next((i for i, (s, e) in enumerate(spans) if s <= offset < e), len(spans) - 1)
    start, end = spans[index]
    start = strip_label(text, start, end)
    short = _words(text[start:end]) < MIN_QUOTE_WORDS
    if short and index + 1 < len(spans) and not _in_table(text, start, spans[index + 1][1]):
        start, end = spans[index + 1]
        start = strip_label(text, start, end)
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


def _in_table(text: str, start: int, end: int) -> bool:
    """text[start:end] touches a table row: its cells are separate quotes."""
    return table_row(text[text.rfind("\n", 0, start) + 1 : end])


def quote_at(text: str, offset: int, match_end: int | None = None) -> str:
    """The quote text for a match at `offset`: a slice of `text`, never rewritten."""
    start, end = quote_span(text, offset, match_end)
    return text[start:end].rstrip(",;: ")
