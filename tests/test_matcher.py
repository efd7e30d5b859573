"""The match index must find exactly what `re` finds: its prefilter may skip work, never a match."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import packaged_patterns

from mou_review.reviewers.matcher import MatchIndex, confirm, fold, needles
from mou_review.reviewers.re2_prefilter import translate
from mou_review.vocabulary import sentence_spans

TRICKY = [
    "The SRO shall not enforce school rules.",
    "THE DEPARTMENT SHALL NOTIFY THE PRINCIPAL PROMPTLY.",
    "Students in grades \u212a-12 are covered",  # KELVIN SIGN: re.I matches it to "k"
    "Di\u017fcipline is the \u017fchool's",  # LONG S: re.I matches it to "s"
    "D\u0130SC\u0130PL\u0130NE and d\u0131sc\u0131pl\u0131ne",  # dotted and dotless I
    "The caf\u00c9 serves na\u00efve students; \u00c9l\u00e8ves and \u03a3\u03a3 \u03c3\u03c2",
    "Records under FERPA (34 C.F.R. Part 99) stay with the district.\nBy: ________",
    "complaint\u00e9 procedure",  # \w is Unicode: "complaint\w*\b" reaches past the e-acute
    "",
]


def test_fold_covers_every_character_ignorecase_matches_to_ascii() -> None:
    """Brute force over every code point on this Python: whatever `re.I` matches to an ASCII
    character must fold to that character, or a prefilter could hide the match."""
    everything = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for code in range(0x20, 0x7F):
        ascii_char = chr(code)
        for other in re.findall(re.escape(ascii_char), everything, re.I):
            assert fold(other) == ascii_char.lower(), (ascii_char, hex(ord(other)))


def test_needles_come_from_the_parse_tree() -> None:
    assert needles("custod") == ("custod",)
    assert needles(r"(based|chosen)\s+on\s+seniority") == ("seniority",)
    assert needles(r"\bFERPA\b|Family Educational Rights") == ("family educational rights", "ferpa")
    assert needles(r"(?<!not )enforce\w*") == ("enforce",)
    assert needles(r"de-?escalat") == ("escalat",)
    assert needles(r"(school )?resource") == ("resource",)
    assert needles(r"\w+ing") == ("ing",)
    assert needles(r"(a|\w+)b?") is None  # an alternative with no literal: always run
    assert needles(r"[0-9]+") is None
    assert needles(r"caf\u00e9") == ("caf",)  # a non-ASCII letter ends the literal


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"(?<!not )enforce", "The SRO shall enforce the law", "enforce"),  # a lookbehind
        (r"(?<!not )enforce", "The SRO shall not enforce rules", None),
        (r"caf\u00e9\w*", "THE CAF\u00c9S OPEN", "CAF\u00c9S"),  # a Unicode word, case-insensitive
        (r"k-12", "grades \u212a-12", "\u212a-12"),  # the Kelvin sign is a "k" to re.I
        (r"discipline", "D\u0130SC\u0130PL\u0130NE", "D\u0130SC\u0130PL\u0130NE"),
        (r"complaint\w*\b", "complaint\u00e9 filed", "complaint\u00e9"),
        (r"ferpa", "Records under FERPA", "FERPA"),
        (r"^by:", "By: ____", "By:"),
    ],
)
def test_search_finds_what_re_finds(pattern: str, text: str, found: str | None) -> None:
    compiled = re.compile(pattern, re.I)
    for index in (MatchIndex(), MatchIndex([text])):  # a text outside the document, and a clause
        match = index.search(compiled, text)
        assert (match.group(0) if match else None) == found
        assert index.search(compiled, text) is match  # asked again: the same answer, not re-run


def _texts() -> list[str]:
    from pathlib import Path

    from mou_review.documents import load_document
    from mou_review.segment import segment
    from mou_review.vocabulary import sentence_spans

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    texts = list(TRICKY)
    for name in ("calder_ridge_wa_2022.docx", "oxbend_ks_1996.txt", "wexcombe_ma_2022.docx"):
        for clause in segment(load_document(corpus / name)):
            texts.append(clause.text)
            texts += [clause.text[s:e] for s, e in sentence_spans(clause.text)]
    return texts


def test_a_slice_is_searched_when_its_neighbours_could_change_a_word_boundary() -> None:
    pattern = re.compile(r"\bfoo\b", re.I)
    clause = "afoo bar. Foo baz"
    index = MatchIndex([clause])
    assert pattern.search(clause).group(0) == "Foo"  # type: ignore[union-attr]
    assert index.search_part(pattern, "foo", clause, 1).group(0) == "foo"  # type: ignore[union-attr]
    lookbehind = re.compile(r"(?<=a)foo", re.I)  # reads outside the slice: never ruled out
    assert index.search_part(lookbehind, "foo", clause, 1) is None
    assert index.search_part(re.compile(r"^bar", re.I), "bar", clause, 5).group(0) == "bar"  # type: ignore[union-attr]


def test_every_checklist_pattern_agrees_with_re_on_real_text() -> None:
    """Every pattern of every packaged checklist, on clauses and sentences of three MOUs and the
    tricky strings above: the index gives the same match (span and text) as `re.search`."""
    patterns = packaged_patterns(("topic", "strong", "vague", "contrary", "condition"))
    texts = _texts()
    clauses = texts[: len(texts) // 2]
    index = MatchIndex(clauses)
    compiled = [re.compile(p, re.I) for p in patterns]
    for text in texts:
        for pattern in compiled:
            want, got = pattern.search(text), index.search(pattern, text)
            assert (got.span() if got else None) == (want.span() if want else None), (pattern.pattern, text)
            assert MatchIndex().exists(pattern, text) == (want is not None), (pattern.pattern, text)
        if text not in clauses:
            continue
        parts = [(5, 60), (0, len(text)), *sentence_spans(text)]
        for pattern in compiled:  # slices of a clause: the clause may rule a pattern out for them
            for start, end in parts:
                got = index.search_part(pattern, text[start:end], text, start)
                want = pattern.search(text[start:end])
                assert (got.span() if got else None) == (want.span() if want else None), pattern.pattern
                assert index.exists_part(pattern, text[start:end], text, start) == (want is not None)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?<![\d.])\d+ officers", "two SROs and 3 officers"),  # a lookbehind RE2 lacks: dropped
        (r"(?<![\d.])\d+ officers", "1.3 officers"),
        (r"\bSRO\b", "the SROs"),
        (r"[a-c]x", "Bx"),  # a class under IGNORECASE
        (r"(?-i:FERPA) records", "FERPA RECORDS ferpa records"),  # a case-sensitive group
        (r"(?x) school \s+ resource", "School  Resource"),  # verbose: the spaces are not literal
        (r"end\.$", "the end.\n"),  # `$` before a final newline
        (r"^by:", "x\nBy:"),  # `^` only at the start without MULTILINE
        (r"[^\s]{3,}", "a  bc   def"),
        (r"(?>a+)b|\d++x", "aaab 12x"),  # atomic and possessive: RE2 runs the plain form
    ],
)
def test_re2_start_agrees_with_re(pattern: str, text: str) -> None:
    compiled = re.compile(pattern, re.I)
    want = compiled.search(text)
    got = confirm(compiled, text)
    assert (got.span() if got else None) == (want.span() if want else None)
    assert translate(pattern, re.I) is not None  # RE2 really took part


def test_untranslatable_patterns_are_left_to_re() -> None:
    assert translate(r"(\w+) \1") is None  # a backreference
    assert translate(r"(a)?(?(1)b|c)") is None  # a conditional
    assert translate(r"x{2000}") is None  # beyond RE2's repeat limit
    compiled = re.compile(r"(\w+) \1", re.I)
    assert confirm(compiled, "the the end").group(0) == "the the"  # type: ignore[union-attr]
