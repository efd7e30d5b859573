"""Where a checklist's patterns match, found once per document instead of once per rule.

Every requirement looks at the same clauses and many share patterns, and most (pattern, clause)
pairs cannot match at all. `MatchIndex.search(pattern, text)` is exactly `pattern.search(text)`,
but memoised per text for the document under review, and skipped when none of the pattern's
`needles` occurs in the folded text: literal words every match must contain, read from the
pattern's parse tree. A prefilter that could hide a match is a bug, so the needles are
conservative: a pattern (or a part of one) they cannot reason about gets none and is always run.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from .re2_prefilter import matches, start_at

if TYPE_CHECKING:
    from ..models import Clause

try:  # the parser `re` itself compiles with (private, but stable since 3.11)
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a future Python that moves it: no prefilter, same results
    _sre = _sre_parse = None  # type: ignore[assignment]

# The only non-ASCII characters that `re.IGNORECASE` matches to an ASCII letter (İ ı ſ K, found
# by brute force over every code point; tests/test_matcher.py checks it on the running Python).
_REPEATS = (
    (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)) if _sre else ()
)
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_MAX_MEMO = 200_000  # searches remembered; a huge document starts over rather than grow unbounded


def fold(text: str) -> str:
    """`text` lowercased so that every ASCII string `re.IGNORECASE` finds in it appears as itself."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


@lru_cache(maxsize=4096)
def needles(pattern: str, flags: int = re.IGNORECASE) -> tuple[str, ...] | None:
    """Lowercase ASCII strings at least one of which is in every match of `pattern`, or None
    when the pattern gives no such guarantee (then it must always be run)."""
    if _sre_parse is None:
        return None
    try:
        tree = _sre_parse.parse(pattern, flags)
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    found = _required(list(tree))
    return tuple(sorted(found)) if found else None


def _required(items: list[tuple[object, object]]) -> frozenset[str] | None:
    """The best any-of literal set a match of this sequence must contain, or None."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _sre.LITERAL and isinstance(av, int) and av < 128:
            run += chr(av).lower()
            continue
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: the characters either side are still adjacent in the match
        if run:
            candidates.append(frozenset((run,)))
            run = ""
        if (inner := _required_of(op, av)) is not None:
            candidates.append(inner)
    if run:
        candidates.append(frozenset((run,)))
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _required_of(op: object, av: object) -> frozenset[str] | None:
    """What one non-literal item of a sequence requires: a group, an alternation, a repeat."""
    if op is _sre.SUBPATTERN:
        return _required(list(av[3]))  # type: ignore[index]
    if op is _sre.ATOMIC_GROUP:
        return _required(list(av))  # type: ignore[call-overload]
    if op is _sre.BRANCH:
        alternatives = [_required(list(alt)) for alt in av[1]]  # type: ignore[index]
        if all(alternatives):
            return frozenset().union(*alternatives)  # type: ignore[arg-type]
        return None
    if op in _REPEATS and av[0] >= 1:  # type: ignore[index,operator]
        return _required(list(av[2]))  # type: ignore[index]
    return None  # a class, a backreference, a conditional, anything new: no guarantee


_NEEDLES: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None]] = {}


@lru_cache(maxsize=4096)
def local(pattern: str, flags: int = re.IGNORECASE) -> bool:
    """Whether a match depends on nothing outside the matched text but word boundaries (\\b, \\B):
    no ^, $, \\A, \\Z and no lookaround. Such a pattern's match in a slice whose neighbours are
    not word characters is a match in the whole text."""
    if _sre_parse is None:
        return False
    try:
        return _local(list(_sre_parse.parse(pattern, flags)))
    except (re.error, TypeError, ValueError, RecursionError):
        return False


def _local(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            return False
        if op is _sre.AT and str(av) not in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
            return False
        if op is _sre.BRANCH and not all(_local(list(alt)) for alt in av[1]):
            return False
        if op in (_sre.SUBPATTERN,) and not _local(list(av[3])):
            return False
        if op is _sre.ATOMIC_GROUP and not _local(list(av)):
            return False
        if op in _REPEATS and not _local(list(av[2])):
            return False
        if op is _sre.GROUPREF_EXISTS:
            return False
    return True


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

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._texts = list(dict.fromkeys(texts))
        self._clauses = set(self._texts)
        self._screen = Screen(self._texts)
        self._data = {text: text.encode("ascii") for text in self._texts if text.isascii()}
        self._per_pattern: dict[int, tuple[dict[str, re.Match[str]], set[str]]] = {}
        self._found: dict[tuple[int, str], re.Match[str] | None] = {}
        self._first: dict[tuple[int, str], tuple[list[re.Pattern[str]], re.Match[str] | None]] = {}

    def covers(self, text: str) -> bool:
        """Whether `text` is one of the texts the index was built over (searched up front, per pattern)."""
        return text in self._clauses

    def found(self, pattern: re.Pattern[str]) -> dict[str, re.Match[str]]:
        """The first match of `pattern` in each of the document's clauses it matches, by text."""
        return self._pattern(pattern)[0]

    def relevant(self, patterns: Iterable[re.Pattern[str]]) -> set[str]:
        """The clause texts at least one of `patterns` matches."""
        out: set[str] = set()
        for pattern in patterns:
            out.update(self._pattern(pattern)[0])
        return out

    def search(self, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
        if text in self._clauses:
            return self._pattern(pattern)[0].get(text)
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
        if clause not in self._clauses:
            return False
        found, possible = self._pattern(pattern)
        if clause not in possible:
            return True
        if start is None or clause in found or not local(pattern.pattern, pattern.flags):
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
        found, possible = self._pattern(pattern)
        first = found.get(text)
        if text not in possible or (first is None and all_bounded):  # `all_bounded`: `bounded(text, parts)`
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
            return text in self._pattern(pattern)[0]
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

    def _pattern(self, pattern: re.Pattern[str]) -> tuple[dict[str, re.Match[str]], set[str]]:
        entry = self._per_pattern.get(id(pattern))
        if entry is None:
            possible = {self._texts[i] for i in self._screen.candidates(pattern)}
            data = self._data
            matches = {t: m for t in possible if (m := confirm(pattern, t, data.get(t)))}
            entry = self._per_pattern[id(pattern)] = (matches, possible)
        return entry


def _prefiltered(pattern: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    return confirm(pattern, text) if may_match(pattern, folded) else None


_current: tuple[object, MatchIndex] = (None, MatchIndex())


def index_for(document: object, clauses: Iterable[Clause] = (), texts: Iterable[str] = ()) -> MatchIndex:
    """The index of the document under review, over its clauses, their headings and any other
    `texts` the rules will search: a new one when the document changes."""
    global _current
    if _current[0] is not document:
        clauses = list(clauses)  # their texts, and their headings (rules test a heading's topic too)
        headings = [c.heading_path[-1] for c in clauses if c.heading_path]
        _current = (document, MatchIndex([*(c.text for c in clauses), *headings, *texts]))
    return _current[1]


def current_index() -> MatchIndex:
    """The index in use (results never depend on which: every answer is keyed by the text searched)."""
    return _current[1]
