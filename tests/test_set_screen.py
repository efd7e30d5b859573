"""The RE2 set that screens a batch's patterns in one pass per clause must never hide a match."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import packaged_patterns

from mou_review.reviewers import matcher, re2_prefilter
from mou_review.reviewers.matcher import MatchIndex

NON_ASCII = [
    "Di\u017fcipline is the \u017fchool's",  # LONG S: re.I matches it to "s"; RE2 is not asked
    "The caf\u00c9 serves na\u00efve students under FERPA",
]


def _patterns() -> list[re.Pattern[str]]:
    return [re.compile(p, re.I) for p in packaged_patterns()]


def _texts() -> list[str]:
    from pathlib import Path

    from mou_review.documents import load_document
    from mou_review.segment import segment

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    texts = list(NON_ASCII)
    for name in ("calder_ridge_wa_2022.docx", "oxbend_ks_1996.txt"):
        texts += [c.text for c in segment(load_document(corpus / name))]
    return texts


def _found(index: MatchIndex, patterns: list[re.Pattern[str]]) -> list[dict[str, tuple[int, int]]]:
    return [{text: m.span() for text, m in index.found(p).items()} for p in patterns]


def test_a_screened_index_finds_what_re_finds() -> None:
    patterns, texts = _patterns(), _texts()
    names = frozenset((p.pattern, p.flags) for p in patterns)
    screened = MatchIndex(texts, screen_for=names)
    want = [{t: m.span() for t in texts if (m := p.search(t))} for p in patterns]
    assert _found(screened, patterns) == want
    assert screened._screened  # the set really screened (a silent fallback would prove nothing)
    assert _found(MatchIndex(texts), patterns) == want  # and without it, by needles


class _Forgetful:
    """A set program that, like RE2 out of DFA memory, answers nothing at all for some texts."""

    def __init__(self, program: Any, fail_on: bytes) -> None:
        self.program, self.fail_on = program, fail_on

    def Match(self, data: bytes) -> list[int]:
        return [] if self.fail_on in data else self.program.Match(data)


def test_a_text_the_set_cannot_tell_about_is_searched_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = [re.compile(p, re.I) for p in (r"\bferpa\b", r"school resource officers?", r"train\w*")]
    texts = ["The SRO shall follow FERPA.", "Each school resource officer gets training.", "Nothing here."]
    key = tuple(sorted((p.pattern, p.flags) for p in patterns))
    real = re2_prefilter._compiled_set(key)
    assert real is not None
    program, positions, every = real
    monkeypatch.setattr(
        re2_prefilter, "_compiled_set", lambda _: (_Forgetful(program, b"training"), positions, every)
    )
    held, per_text = re2_prefilter.screen_set(key, [t.encode() for t in texts])  # type: ignore[misc]
    assert held == {0, 1, 2}
    assert per_text[1] is None and per_text[0] is not None  # "cannot tell", not "matches nothing"
    index = MatchIndex(texts, screen_for=frozenset(key))
    assert _found(index, patterns) == [{t: m.span() for t in texts if (m := p.search(t))} for p in patterns]
    assert index._unsure == [texts[1]]


def test_the_next_document_is_screened_for_what_this_one_ran() -> None:
    pattern = re.compile(r"memorandum of understanding", re.I)
    first = matcher.index_for(object(), [], ["This Memorandum of Understanding is made."])
    assert first.search(pattern, "This Memorandum of Understanding is made.") is not None
    second = matcher.index_for(object(), [], ["A second MOU."])
    assert (pattern.pattern, pattern.flags) in second._screen_for
    assert second.found(pattern) == {}


def test_the_set_drops_repeat_bounds_only() -> None:
    rewritten = re2_prefilter.translate(r"terminat\w*\b[^.]{0,120}(notice|days){2}", re.I)
    assert rewritten is not None and "{0,120}" in rewritten and "{2,2}" in rewritten
    loose = re2_prefilter._unbounded(rewritten)
    assert "{0,}" in loose and "{2,}" in loose and "120" not in loose
    assert loose == rewritten.replace("{0,120}", "{0,}").replace("{2,2}", "{2,}")
