"""Quote spans: one sentence, label stripped, long sentences cut after the match, always a slice."""

from mou_review.quotes import quote_at, sentence_spans

FERPA = (
    '2.4 "Education records" has the meaning given in the Family Educational Rights and Privacy Act, '
    "20 U.S.C. 1232g, and its regulations at 34 CFR Part 99. Each SRO shall be on duty\n"
    "from 7:00 a.m. to 3:30 p.m. at the assigned school."
)


def test_abbreviations_and_times_do_not_end_sentences():
    sentences = [FERPA[s:e] for s, e in sentence_spans(FERPA)]
    assert len(sentences) == 2
    assert sentences[0].endswith("34 CFR Part 99.")
    assert sentences[1].startswith("Each SRO") and sentences[1].endswith("assigned school.")


def test_quote_drops_the_section_number_and_is_a_slice():
    quote = quote_at(FERPA, FERPA.index("Family"))
    assert quote.startswith('"Education records" has the meaning')
    assert quote in FERPA


def test_heading_line_gives_way_to_the_sentence_after_it():
    text = "Section 4.2 Emergency Planning. The SRO shall help write each school's emergency operations plan."
    assert quote_at(text, text.index("Emergency")) == (
        "The SRO shall help write each school's emergency operations plan."
    )


def test_long_sentence_is_cut_at_the_clause_boundary_after_the_match():
    text = (
        "(b) Before placement each SRO shall complete a 40-hour basic SRO course, crisis intervention "
        "training, and training in adolescent brain development, special education law, trauma, implicit "
        "bias, restorative practices and the District's own policies on student searches and interviews."
    )
    quote = quote_at(text, text.index("40-hour"), text.index("40-hour") + 7)
    assert quote == "Before placement each SRO shall complete a 40-hour basic SRO course"
    assert quote in text


def test_match_deep_in_a_very_long_sentence_quotes_the_clause_around_it():
    filler = ", ".join(f"item number {i} of the long list" for i in range(12))
    text = f"The parties agree to {filler}, and the SRO shall treat arrest as a last resort, always."
    quote = quote_at(text, text.index("last resort"))
    assert "last resort" in quote and quote in text
    assert len(quote.split()) <= 36


def test_a_date_is_not_cut_at_its_comma():
    text = (
        "This MOU shall be in effect from July 1, 2016 through June 30, 2017, and shall renew automatically "
        "for additional one-year terms on the same conditions unless either party gives the other sixty "
        "days' written notice of non-renewal before the end of the current term of this agreement."
    )
    quote = quote_at(text, text.index("in effect"))
    assert quote.startswith("This MOU shall be in effect from July 1, 2016 through June 30, 2017")
