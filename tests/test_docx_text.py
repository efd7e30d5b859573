"""DOCX tracked changes read as accepted (or original), comments left out: real w:ins/w:del files."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.documents import load_document
from mou_review.limits import LoadSettings

INSERTED = (
    "The Officer shall not enforce school rules or the student code of conduct; routine discipline "
    "remains the responsibility of school administrators."
)
DELETED = "The Officer shall enforce school rules and shall discipline students who break them."
COMMENT = "City attorney: please confirm this with the Board before signing."
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False", "MOU_REVIEW_BACKEND": "offline"}

BODY = [
    ("h", "MEMORANDUM OF UNDERSTANDING"),
    ("p", "This agreement is between the Alder Bay Police Department and the Alder Bay School District."),
    ("h", "ARTICLE I. PURPOSE"),
    ("p", "This agreement establishes a school resource officer program to keep students safe."),
    ("h", "ARTICLE II. SUPERVISION"),
    ("p", "The SRO shall be supervised by the Patrol Sergeant of the Department."),
    ("h", "ARTICLE III. DISCIPLINE"),
]


def _revision(kind: str, rid: int, text: str) -> object:
    tag = "w:t" if kind == "ins" else "w:delText"
    return parse_xml(
        f'<w:{kind} {nsdecls("w")} w:id="{rid}" w:author="City Attorney" w:date="2024-03-01T10:00:00Z">'
        f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r></w:{kind}>'
    )


def make_tracked_docx(path: Path) -> Path:
    """An MOU whose only discipline language is a pending insertion next to a pending deletion."""
    document = docx.Document()
    for kind, text in BODY:
        document.add_heading(text, level=1) if kind == "h" else document.add_paragraph(text)
    paragraph = document.add_paragraph()
    paragraph._p.append(_revision("del", 101, DELETED))
    paragraph._p.append(_revision("ins", 102, INSERTED))
    commented = document.add_paragraph("The parties will meet each year to review this agreement.")
    document.add_comment(commented.runs, text=COMMENT, author="City Attorney")
    document.save(str(path))
    return path


def test_the_accepted_view_has_insertions_and_no_deletions(tmp_path: Path) -> None:
    doc = load_document(make_tracked_docx(tmp_path / "tracked.docx"))
    assert INSERTED in doc.text
    assert "shall discipline students" not in doc.text
    assert COMMENT not in doc.text and "confirm this with the Board" not in doc.text
    assert doc.info.revisions == 2 and doc.info.revisions_view == "accepted"


def test_the_original_view_has_deletions_and_no_insertions(tmp_path: Path) -> None:
    path = make_tracked_docx(tmp_path / "tracked.docx")
    original = load_document(path, limits=LoadSettings(revisions="original"))
    assert DELETED in original.text and INSERTED not in original.text
    assert original.info.revisions_view == "original"
    assert original.info.doc_id != load_document(path).info.doc_id  # the two views are stored apart


def test_a_docx_without_revisions_counts_none(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("The SRO will patrol the campus and teach classes on safety each week.")
    document.save(str(tmp_path / "plain.docx"))
    info = load_document(tmp_path / "plain.docx").info
    assert (info.revisions, info.revisions_view) == (0, None)


def _review(path: Path, store: Path, *extra: str) -> dict:
    result = CliRunner().invoke(
        app, ["review", str(path), "--store", str(store), "-f", "json", *extra], env=ENV
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_tracked_change_case_reviews_discipline_as_present(tmp_path: Path) -> None:
    review = _review(make_tracked_docx(tmp_path / "tracked.docx"), tmp_path / "store")
    finding = next(f for f in review["findings"] if f["requirement_id"] == "discipline_carveout")
    assert finding["status"] == "present", finding
    quotes = [e["quote"] for f in review["findings"] for e in f["evidence"]]
    assert any("shall not enforce school rules" in q for q in quotes)
    assert not any(
        "discipline students who break" in q or "shall enforce school rules and" in q for q in quotes
    )
    assert any("2 pending tracked revision(s)" in note for note in review["notes"])


def test_revisions_original_reads_the_text_before_the_changes(tmp_path: Path) -> None:
    review = _review(make_tracked_docx(tmp_path / "t.docx"), tmp_path / "store", "--revisions", "original")
    finding = next(f for f in review["findings"] if f["requirement_id"] == "discipline_carveout")
    assert finding["status"] != "present"
    assert any("read as the original" in note for note in review["notes"])


def test_a_redline_of_the_tracked_file_keeps_its_revisions(tmp_path: Path) -> None:
    import zipfile

    source = make_tracked_docx(tmp_path / "tracked.docx")
    target = tmp_path / "tracked.redline.docx"
    args = ["redline", str(source), "-o", str(target), "--store", str(tmp_path / "store")]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    xml = zipfile.ZipFile(target).read("word/document.xml").decode()
    assert 'w:id="101" w:author="City Attorney"' in xml and 'w:id="102" w:author="City Attorney"' in xml
    assert DELETED in xml and INSERTED in xml  # the pending deletion and insertion, untouched
    assert 'w:author="mou-review"' in xml  # and the redline's own revisions on top
    ours = load_document(target)
    assert ours.info.revisions > 2
