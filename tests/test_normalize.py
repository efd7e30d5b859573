import random
import re
import unicodedata

import pytest

from mou_review.normalize import Normalized, fold, fold_with_map, normalize, normalize_with_map


def test_whitespace_collapses_and_map_points_back_to_raw():
    raw = "The  SRO\t shall   report.\r\n\n\n\nNext   paragraph."
    result = normalize_with_map(raw)
    text, mapping = result.text, result.starts
    assert text == "The SRO shall report.\n\nNext paragraph."
    assert len(mapping) == len(text)
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert raw[mapping[i]] == ch


def test_line_break_hyphenation_is_joined():
    assert normalize("the school resource offi-\ncer shall") == "the school resource officer shall"


def test_hyphenated_compound_kept_when_document_spells_it_so():
    raw = "a school-based program.\nThe school-\nbased officer"
    assert normalize(raw) == "a school-based program.\nThe school-based officer"


def test_capitalised_continuation_is_not_joined():
    assert normalize("Police-\nDepartment") == "Police-\nDepartment"


def test_soft_hyphen_and_nbsp_removed():
    assert normalize("pro\u00adgram\u00a0officer") == "program officer"


def test_ligatures_are_spelled_out_everywhere():
    assert normalize("the \ufb01rst o\ufb03cer\u2019s e\ufb00orts") == "the first officer\u2019s efforts"


def test_ocr_noise_is_cleaned_and_the_map_still_points_back():
    raw = "| The SRO shall not ~ enforce the stu\u00acdent\n~ code of con\u00ac\nduct ■ at all.\n____ hours"
    result = normalize_with_map(raw, ocr=True)
    text, mapping = result.text, result.starts
    assert text == "The SRO shall not enforce the stu\u00acdent\ncode of conduct at all.\n____ hours"
    assert len(mapping) == len(text)
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert raw[mapping[i]] == ch


def test_ocr_glyphs_are_kept_in_text_that_was_not_ocrd():
    assert normalize("see ~ and | as typed") == "see ~ and | as typed"


# --- NFKC and the offset map --------------------------------------------------------------------


def test_nfkc_spells_out_full_width_letters_ligatures_and_odd_spaces():
    raw = "\uff33\uff32\uff2f\u2002shall\u00a0not \ufb01ne\u202fstudents \u2460 \u00bd"
    result = normalize_with_map(raw)
    assert result.text == "SRO shall not fine students 1 1\u20442"
    fine = result.text.index("fine")
    assert raw[slice(*result.source_span(fine, fine + 4))] == "\ufb01ne"
    assert raw[slice(*result.source_span(0, 3))] == "\uff33\uff32\uff2f"


def test_a_spacing_accent_typed_as_an_apostrophe_is_kept_whole():
    # NFKC would turn "´" into a space and a combining accent, splitting the word in two
    assert normalize("the District\u00b4s policy") == "the District\u00b4s policy"


def test_combining_accents_compose_and_map_to_the_whole_letter():
    raw = "Jose\u0301 Nu\u0303n\u0303ez, Superintendent"
    result = normalize_with_map(raw)
    assert result.text == "Jos\u00e9 N\u0169\u00f1ez, Superintendent"
    e = result.text.index("\u00e9")
    assert raw[slice(*result.source_span(e, e + 1))] == "e\u0301"
    assert raw[slice(*result.source_span(0, 4))] == "Jose\u0301"


def test_fold_lowers_case_without_losing_the_map():
    raw = "\u0130STANBUL Police \u201cSRO\u201d \u2014 school-\nbased"
    folded = fold_with_map(raw)
    assert folded.text == 'i\u0307stanbul police "sro" - schoolbased'
    start = folded.text.index("police")
    assert raw[slice(*folded.source_span(start, start + 6))] == "Police"
    assert folded.text.startswith("i\u0307") and folded.source_span(0, 2) == (0, 1)
    assert fold(raw) == folded.text


_PIECES = [
    "The",
    "SRO",
    "shall",
    "not",
    "enforce",
    "school",
    "rules",
    "officer",
    "U.S.C.",
    "\u00a71232g",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    " \r\n",
    "\u00a0",
    "\u2003",
    "\u00ad",
    "o\ufb03cer",
    "\ufb01rst",
    "\ufb02ow",
    "\uff33\uff32\uff2f",
    "\uff11\uff12",
    "Jose\u0301",
    "\u201cquoted\u201d",
    "\u2018it\u2019s\u2019",
    "\u2014",
    "\u2013",
    "\u00bd",
    "\u2122",
    "\u2026",
    "disci-\npline",
    "offi-\n cer",
    "\u0130zmir",
    "\u00b4",
    "~",
    "|",
    "\u25a0",
    "stu\u00acdent",
    "con\u00ac\nduct",
]


def _documents(n: int = 150) -> list[str]:
    rng = random.Random(14)
    return [
        "".join(rng.choice(_PIECES) + rng.choice(["", " ", "\n"]) for _ in range(rng.randint(1, 40)))
        for _ in range(n)
    ]


def _check_map(raw: str, result: Normalized) -> None:
    assert len(result.starts) == len(result.ends) == len(result.text)
    for i in range(len(result.text)):
        assert 0 <= result.starts[i] < result.ends[i] <= len(raw)
        if i:
            assert result.starts[i] >= result.starts[i - 1] and result.ends[i] >= result.ends[i - 1]
        piece = raw[result.starts[i] : result.ends[i]]
        nfkc = unicodedata.normalize("NFKC", piece)
        forms = piece + piece.lower() + nfkc + nfkc.lower() + "'\"-"
        assert result.text[i] in forms or result.text[i].isspace(), (result.text[i], piece)


@pytest.mark.parametrize("ocr", [False, True])
def test_every_normalised_span_maps_back_to_the_original_text_it_came_from(ocr: bool):
    for raw in _documents():
        result = normalize_with_map(raw, ocr=ocr)
        assert result.text == normalize(raw, ocr=ocr)
        _check_map(raw, result)
        if ocr:
            continue  # whether an OCR glyph is noise depends on its neighbours, so no word check
        for word in re.finditer(r"\S+", result.text):
            start, end = result.source_span(*word.span())
            # the original words normalise, on their own, to the very same word
            assert normalize(raw[start:end]) == word.group(), (raw, word.group())


def test_every_folded_span_maps_back_to_the_original_text_it_came_from():
    for raw in _documents():
        folded = fold_with_map(raw)
        assert folded.text == fold(raw)
        _check_map(raw, folded)
        for word in re.finditer(r"\S+", folded.text):
            start, end = folded.source_span(*word.span())
            assert fold(raw[start:end]) == word.group(), (raw, word.group())


def test_text_with_nothing_to_rewrite_comes_back_as_the_rewriting_pass_would_give_it():
    """`normalize` returns a text unchanged (but trimmed) when it holds none of the sequences the
    rewrites act on; the mapped pass, which always rewrites, must agree on every input."""
    from mou_review.normalize import _REWRITTEN

    rng = random.Random(7)
    untouched = 0
    for _ in range(4000):
        raw = "".join(rng.choice("ab B-.\n \n") for _ in range(rng.randint(0, 30)))
        untouched += not any(piece in raw for piece in _REWRITTEN)
        assert normalize(raw) == normalize_with_map(raw).text, repr(raw)
    assert untouched > 400  # the shortcut was taken often, and the rewriting pass was too
