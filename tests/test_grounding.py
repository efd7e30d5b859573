from mou_review.grounding import Grounder, ground_finding
from mou_review.models import Document, DocumentInfo, Finding, Severity, Status

TEXT = (
    "ARTICLE IV. RECORDS\n\nStudent records shall be kept in compliance with the Family Educational\n"
    "Rights and Privacy Act. The SRO shall not be involved in routine disci-\npline of students."
)


def _grounder() -> Grounder:
    return Grounder(Document(info=DocumentInfo(doc_id="d", path="x"), text=TEXT, page_starts=[0, 60]))


def test_exact_quote_gets_offsets_and_page():
    ev = _grounder().locate("Student records shall be kept")
    assert ev is not None and ev.match == "exact"
    assert TEXT[ev.start : ev.end] == "Student records shall be kept"
    assert ev.page == 1


def test_line_break_and_curly_quotes_normalised():
    ev = _grounder().locate("\u201cthe Family Educational Rights and Privacy Act\u201d")
    assert ev is not None and ev.match == "normalized"
    assert "Family Educational\nRights" in TEXT[ev.start : ev.end]
    assert ev.page == 2


def test_hyphenated_line_break_matches():
    ev = _grounder().locate("not be involved in routine discipline of students")
    assert ev is not None
    assert TEXT[ev.start : ev.end].startswith("not be involved")


def test_small_typo_matches_fuzzily_and_fabrication_is_dropped():
    g = _grounder()
    fuzzy = g.locate("The SRO shall not be involved in routine discipline of student.")
    assert fuzzy is not None
    assert g.locate("The SRO shall arrest every student who breaks a school rule") is None


def test_present_finding_without_grounded_quote_is_downgraded():
    finding = Finding(requirement_id="ferpa_privacy", status=Status.present, severity=Severity.critical)
    grounded = ground_finding(_grounder(), finding, ["The district complies with HIPAA in all respects."])
    assert grounded.status == Status.weak
    assert grounded.ungrounded_quotes == 1
    assert "evidence_not_found" in grounded.issues


def test_quote_misquoted_at_both_ends_is_found_fuzzily():
    # the old prefilter only scored windows whose first or last word matched exactly
    g = _grounder()
    ev = g.locate(
        "Studxnt records shall be kept in compliance with the Family Educational Rights and Privacy Axt"
    )
    assert ev is not None and ev.match == "fuzzy"
    # whole words of the original text, the sentence's own period included (it is part of "Act.")
    assert TEXT[ev.start : ev.end] == (
        "Student records shall be kept in compliance with the Family Educational\nRights and Privacy Act."
    )
    assert ev.quote == TEXT[ev.start : ev.end]


def test_fuzzy_match_keeps_the_threshold():
    g = _grounder()
    # both ends changed and a word swapped in the middle: well under 90% of the quote is there
    assert (
        g.locate(
            "Teacher records shall be burned in compliance with the Family Educational Rights and Policy"
        )
        is None
    )
    assert g.locate("Privacy Act records shall be kept by the Family of Students") is None


def test_quote_matches_text_with_ligatures_and_full_width_letters_and_keeps_exact_offsets():
    # the redline grounds quotes in a DOCX's own paragraph text, which nobody has normalised
    text = "ARTICLE 2.\n\nThe \uff33\uff32\uff2f shall be the \ufb01rst point of contact for o\ufb03cers."
    g = Grounder(Document(info=DocumentInfo(doc_id="d", path="x"), text=text, page_starts=[0]))
    ev = g.locate("The SRO shall be the first point of contact for officers.")
    assert ev is not None and ev.match == "normalized"
    assert (ev.start, ev.end) == (text.index("The"), len(text))
    assert ev.quote == "The \uff33\uff32\uff2f shall be the \ufb01rst point of contact for o\ufb03cers."
