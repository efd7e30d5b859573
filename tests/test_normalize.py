from mou_review.normalize import normalize, normalize_with_map


def test_whitespace_collapses_and_map_points_back_to_raw():
    raw = "The  SRO\t shall   report.\r\n\n\n\nNext   paragraph."
    text, mapping = normalize_with_map(raw)
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
    text, mapping = normalize_with_map(raw, ocr=True)
    assert text == "The SRO shall not enforce the stu\u00acdent\ncode of conduct at all.\n____ hours"
    assert len(mapping) == len(text)
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert raw[mapping[i]] == ch


def test_ocr_glyphs_are_kept_in_text_that_was_not_ocrd():
    assert normalize("see ~ and | as typed") == "see ~ and | as typed"
