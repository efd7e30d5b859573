from __future__ import annotations

from mou_review.models import Document, DocumentInfo
from mou_review.segment import marker_of, segment


def _doc(text: str, page_starts: list[int] | None = None) -> Document:
    return Document(info=DocumentInfo(doc_id="d1", path="x.txt"), text=text, page_starts=page_starts or [0])


def test_markers_recognised():
    cases = {
        "ARTICLE IV. SUPERVISION": "article",
        "Section 4. Training": "section",
        "II. ROLES": "roman",
        "A. Purpose": "upper",
        "1. The SRO shall": "decimal1",
        "1.1 The SRO shall": "decimal2",
        "2.3.1 The SRO": "decimal3",
        "(a) salary": "paren_lower",
        "(iii) overtime": "paren_roman",
        "The SRO shall": None,
    }
    assert {text: marker_of(text) for text in cases} == cases


def test_clauses_have_heading_paths_offsets_and_pages():
    text = (
        "MEMORANDUM OF UNDERSTANDING\n\n"
        "ARTICLE I. PURPOSE\n\n"
        "1.1 The program keeps schools safe.\n"
        "1.2 The agreement is effective July 1, 2021.\n\n"
        "ARTICLE II. SUPERVISION\n\n"
        "(a) The SRO reports to the Patrol Lieutenant.\n"
        "(b) The Lieutenant reports to the Chief."
    )
    page2 = text.index("ARTICLE II")
    clauses = segment(_doc(text, [0, page2]))
    assert [c.text for c in clauses] == [
        "1.1 The program keeps schools safe.",
        "1.2 The agreement is effective July 1, 2021.",
        "(a) The SRO reports to the Patrol Lieutenant.",
        "(b) The Lieutenant reports to the Chief.",
    ]
    for c in clauses:
        assert text[c.start : c.end] == c.text
    assert clauses[0].heading_path == ["MEMORANDUM OF UNDERSTANDING", "ARTICLE I. PURPOSE"]
    assert clauses[2].heading_path == ["MEMORANDUM OF UNDERSTANDING", "ARTICLE II. SUPERVISION"]
    assert [c.page for c in clauses] == [1, 1, 2, 2]


def test_wrapped_pdf_lines_join_and_short_sentence_end_splits():
    line = "The school resource officer shall patrol the buildings and grounds of every school in"
    text = f"{line}\nthe district during the school day.\n{line}\nthe district after hours."
    clauses = segment(_doc(text))
    assert len(clauses) == 2
    assert clauses[0].text.endswith("school day.")


def test_long_paragraph_is_windowed_at_sentence_ends():
    sentence = "The SRO shall attend the monthly safety meeting with the principal and staff. "
    text = sentence * 40
    clauses = segment(_doc(text.strip()))
    assert len(clauses) > 1
    assert all(len(c.text) <= 1400 for c in clauses)
    assert all(c.text.startswith("The SRO") for c in clauses)
    assert clauses[-1].end == len(text.strip())


def test_signature_lines_are_not_headings():
    text = "SIGNATURES\n\nJane Roe\nChief of Police\nDate: ____\n\nJohn Doe\nSuperintendent\nDate: ____"
    clauses = segment(_doc(text))
    assert all(c.heading_path == ["SIGNATURES"] for c in clauses)
    assert any("Chief of Police" in c.text for c in clauses)


def test_a_cross_reference_wrapped_onto_its_own_line_is_not_a_heading():
    # from a PDF: "consistent with" ends one line, "Section 8." is the next; items E and F still
    # belong under "Section 3. Responsibilities of the District"
    text = (
        "Section 3. Responsibilities of the District\n"
        "D. Direct staff to cooperate with SRO investigations of crimes on school property, consistent with\n"
        "Section 8.\n"
        "E. Maintain and staff the restorative practices program.\n"
        "Section 4. Responsibilities of the Department\n"
        "A. Assign two SROs.\n"
    )
    clauses = segment(Document(info=DocumentInfo(doc_id="x", path="x.pdf"), text=text))
    by_start = {c.text.split()[0]: c.heading_path[-1] for c in clauses}
    assert by_start["D."] == by_start["E."] == "Section 3. Responsibilities of the District"
    assert by_start["A."] == "Section 4. Responsibilities of the Department"
    assert any(c.text.endswith("consistent with\nSection 8.") for c in clauses)
