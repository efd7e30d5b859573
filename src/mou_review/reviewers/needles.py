"""What every match of a pattern must contain and what it may read, from the pattern's parse tree.

`needles` are literal words every match contains (a text without one cannot match); `local`
says a match reads nothing outside itself but word boundaries. Both are conservative: a pattern
(or a part of one) they cannot reason about gets no needles and is not local. Used by
`matcher` to skip searches that cannot succeed; a skip that could hide a match is a bug.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

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
