"""Where new clauses go and what numbers they take, in the agreement's own style."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from test_redline import _reviewed

from mou_review.redline.accept import accept_all
from mou_review.redline.docx_out import redlined_docx
from mou_review.redline.placement import next_number


@pytest.mark.parametrize(
    ("marker", "following"),
    [
        ("VIII.", "IX."),
        ("XIX.", "XX."),
        ("5.3", "5.4"),
        ("(c)", "(d)"),
        ("Article 4", "Article 5"),
        ("C.", "D."),
    ],
)
def test_next_number_follows_the_style(marker: str, following: str) -> None:
    assert next_number(marker) == following


def test_oxbend_purpose_at_the_top_new_sections_numbered_and_signatures_renumbered() -> None:
    from conftest import CORPUS

    reviewed = _reviewed(CORPUS / "oxbend_ks_1996.txt")
    text = reviewed.document.text
    by_id = {e.requirement_id: e for e in reviewed.plan.edits if e.kind in ("insert", "replace")}
    assert by_id["purpose"].start < text.index("I. ASSIGNMENT OF OFFICER")  # after the preamble
    hours = by_id["duty_hours"]  # under the agreement's own "III. HOURS", no heading of its own
    assert hours.section == "III. HOURS" and hours.lead == ""
    new = [
        e
        for e in reviewed.plan.edits
        if e.kind == "insert" and e.number and e.lead.endswith(f"{e.heading}. ")
    ]
    assert [e.number for e in new] == [
        f"{n}." for n in ("VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII")
    ]
    assert all(e.start < text.index("VIII. SIGNATURES") for e in new)
    renumber = next(e for e in reviewed.plan.edits if e.requirement_id == "numbering")
    assert (renumber.old_text, renumber.new_text) == ("VIII.", "XIX.")


def test_an_item_added_to_an_auto_numbered_list_is_numbered_by_word(tmp_path: Path) -> None:
    source = tmp_path / "listed.docx"
    document = docx.Document()
    document.add_paragraph("MEMORANDUM OF UNDERSTANDING")
    document.add_paragraph(
        "This agreement between the Harrow Glen Police Department and the Harrow Glen School District "
        "takes effect on July 1, 2021, to keep students safe."
    )
    document.add_paragraph("TRAINING")
    for item in ("The SRO shall complete a basic course.", "The SRO shall attend training each year."):
        document.add_paragraph(item, style="List Number")
    document.save(str(source))
    reviewed = _reviewed(source)
    training = next(e for e in reviewed.plan.edits if e.requirement_id == "training")
    assert training.kind == "insert" and training.number == "3."
    redlined, unplaced = redlined_docx(reviewed.plan.edits, reviewed.document, source, author="t")
    assert not unplaced
    added = next(p for p in accept_all(redlined).paragraphs if p.text.startswith("Before placement"))
    assert added.style.name == "List Number"  # Word gives it the number 3, nothing is typed


def test_the_body_ends_where_a_numbered_signatures_heading_starts() -> None:
    """The redline puts new sections before the block the reviewer reads signatures in: a
    numbered "11. SIGNATURES" heading opens it, not only the blank lines under it."""
    from mou_review.models import Document, DocumentInfo
    from mou_review.redline.placement import body_clauses
    from mou_review.segment import segment
    from mou_review.vocabulary import signature_block_start

    body = "\n\n".join(
        f"{i}. The parties agree to the terms of clause {i} of this MOU." for i in range(1, 11)
    )
    text = (
        f"{body}\n\n11. SIGNATURES\n\nDUNHALLOW CITY SCHOOL DISTRICT BOARD OF EDUCATION\n\n"
        "Margaret Olin, Superintendent\n\n______________________________ Date: July 16, 2018"
    )
    document = Document(info=DocumentInfo(doc_id="d", path="x.txt"), text=text, page_starts=[0])
    clauses = segment(document)
    kept = body_clauses(clauses, text)
    assert signature_block_start(text) == text.index("11. SIGNATURES")
    assert kept and kept[-1].text.startswith("10. The parties agree")
    assert all(c.end <= text.index("11. SIGNATURES") for c in kept)
