"""Tracked changes in and out: a DOCX that already carries revisions keeps them under the redline's
own, and accepting every change (accept.py) gives what Word's "Accept All" gives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from conftest import CORPUS
from docx_revisions import RevisionParagraph, RevisionRun
from lxml import etree
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.redline.accept import accept_all

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
COUNSEL = "Outside Counsel"


def _with_revisions(path: Path) -> Path:
    """The Wexmoor DOCX after another author's tracked edits: one sentence added, one deleted."""
    document = docx.Document(str(CORPUS / "wexmoor_mn_2019.docx"))
    training = next(p for p in document.paragraphs if p.text.startswith("6.2"))
    RevisionParagraph.from_paragraph(training).add_tracked_insertion(
        " Counsel adds this sentence.", author=COUNSEL
    )
    overtime = next(p for p in document.paragraphs if p.text.startswith("9.2"))
    RevisionRun.from_run(overtime.runs[0]).delete_tracked(author=COUNSEL)
    document.save(str(path))
    return path


def _revisions(path: Path, author: str) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    out = []
    for mark in (*body.iter(f"{W}ins"), *body.iter(f"{W}del")):
        if mark.get(f"{W}author") == author:
            text = "".join(t.text or "" for t in mark.iter(f"{W}t", f"{W}delText"))
            out.append((etree.QName(mark).localname, text))
    return out


@pytest.fixture(scope="module")
def redlined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("revisions")
    source = _with_revisions(root / "mou.docx")
    target = root / "mou.redline.docx"
    result = CliRunner().invoke(
        app,
        ["redline", str(source), "-o", str(target), "--store", str(root / "store")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return source, target


def test_existing_revisions_survive_under_the_redline(redlined: tuple[Path, Path]) -> None:
    source, target = redlined
    before = _revisions(source, COUNSEL)
    assert ("ins", " Counsel adds this sentence.") in before and any(kind == "del" for kind, _ in before)
    assert sorted(_revisions(target, COUNSEL)) == sorted(before)
    assert len(_revisions(target, "mou-review")) > 5  # and the redline added its own on top


def test_accept_all_unwraps_insertions_and_drops_deletions(redlined: tuple[Path, Path]) -> None:
    _, target = redlined
    accepted = accept_all(docx.Document(str(target)))
    text = "\n".join(p.text for p in accepted.paragraphs)
    assert "Counsel adds this sentence." in text  # an earlier insertion, accepted
    assert "9.2 Overtime" not in text and "Overtime for District-requested events" not in text
    assert "last resorts" in text  # the redline's own insertion
    assert "remain within the SRO's professional discretion" not in text  # and its deletion
    with zipfile.ZipFile(target) as z:
        assert b"w:ins " in z.read("word/document.xml")
    xml = etree.tostring(accepted.element.body).decode()
    assert "w:ins " not in xml and "w:del " not in xml and "delText" not in xml


def test_accepting_a_deleted_paragraph_mark_joins_the_paragraphs(tmp_path: Path) -> None:
    from docx.oxml import OxmlElement

    document = docx.Document()
    first, second = document.add_paragraph("First half"), document.add_paragraph(" and second half.")
    r_pr = OxmlElement("w:rPr")
    r_pr.append(OxmlElement("w:del"))
    first._p.get_or_add_pPr().append(r_pr)
    accepted = accept_all(document)
    assert [p.text for p in accepted.paragraphs] == ["First half and second half."]
    assert second.text == " and second half."  # the original is untouched
