"""Each clause as the offline rules read it, worked out once per document, not once per requirement.

Every requirement reads every clause of the document the same way: the heading it sits under,
the party heading that leads it, the text with what commits no one blanked (one view with
recitals set aside, one with them counted) and which of its sentences a pattern meets. Twenty-odd
requirements each recomputing that for every clause was most of the offline review's time.

The cache lives as long as the document under review (as `matcher.index_for` does) and is keyed
by the clause object itself, checked by identity, text and heading path on every hit: a clause
of another document, or an edited one, with the same id never gets this one's answer. Every
value is what the uncached function returns for that clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..models import Clause
from ..vocabulary import blank, party_of_heading, sentence_spans, set_aside
from .matcher import MatchIndex, bounded, index_for
from .needles import local

# A heading written into the clause's first line: "B. Regular Duty Hours of School Resource Officers:"
_INLINE_HEADING = re.compile(r"^[^.:;\n]{3,90}(?::|\n)")


def heading_of(clause: Clause) -> str:
    """The clause's nearest heading, or the heading written into its first line."""
    if clause.heading_path:
        return clause.heading_path[-1]
    m = _INLINE_HEADING.match(clause.text)
    return m.group(0) if m else ""


def led_text(clause: Clause) -> str | None:
    """A clause under a heading that names a party ("The District will", a roles table's column
    "Police Department Responsibilities") read with that heading as its lead-in, else None."""
    heading = clause.heading_path[-1] if clause.heading_path else ""
    return f"{heading}: {clause.text}" if _names_party(heading) else None


@lru_cache(maxsize=4096)
def _names_party(heading: str) -> bool:
    """`party_of_heading`, remembered: a document repeats a handful of headings over its clauses."""
    return party_of_heading(heading) is not None


def agreed_view(clause: Clause, recitals_count: bool) -> Clause:
    """The clause with what commits no one blanked out (recitals, claims about the agreement,
    recommendations, and all of a disclaimed or model-instructing paragraph): rules read terms.
    The clause itself when nothing is blanked."""
    _, spans = set_aside(clause.text, recitals_count)
    return clause.model_copy(update={"text": blank(clause.text, spans)}) if spans else clause


class _Entry:
    """What the rules read of one clause object, filled in as it is first asked for."""

    __slots__ = ("clause", "heading", "headings", "led", "text")

    def __init__(self, clause: Clause) -> None:
        self.clause, self.text, self.headings = clause, clause.text, list(clause.heading_path)
        self.led = led_text(clause)
        self.heading = heading_of(clause)


class DocumentViews:
    """The views of one document's clauses, and its match index (over the agreed views too, so
    their patterns are run once per document like the clauses' own)."""

    def __init__(self, clauses: Iterable[Clause]) -> None:
        self._entries: dict[int, _Entry] = {}
        self._agreed: dict[bool, dict[int, tuple[Clause, str, Clause]]] = {False: {}, True: {}}
        self._parts: dict[tuple[int, str], tuple[re.Pattern[str], dict[int, tuple[int, int]]]] = {}
        self._bounds: dict[str, bool] = {}
        self._relevant: dict[int, tuple[list[re.Pattern[str]], set[str]]] = {}
        self._lists: dict[
            int, tuple[list[re.Pattern[str]], list[tuple[re.Pattern[str], dict[str, re.Match[str]], bool]]]
        ] = {}
        self._counted: dict[
            int, tuple[list[re.Pattern[str]], dict[str, dict[int, tuple[int, tuple[int, int]]]]]
        ] = {}
        self.clauses = list(clauses)
        self.index = MatchIndex()

    def texts(self) -> list[str]:
        """Every text the rules search: the clauses, their headings and their agreed views."""
        out = [c.text for c in self.clauses]
        out += [c.heading_path[-1] for c in self.clauses if c.heading_path]
        out += [c.text for flag in (False, True) for c in self.agreed_all(self.clauses, flag)]
        return out

    def _entry(self, clause: Clause) -> _Entry:
        entry = self._entries.get(id(clause))
        if (  # the entry holds its clause, so the id stays its own; an edited clause is read again
            entry is None
            or entry.clause is not clause
            or entry.text is not clause.text
            or entry.headings != clause.heading_path
        ):
            entry = self._entries[id(clause)] = _Entry(clause)
        return entry

    def view(self, clause: Clause) -> tuple[str | None, str]:
        """(`led_text(clause)`, `heading_of(clause)`)."""
        entry = self._entry(clause)
        return entry.led, entry.heading

    def agreed(self, clause: Clause, recitals_count: bool) -> Clause:
        """`agreed_view(clause, recitals_count)`."""
        return self.agreed_all([clause], recitals_count)[0]

    def agreed_all(self, clauses: list[Clause], recitals_count: bool) -> list[Clause]:
        """`agreed_view` of each clause, kept per clause object and text (it reads nothing else)."""
        table = self._agreed[recitals_count]
        out = []
        for clause in clauses:
            entry = table.get(id(clause))
            if entry is None or entry[0] is not clause or entry[1] is not clause.text:
                entry = table[id(clause)] = (clause, clause.text, agreed_view(clause, recitals_count))
            out.append(entry[2])
        return out

    def sentence_counts(
        self, patterns: list[re.Pattern[str]], text: str
    ) -> dict[int, tuple[int, tuple[int, int]]]:
        """Sentence number -> (how many of `patterns` match it, the span of the match that starts
        first, the earlier pattern's on a tie), for each sentence of `text` one of them matches."""
        if self.index.covers(text) and self._bounded(text):
            return self._list_counts(patterns).get(text, {})
        out: dict[int, tuple[int, tuple[int, int]]] = {}
        for pattern in patterns:
            _count(out, self.sentence_hits(pattern, text))
        return out

    def _list_counts(
        self, patterns: list[re.Pattern[str]]
    ) -> dict[str, dict[int, tuple[int, tuple[int, int]]]]:
        """`sentence_counts` for every one of the document's texts whose sentences touch no word
        character, worked out once per list from the texts each pattern can meet: where it
        matches (a pattern that reads no context but \\b matches no such sentence of a text it
        does not match), else where one of its needles is."""
        known = self._counted.get(id(patterns))
        if known is not None and known[0] is patterns:  # the list is held here: its id is its own
            return known[1]
        out: dict[str, dict[int, tuple[int, tuple[int, int]]]] = {}
        bounds = self._bounds
        for pattern, found, is_local in self._tables(patterns):
            for text in found if is_local else self.index.needled(pattern):
                if bounds.get(text) or (text not in bounds and self._bounded(text)):
                    _count(out.setdefault(text, {}), self.sentence_hits(pattern, text))
        self._counted[id(patterns)] = (patterns, out)
        return out

    def relevant(self, patterns: list[re.Pattern[str]]) -> set[str]:
        """`MatchIndex.relevant(patterns)`, once per list."""
        known = self._relevant.get(id(patterns))
        if known is None or known[0] is not patterns:  # the list is held here: its id is its own
            known = self._relevant[id(patterns)] = (patterns, self.index.relevant(patterns))
        return known[1]

    def _tables(
        self, patterns: list[re.Pattern[str]]
    ) -> list[tuple[re.Pattern[str], dict[str, re.Match[str]], bool]]:
        """(pattern, its matches in the document's texts, whether it is `local`) for each pattern."""
        known = self._lists.get(id(patterns))
        if known is None or known[0] is not patterns:
            tables = [(p, self.index.found(p), local(p.pattern, p.flags)) for p in patterns]
            known = self._lists[id(patterns)] = (patterns, tables)
        return known[1]

    def _bounded(self, text: str) -> bool:
        """No sentence of `text` has a word character right before or after it."""
        known = self._bounds.get(text)
        if known is None:
            known = self._bounds[text] = bounded(text, sentence_spans(text))
        return known

    def sentence_hits(self, pattern: re.Pattern[str], text: str) -> dict[int, tuple[int, int]]:
        """Sentence number -> the span in `text` of `pattern.search(sentence)`, for each sentence
        of `text` it matches (`MatchIndex.part_spans`), remembered per (pattern, text)."""
        key = (id(pattern), text)
        known = self._parts.get(key)
        if known is not None and known[0] is pattern:  # the pattern is held here: its id is its own
            return known[1]
        hits = self.index.part_spans(pattern, text, sentence_spans(text), self._bounded(text))
        self._parts[key] = (pattern, hits)
        return hits


def _count(counts: dict[int, tuple[int, tuple[int, int]]], hits: dict[int, tuple[int, int]]) -> None:
    """Add one pattern's sentence hits to the counts (the earlier pattern's span stays on a tie)."""
    for j, span in hits.items():
        count, first = counts.get(j, (0, span))
        counts[j] = (count + 1, first if first[0] <= span[0] else span)


_current: tuple[object, DocumentViews] = (None, DocumentViews(()))


def views_for(document: object, clauses: Iterable[Clause] = ()) -> DocumentViews:
    """The views of the document under review: new ones (and a new match index) when it changes."""
    global _current
    if _current[0] is not document:
        views = DocumentViews(clauses)
        views.index = index_for(document, (), views.texts())
        _current = (document, views)
    return _current[1]
