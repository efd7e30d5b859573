"""Parties read from the text the way real MOUs name them, including legacy all-caps headings."""

from __future__ import annotations

import pytest

from mou_review.metadata import extract_metadata
from mou_review.models import DocumentInfo


def _parties(text: str) -> list[str]:
    return extract_metadata(text, DocumentInfo(doc_id="d", path="x.txt")).parties


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "AGREEMENT\nOXBEND UNIFIED SCHOOL DISTRICT NO. 418 AND THE CITY OF OXBEND\nThe Oxbend Unified "
            "School District No. 418, hereinafter called the DISTRICT, and the City of Oxbend, Kansas, by and "
            "through its Police Department, hereinafter called the DEPARTMENT, agree as follows.",
            ["Oxbend Police Department", "Oxbend Unified School District No. 418"],
        ),
        (
            "MEMORANDUM OF UNDERSTANDING\nDUNHALLOW CITY SCHOOL DISTRICT AND DUNHALLOW POLICE DEPARTMENT\n"
            "1.1 This MOU is made between the District and the Department.",
            ["Dunhallow Police Department", "Dunhallow City School District"],
        ),
        (
            '(a) This Memorandum is made by the School District of Corran Lake (the "District") and the City '
            "of Corran Lake, acting through the Corran Lake Police Department.",
            ["Corran Lake Police Department", "School District of Corran Lake"],
        ),
        (
            "This Agreement is made between the City of Tamsin Falls, Ohio, on behalf of its Division of "
            "Police, and the Board of Education of the Tamsin Falls City School District.",
            ["Tamsin Falls Division of Police", "Tamsin Falls City School District"],
        ),
        (
            "Joint Powers MOU for School Resource Officer Services\nWexmoor Area Public Schools and the "
            "City of Wexmoor Police Department",
            ["City of Wexmoor Police Department", "Wexmoor Area Public Schools"],
        ),
    ],
)
def test_parties_from_the_text(text: str, expected: list[str]) -> None:
    assert _parties(text) == expected


def test_no_parties_are_invented() -> None:
    assert _parties("The parties agree that the officer will be stationed at the high school.") == []


def test_manifest_fills_only_the_role_the_text_leaves_out() -> None:
    text = (
        'This Agreement is between the City of Caddow Ford (the "City") and Unified School District No. 512.'
    )
    manifest = {"x.txt": {"agency": "Caddow Ford Police Department", "district": "USD 512", "state": "KS"}}
    info = extract_metadata(text, DocumentInfo(doc_id="d", path="x.txt"), manifest=manifest)
    assert info.parties == ["Caddow Ford Police Department", "Unified School District No. 512"]
    assert info.state == "KS"
