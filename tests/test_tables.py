"""Tables in real DOCX files: a quote never joins cells, and a roles table is read as roles.

The loader writes a table row as one line whose cells are joined by " | ". Nobody can find such a
line in Word, so every quote is one cell (or a sentence within it); and a two-column table whose
header cells name the parties says, row by row, what each party does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mou_review.checklist import load_checklist
from mou_review.config import Settings
from mou_review.documents import load_document
from mou_review.grounding import Grounder
from mou_review.models import Document, DocumentInfo
from mou_review.pipeline import review_file
from mou_review.quotes import quote_at
from mou_review.reviewers.offline import OfflineReviewer
from mou_review.segment import segment
from mou_review.vocabulary import sentence_spans

DISTRICT, DEPARTMENT = "School District Responsibilities", "Police Department Responsibilities"
ROLES = [
    [DISTRICT, DEPARTMENT],
    [
        "Provide a private office with a locking file cabinet, a telephone and a computer for the SRO.",
        "Assign one sworn officer to serve as the SRO at Harlow High School.",
    ],
    [
        "Hold a standing monthly meeting between the principal and the SRO.",
        "Train, equip and supervise the SRO through the Patrol Lieutenant.",
    ],
    ["Share the bell schedule and the emergency drill calendar with the SRO.", ""],
]
COSTS = [
    ["Cost item", "City share", "District share"],
    ["SRO salary and benefits during the school year", "50%", "50%"],
    ["Office furniture, phone and computer", "None", "100%"],
]
PARAGRAPHS = [
    "MEMORANDUM OF UNDERSTANDING",
    "This agreement between the Harlow School District and the City of Harlow Police Department "
    "sets out how a school resource officer serves Harlow High School. It is effective August 1, 2024.",
    "RESPONSIBILITIES OF THE PARTIES",
]


def _roles_docx(path: Path, header: list[str] | None = None) -> Path:
    import docx

    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_heading(text, level=1) if text.isupper() else document.add_paragraph(text)
    for rows in ([header or ROLES[0], *ROLES[1:]], COSTS):
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
        document.add_paragraph("The parties will review this agreement every year.")
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def roles_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _roles_docx(tmp_path_factory.mktemp("tables") / "harlow.docx")


@pytest.fixture(scope="module")
def reviewed(roles_docx: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(store_dir=tmp_path_factory.mktemp("store"), workers=1)
    return review_file(roles_docx, settings, load_checklist(), OfflineReviewer())


def _cells() -> set[str]:
    return {cell for table in (ROLES, COSTS) for row in table for cell in row if cell}


def test_each_cell_of_a_roles_table_is_a_clause_under_its_column_header(roles_docx: Path) -> None:
    document = load_document(roles_docx)
    clauses = segment(document)
    under = {c.text: c.heading_path for c in clauses}
    for row in ROLES[1:]:
        for header, cell in zip(ROLES[0], row, strict=True):
            if cell:
                assert under[cell][-1] == header
                assert under[cell][-2] == "RESPONSIBILITIES OF THE PARTIES"
    assert not any(DISTRICT in c.text for c in clauses)  # the header row is headings, not a clause
    for c in clauses:
        assert document.text[c.start : c.end] == c.text
    # a table whose header does not name the parties keeps its rows whole
    assert "SRO salary and benefits during the school year | 50% | 50%" in under


def test_a_table_with_one_party_column_is_not_a_roles_table(tmp_path: Path) -> None:
    document = load_document(_roles_docx(tmp_path / "one.docx", header=["Task", DEPARTMENT]))
    rows = [c for c in segment(document) if c.text.startswith("Provide a private office")]
    assert len(rows) == 1 and " | " in rows[0].text and rows[0].heading_path[-1] != "Task"


def test_sentences_and_quotes_stop_at_a_cell(roles_docx: Path) -> None:
    row = "Office furniture, phone and computer | None | 100%"
    assert [row[s:e] for s, e in sentence_spans(row)] == [
        "Office furniture, phone and computer",
        "None",
        "100%",
    ]
    assert quote_at(row, row.index("computer")) == "Office furniture, phone and computer"
    assert quote_at(row, row.index("None")) == "None"  # a short cell does not give way to the next cell
    text = load_document(roles_docx).text
    at = text.index("standing monthly")
    assert quote_at(text, at) == ROLES[2][0]


def test_a_reviewer_quote_that_joins_cells_is_cut_to_the_cell_holding_most_of_it(roles_docx: Path) -> None:
    document = load_document(roles_docx)
    joined = f"{ROLES[1][0]} | Assign one sworn officer"
    assert joined in document.text
    evidence = Grounder(document).locate(joined)
    assert evidence is not None and evidence.quote == ROLES[1][0]
    assert document.text[evidence.start : evidence.end] == ROLES[1][0]
    prose = Document(
        info=DocumentInfo(doc_id="p", path="p.txt"), text="The SRO patrols the halls.\nIt is no table."
    )
    kept = Grounder(prose).locate("patrols the halls.\nIt is")  # a quote across lines outside a table stays
    assert kept is not None and kept.quote == "patrols the halls.\nIt is"


def test_review_quotes_are_single_cells(reviewed) -> None:
    _, review = reviewed
    cells = _cells()
    quotes = [e.quote for f in review.findings for e in f.evidence]
    assert quotes and not [q for q in quotes if " | " in q]
    from_tables = [q for q in quotes if any(q in c or c in q for c in cells)]
    assert from_tables and all(any(q in c for c in cells) for q in from_tables)


def test_review_reads_the_roles_table_as_roles(reviewed) -> None:
    _, review = reviewed
    roles = review.finding("partner_roles")
    assert roles is not None and roles.status.value == "present", roles.rationale
    roles_quotes = {e.quote for e in roles.evidence}
    assert ROLES[1][0] in roles_quotes or ROLES[1][1] in roles_quotes
    school = review.finding("school_responsibilities")
    assert school is not None and school.status.value == "present", school.rationale
    assert any(e.quote in (ROLES[1][0], ROLES[2][0]) for e in school.evidence)
