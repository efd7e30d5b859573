"""Where a pattern can match, told by RE2 in one linear pass before Python's `re` is run.

Python's `re` backtracks from every position of a clause; RE2 scans it once with an automaton.
A pattern is given to RE2 rewritten from its own parse tree so that, on an ASCII
text, whatever `re` would match the rewrite matches too: every character class is spelled out as
the ASCII characters `re` itself accepts for it (under the pattern's flags, case folding
included), and zero-width assertions RE2 lacks (lookarounds, `\\B`) are dropped, which only
widens it. So RE2's leftmost match starts no later than `re`'s: when RE2 finds none, `re` would
find none; when it finds one at offset s, `re.search(text, s)` returns `re`'s own match (its
assertions still see the whole text). A pattern that cannot be rewritten (a backreference, a
conditional, anything new) and every non-ASCII text are left to `re` alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

try:
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None  # type: ignore[assignment]

_ASCII = [chr(c) for c in range(128)]
_NEVER = r"\x{80}"  # a character no ASCII text holds: the class matches nothing there
_MAX_COUNT = 1000  # RE2's largest repeat count
_CATEGORY = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_KEEP_FLAGS = re.IGNORECASE | re.DOTALL | re.ASCII


class Untranslatable(Exception):
    """The pattern uses something the rewrite does not handle: it stays out of the set."""


@lru_cache(maxsize=4096)
def translate(pattern: str, flags: int = re.IGNORECASE) -> str | None:
    """An RE2 pattern that matches every ASCII text `re.compile(pattern, flags)` matches, or None."""
    if _sre_parse is None:
        return None
    try:
        tree = _sre_parse.parse(pattern, flags)
        return _sequence(list(tree), flags | tree.state.flags)
    except (Untranslatable, re.error, TypeError, ValueError, RecursionError):
        return None


@lru_cache(maxsize=4096)
def exact(pattern: str, flags: int = re.IGNORECASE) -> bool:
    """Whether the rewrite matches exactly the ASCII texts `re` matches (nothing was widened),
    so that RE2 alone can say whether the pattern matches."""
    if translate(pattern, flags) is None:
        return False
    return not _widened(list(_sre_parse.parse(pattern, flags)))


def _widened(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.ATOMIC_GROUP):
            return True
        if op is _sre.AT and str(av) not in _EXACT_AT:
            return True
        if op is getattr(_sre, "POSSESSIVE_REPEAT", None):
            return True
        if op is _sre.BRANCH and any(_widened(list(alt)) for alt in av[1]):  # type: ignore[index]
            return True
        if op is _sre.SUBPATTERN and _widened(list(av[3])):  # type: ignore[index]
            return True
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and _widened(list(av[2])):  # type: ignore[index]
            return True
    return False


def _sequence(items: list[tuple[object, object]], flags: int) -> str:
    return "".join(_item(op, av, flags) for op, av in items)


def _item(op: object, av: Any, flags: int) -> str:
    if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN):
        return _char_class(_python_class(op, av), flags)
    if op is _sre.BRANCH:
        return "(?:" + "|".join(_sequence(list(alt), flags) for alt in av[1]) + ")"  # type: ignore[index]
    if op is _sre.SUBPATTERN:
        _, add, remove, inner = av  # type: ignore[misc]
        return "(?:" + _sequence(list(inner), (flags | add) & ~remove) + ")"
    if op is _sre.ATOMIC_GROUP:  # an atomic group matches less than a plain one
        return "(?:" + _sequence(list(av), flags) + ")"  # type: ignore[call-overload]
    repeats = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))
    if op in repeats:
        low, high, inner = av  # type: ignore[misc]
        if low > _MAX_COUNT or (high != _sre.MAXREPEAT and high > _MAX_COUNT):
            raise Untranslatable("repeat count")
        top = "" if high == _sre.MAXREPEAT else str(high)
        return "(?:" + _sequence(list(inner), flags) + "){" + f"{low},{top}" + "}"
    if op is _sre.AT:
        return _AT.get(str(av), "")  # an assertion left out only widens the pattern
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return ""  # lookarounds: RE2 has none; dropping one only widens the pattern
    raise Untranslatable(str(op))


_AT = {
    "AT_BEGINNING": "(?m:^)",  # ^ and $ as in MULTILINE: that matches wherever `re`'s do, and more
    "AT_END": "(?m:$)",
    "AT_BEGINNING_STRING": r"\A",
    "AT_END_STRING": r"\z",
    "AT_BOUNDARY": r"\b",  # on ASCII text Python's \w is [0-9A-Za-z_], as RE2's
}
_EXACT_AT = ("AT_BEGINNING_STRING", "AT_END_STRING", "AT_BOUNDARY")


def _python_class(op: object, av: Any) -> str:
    """The item as Python source for one character, to be tested against every ASCII character."""
    if op is _sre.LITERAL:
        return re.escape(chr(av))  # type: ignore[arg-type]
    if op is _sre.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"  # type: ignore[arg-type]
    if op is _sre.ANY:
        return "."
    parts: list[str] = []
    for kind, value in av:  # type: ignore[attr-defined]
        if kind is _sre.NEGATE:
            parts.insert(0, "^")
        elif kind is _sre.LITERAL:
            parts.append(re.escape(chr(value)))
        elif kind is _sre.RANGE:
            parts.append(re.escape(chr(value[0])) + "-" + re.escape(chr(value[1])))
        elif kind is _sre.CATEGORY and str(value) in _CATEGORY:
            parts.append(_CATEGORY[str(value)])
        else:
            raise Untranslatable(str(kind))
    source = "[" + "".join(parts) + "]"
    if list(_sre_parse.parse(source)) != [(op, av)]:  # the source must say exactly what the item says
        raise Untranslatable("class")
    return source


@lru_cache(maxsize=8192)
def _char_class(source: str, flags: int) -> str:
    """The ASCII characters Python's `source` matches under `flags`, as an explicit RE2 class."""
    compiled = re.compile(source, flags & _KEEP_FLAGS)
    members = [c for c in _ASCII if compiled.fullmatch(c)]
    if not members:
        return _NEVER
    return "[" + "".join(f"\\x{{{ord(c):02x}}}" for c in members) + "]"


@lru_cache(maxsize=1)
def _re2() -> Any:
    """google-re2, imported on first use (a review that never searches does not pay for it)."""
    try:
        import re2
    except ImportError:  # pragma: no cover - without it `re` runs wherever the needles let it
        return None
    return re2


@lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> Any:
    """The RE2 program for a pattern's rewrite and its unanchored mode (no captures: a DFA pass
    finds the span), or None."""
    rewritten = translate(pattern, flags)
    re2 = _re2()
    if re2 is None or rewritten is None:
        return None
    options = re2.Options()
    options.never_capture = True
    options.log_errors = False  # a DFA out of memory falls back to the NFA: slower, same answer
    try:
        program = re2.compile(rewritten, options)._regexp
    except re2.error:
        return None
    return program, re2._re2.RE2.Anchor.UNANCHORED


def start_at(pattern: re.Pattern[str], data: bytes) -> int | None:
    """Where `re` can start looking for `pattern` in the ASCII text `data` encodes: None when it
    cannot match at all, else an offset no match of it starts before (0 when RE2 cannot tell)."""
    program = _compiled(pattern.pattern, pattern.flags)
    if program is None:
        return 0
    start = program[0].Match(program[1], data, 0, len(data))[0][0]
    return None if start < 0 else start


def matches(pattern: re.Pattern[str], data: bytes) -> bool | None:
    """Whether `pattern` matches the ASCII text `data` encodes, when RE2 alone can tell, else None."""
    if not exact(pattern.pattern, pattern.flags):
        return None
    program = _compiled(pattern.pattern, pattern.flags)
    return None if program is None else program[0].Match(program[1], data, 0, len(data))[0][0] >= 0


_SET_MEMORY = 64 << 20  # bytes for a set's program and DFA states (RE2's default is 8 MiB)


@lru_cache(maxsize=4)  # a grown set replaces the last: few are ever in use
def _compiled_set(patterns: tuple[tuple[str, int], ...]) -> tuple[Any, dict[int, int], int] | None:
    """One RE2 set of the patterns' rewrites: (program, set entry -> position in `patterns`, the
    entry of an empty pattern, which matches every text), or None."""
    re2 = _re2()
    if re2 is None:
        return None
    options = re2.Options()
    options.never_capture = True
    options.log_errors = False
    options.max_mem = _SET_MEMORY
    program = re2._re2.Set(re2._re2.RE2.Anchor.UNANCHORED, options)
    positions = {}
    for k, (pattern, flags) in enumerate(patterns):
        rewritten = translate(pattern, flags)
        if rewritten is not None and (entry := program.Add(_unbounded(rewritten).encode())) >= 0:
            positions[entry] = k
    every = program.Add(b"(?:)")
    if not positions or every < 0 or not program.Compile():
        return None
    return program, positions, every


_BOUNDED = re.compile(r"\)\{(\d+),\d+\}")  # a rewrite's repeat with an upper bound (see `_item`)


def _unbounded(rewritten: str) -> str:
    """The rewrite with every repeat's upper bound dropped ("[^.]{0,80}" -> "[^.]{0,}"): it only
    widens what matches, and a set of patterns unrolled 80 times over builds its DFA states
    (new ones for every new clause) several times slower. Literal braces never reach here:
    every character of a rewrite outside its syntax is spelled as a class (`_char_class`)."""
    return _BOUNDED.sub(r"){\1,}", rewritten)


def screen_set(
    patterns: tuple[tuple[str, int], ...], texts: list[bytes]
) -> tuple[set[int], list[set[int] | None]] | None:
    """Which of `patterns` can match each ASCII text, told in one RE2 pass per text for all of
    them: (the positions the set holds; per text, the positions held whose rewrite matches it, or
    None when RE2 could not tell), or None without a set. A held pattern missing from a text's
    positions cannot match it: its rewrite matches whatever `re` matches. RE2 reports nothing at
    all when its DFA runs out of memory, so the empty pattern, which always matches, must be
    among the answers for them to count."""
    compiled = _compiled_set(patterns)
    if compiled is None:
        return None
    program, positions, every = compiled
    out: list[set[int] | None] = []
    for data in texts:
        hits = program.Match(data)
        out.append({positions[h] for h in hits if h != every} if every in hits else None)
    return set(positions.values()), out
