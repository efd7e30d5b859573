"""Where a checklist's patterns match, found once per document instead of once per rule.

Every requirement looks at the same clauses and many share patterns, and most (pattern, clause)
pairs cannot match at all. `MatchIndex.search(pattern, text)` is exactly `pattern.search(text)`,
but memoised per text for the document under review, and skipped when none of the pattern's
`needles` occurs in the folded text: literal words every match must contain, read from the
pattern's parse tree. A prefilter that could hide a match is a bug, so the needles are
conservative: a pattern (or a part of one) they cannot reason about gets none and is always run.
From a batch's second document on, an index is built with `screen_for`, every pattern the
batch has run so far: one RE2 set pass per clause says which of them can match it, so `re` runs
only on those pairs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from typing import TYPE_CHECKING

from .needles import fold, local, needles
from .re2_prefilter import matches, screen_set, start_at

if TYPE_CHECKING:
    from ..models import Clause

_MAX_MEMO = 200_000  # searches remembered; a huge document starts over rather than grow unbounded


def _is_word(char: str) -> bool:
    """What re's \\b counts as a word character (str patterns): alphanumeric or the underscore."""
    return char.isalnum() or char == "_"


def bounded(text: str, parts: Iterable[tuple[int, int]]) -> bool:
    """No part text[s:e] has a word character right before or after it."""
    return not any(_touches_word(text, s, e) for s, e in parts)


def _touches_word(text: str, s: int, e: int) -> bool:
    return (s > 0 and _is_word(text[s - 1])) or (e < len(text) and _is_word(text[e]))


def confirm(pattern: re.Pattern[str], text: str, data: bytes | None = None) -> re.Match[str] | None:
    """`pattern.search(text)`; on an ASCII text (`data` is its bytes) RE2 first says whether and
    from where it can match, so `re` does not backtrack through the text before it."""
    if data is None:
        if not text.isascii():
            return pattern.search(text)
        data = text.encode("ascii")
    start = start_at(pattern, data)
    return None if start is None else pattern.search(text, start)


def may_match(pattern: re.Pattern[str], folded: str) -> bool:
    """False only when `pattern` cannot match the text `folded` is the `fold` of."""
    wanted = _needles_of(pattern)
    return wanted is None or any(needle in folded for needle in wanted)


class Screen:
    """Many texts folded into one string, so a pattern's needles are looked for once, not per text."""

    def __init__(self, texts: Iterable[str]) -> None:
        folded = [fold(text) for text in texts]
        self._starts = list(accumulate((len(f) + 1 for f in folded[:-1]), initial=0)) if folded else []
        self._whole = "\n".join(folded)

    def candidates(self, pattern: re.Pattern[str]) -> list[int]:
        """Indices, in order, of the texts `pattern` may match: each holds one of its needles."""
        wanted = _needles_of(pattern)
        if wanted is None:
            return list(range(len(self._starts)))
        whole, starts, found = self._whole, self._starts, set()
        for needle in wanted:
            at = whole.find(needle)
            while at != -1:
                k = bisect_right(starts, at) - 1
                found.add(k)
                at = whole.find(needle, starts[k + 1]) if k + 1 < len(starts) else -1
        return sorted(found)


_NEEDLES: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None]] = {}


def _needles_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Needles per compiled pattern, by id (the pattern is kept alive here, so ids stay unique)."""
    entry = _NEEDLES.get(id(pattern))
    if entry is None:
        entry = _NEEDLES[id(pattern)] = (pattern, needles(pattern.pattern, pattern.flags))
    return entry[1]


class MatchIndex:
    """Memoised, prefiltered searches over one document's clauses (and any other text asked for).

    `search(p, text)` returns the match `p.search(text)` returns (the same span and groups; its
    `pos` is where RE2 said to start). For the document's own clause texts each pattern is run
    once, over the clauses whose folded text holds a needle; `relevant` tells a rule which
    clauses can hit at all, so it skips the rest unread.
    """

    def __init__(
        self, texts: Iterable[str] = (), screen_for: frozenset[tuple[str, int]] = frozenset()
    ) -> None:
        self._texts = list(dict.fromkeys(texts))
        self._clauses = set(self._texts)
        self._screen = Screen(self._texts)
        self._data = {text: text.encode("ascii") for text in self._texts if text.isascii()}
        self._others = [text for text in self._texts if text not in self._data]  # RE2 cannot screen them
        self._folded: dict[str, str] = {}
        self._per_pattern: dict[int, tuple[re.Pattern[str], dict[str, re.Match[str]]]] = {}
        self._possible: dict[int, tuple[re.Pattern[str], set[str]]] = {}
        self._screen_for = screen_for
        self._screened: dict[tuple[str, int], list[str]] | None = None
        self._unsure: list[str] = []  # texts the set could not tell about: needles decide
        self._found: dict[tuple[int, str], re.Match[str] | None] = {}
        self._first: dict[tuple[int, str], tuple[list[re.Pattern[str]], re.Match[str] | None]] = {}

    def covers(self, text: str) -> bool:
        """Whether `text` is one of the texts the index was built over (searched up front, per pattern)."""
        return text in self._clauses

    def found(self, pattern: re.Pattern[str]) -> dict[str, re.Match[str]]:
        """The first match of `pattern` in each of the document's clauses it matches, by text."""
        return self._pattern(pattern)

    def relevant(self, patterns: Iterable[re.Pattern[str]]) -> set[str]:
        """The clause texts at least one of `patterns` matches."""
        out: set[str] = set()
        for pattern in patterns:
            out.update(self._pattern(pattern))
        return out

    def search(self, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
        if text in self._clauses:
            return self._pattern(pattern).get(text)
        key = (id(pattern), text)
        try:
            return self._found[key]
        except KeyError:
            pass
        if len(self._found) > _MAX_MEMO:
            self._found.clear()
        found = self._found[key] = _prefiltered(pattern, text, fold(text))
        return found

    def search_part(
        self, pattern: re.Pattern[str], part: str, clause: str, start: int | None = None
    ) -> re.Match[str] | None:
        """`pattern.search(part)` for `part == clause[start:start + len(part)]`, skipped when the
        clause rules it out (see `_rules_out`)."""
        return None if self._rules_out(pattern, part, clause, start) else self.search(pattern, part)

    def _rules_out(self, pattern: re.Pattern[str], part: str, clause: str, start: int | None) -> bool:
        """True when `pattern` cannot match the slice `part` of one of the document's clauses:
        no needle is in the clause (then none is in any part of it), or the pattern matches
        nowhere in the clause and reads no context beyond a match but \\b, while the characters
        either side of the slice are not word characters (then a match in the slice would be
        one in the clause)."""
        if clause not in self._clauses or clause in self._pattern(pattern):
            return False
        if clause not in self.needled(pattern):
            return True
        if start is None or not local(pattern.pattern, pattern.flags):
            return False
        end = start + len(part)
        return (start == 0 or not _is_word(clause[start - 1])) and (
            end == len(clause) or not _is_word(clause[end])
        )

    def part_spans(
        self,
        pattern: re.Pattern[str],
        text: str,
        parts: Iterable[tuple[int, int]],
        all_bounded: bool = False,
    ) -> dict[int, tuple[int, int]]:
        """Part number -> the span, in `text`, of `pattern.search(text[s:e])` for each part (s, e)
        it matches: `search_part`'s matches, shifted. For one of the document's clauses and a
        pattern that reads no context but \\b, a part with no word character either side needs no
        slice: a match in it is one in the clause, so none starts before the clause's first, that
        one is the part's when it lies inside the part, and otherwise `pattern.search(text, s, e)`
        (which reads the same characters and boundaries) finds it."""
        if text not in self._clauses or not local(pattern.pattern, pattern.flags):
            return self._sliced(pattern, text, enumerate(parts))
        first = self._pattern(pattern).get(text)
        if first is None and (all_bounded or text not in self.needled(pattern)):  # `bounded(text, parts)`
            return {}
        out = {}
        for j, (s, e) in enumerate(parts):
            if _touches_word(text, s, e):
                out.update(self._sliced(pattern, text, [(j, (s, e))]))
            elif first is None or e < first.start():
                continue
            elif s <= first.start() and first.end() <= e:
                out[j] = first.span()
            elif m := pattern.search(text, s, e):
                out[j] = m.span()
        return out

    def _sliced(
        self, pattern: re.Pattern[str], text: str, parts: Iterable[tuple[int, tuple[int, int]]]
    ) -> dict[int, tuple[int, int]]:
        """`part_spans` the slow way: each part searched as its own string."""
        out = {}
        for j, (s, e) in parts:
            if m := self.search_part(pattern, text[s:e], text, s):
                out[j] = (s + m.start(), s + m.end())
        return out

    def exists(self, pattern: re.Pattern[str], text: str) -> bool:
        """`pattern.search(text) is not None`, told by RE2 alone where its rewrite is exact."""
        if text in self._clauses:
            return text in self._pattern(pattern)
        known = self._found.get((id(pattern), text), False)
        if known is not False:
            return known is not None
        if text.isascii():
            if not may_match(pattern, text.lower()):
                return False
            answer = matches(pattern, text.encode("ascii"))
            if answer is not None:
                return answer
        return self.search(pattern, text) is not None

    def exists_part(self, pattern: re.Pattern[str], part: str, clause: str, start: int | None = None) -> bool:
        """`exists` for a slice `part` of a clause, skipped as `search_part` skips."""
        return not self._rules_out(pattern, part, clause, start) and self.exists(pattern, part)

    def first(self, patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
        """The first pattern's match, in list order (as `next(p.search(text) for p in patterns)`).
        Remembered per list: every requirement asks it of the same lists and clauses."""
        key = (id(patterns), text)
        known = self._first.get(key)
        if known is not None and known[0] is patterns:  # the list is held here: its id is its own
            return known[1]
        found = None
        for pattern in patterns:
            if found := self.search(pattern, text):
                break
        if len(self._first) > _MAX_MEMO:
            self._first.clear()
        self._first[key] = (patterns, found)
        return found

    def _pattern(self, pattern: re.Pattern[str]) -> dict[str, re.Match[str]]:
        """The pattern's first match in each of the index's texts it matches, found once: `re`
        confirms it where the RE2 set said it may match (`_set_screen`), else wherever a needle occurs."""
        entry = self._per_pattern.get(id(pattern))
        if entry is None or entry[0] is not pattern:  # the entry holds its pattern: the id is its own
            name = (pattern.pattern, pattern.flags)
            _RUN.add(name)
            listed = self._set_screen().get(name)
            if listed is not None:
                fold_of = self._fold
                wanted = listed + [t for t in self._unsure if may_match(pattern, fold_of(t))]
            else:
                wanted = list(self.needled(pattern))
            data = self._data
            matches = {t: m for t in wanted if (m := confirm(pattern, t, data.get(t)))}
            entry = self._per_pattern[id(pattern)] = (pattern, matches)
        return entry[1]

    def _set_screen(self) -> dict[tuple[str, int], list[str]]:
        """(pattern, flags) -> the ASCII texts its RE2 rewrite matches, for every pattern of
        `screen_for`: one set pass per text for all of them, run on first use."""
        if self._screened is None:
            self._screened = {}
            result = (
                screen_set(tuple(sorted(self._screen_for)), list(self._data.values()))
                if self._screen_for
                else None
            )
            if result is not None:
                names, texts = sorted(self._screen_for), list(self._data)
                held, per_text = result
                self._unsure = [
                    t for t, hits in zip(texts, per_text, strict=True) if hits is None
                ] + self._others
                self._screened = {names[k]: [] for k in held}
                for text, hits in zip(texts, per_text, strict=True):
                    for k in hits or ():
                        self._screened[names[k]].append(text)
        return self._screened

    def needled(self, pattern: re.Pattern[str]) -> set[str]:
        """The index's texts that hold one of the pattern's needles (all of them without needles):
        no other text, and no part of one, can match."""
        entry = self._possible.get(id(pattern))
        if entry is None or entry[0] is not pattern:
            entry = self._possible[id(pattern)] = (
                pattern,
                {self._texts[i] for i in self._screen.candidates(pattern)},
            )
        return entry[1]

    def _fold(self, text: str) -> str:
        folded = self._folded.get(text)
        if folded is None:
            folded = self._folded[text] = fold(text)
        return folded


def _prefiltered(pattern: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    return confirm(pattern, text) if may_match(pattern, folded) else None


_current: tuple[object, MatchIndex] = (None, MatchIndex())
# Every (pattern, flags) an index has run in this process: the next document's index screens
# for all of them at once (a batch asks the same ones of every document). It only grows, so the
# set compiled for it is rebuilt only when a new checklist or rule comes. Speed only: every
# answer is the same with or without it.
_RUN: set[tuple[str, int]] = set()


def index_for(document: object, clauses: Iterable[Clause] = (), texts: Iterable[str] = ()) -> MatchIndex:
    """The index of the document under review, over its clauses, their headings and any other
    `texts` the rules will search: a new one when the document changes."""
    global _current
    if _current[0] is not document:
        clauses = list(clauses)  # their texts, and their headings (rules test a heading's topic too)
        headings = [c.heading_path[-1] for c in clauses if c.heading_path]
        texts = [*(c.text for c in clauses), *headings, *texts]
        _current = (document, MatchIndex(texts, screen_for=frozenset(_RUN)))
    return _current[1]


def current_index() -> MatchIndex:
    """The index in use (results never depend on which: every answer is keyed by the text searched)."""
    return _current[1]
