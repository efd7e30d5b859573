"""Contrary language: sentences that say the opposite of what a requirement asks for.

The checklist's `contrary` signals ("the SRO shall enforce the dress code") are matched the way the
offline reviewer matches them: a match negated earlier in its sentence ("SROs do not enforce
school rules") is the carve-out, not its contrary. A redline that inserts a carve-out must also
strike these sentences, or the accepted agreement says both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..checklist import Requirement
from ..vocabulary import negated, sentence_spans


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


def affirmed_any(patterns: tuple[str, ...], sentence: str) -> re.Match[str] | None:
    """The first match of any pattern in `sentence` that is not negated before it."""
    for pattern in _compiled(patterns):
        for match in pattern.finditer(sentence):
            if not negated(sentence, match.start()):
                return match
    return None


def affirmed(requirement: Requirement, sentence: str) -> re.Match[str] | None:
    """The first checklist contrary match in `sentence` that is not negated before it."""
    return affirmed_any(tuple(requirement.signals.contrary), sentence)


def contrary_spans(requirement: Requirement, text: str, extra: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """(start, end) of every sentence or list item of `text` holding affirmed contrary language:
    the checklist's contrary signals, and `extra` patterns (what a library clause contradicts)."""
    patterns = (*requirement.signals.contrary, *extra)
    if not patterns:
        return []
    return [(s, e) for s, e in sentence_spans(text) if affirmed_any(patterns, text[s:e])]


def contrary_sentences(requirement: Requirement, text: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [" ".join(text[s:e].split()) for s, e in contrary_spans(requirement, text, extra)]
