"""Loaders on real files, and every kind of bad input the issue lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT, make_docx, make_pdf, make_scanned_pdf

from mou_review.discovery import walk
from mou_review.documents import load_document
from mou_review.errors import DocumentError


def test_pdf_keeps_page_boundaries(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT, pages=3))
    assert doc.info.pages == 3
    assert len(doc.page_starts) == 3
    second = doc.text.index("MEMORANDUM", doc.page_starts[1])
    assert doc.page_at(second) == 2
    assert doc.page_at(doc.page_starts[2] + 5) == 3
    assert "Patrol Division Lieutenant" in doc.text


def test_docx_reads_headings_paragraphs_and_tables_in_order(tmp_path: Path):
    path = make_docx(tmp_path / "a.docx", SAMPLE_TEXT, table=[["Item", "Paid by"], ["Salary", "District"]])
    doc = load_document(path)
    assert doc.text.index("ARTICLE I. PURPOSE") < doc.text.index("ARTICLE II. SUPERVISION")
    assert "Salary | District" in doc.text


def test_docx_automatic_numbering_is_rendered(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_paragraph("The SRO will patrol the campus.", style="List Number")
    document.add_paragraph("The SRO will teach classes.", style="List Number")
    document.save(str(tmp_path / "n.docx"))
    text = load_document(tmp_path / "n.docx").text
    assert "1. The SRO will patrol the campus." in text
    assert "2. The SRO will teach classes." in text


def test_doc_id_is_content_hash(tmp_path: Path):
    a = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)
    b = tmp_path / "copy.pdf"
    b.write_bytes(a.read_bytes())
    assert load_document(a).info.doc_id == load_document(b).info.doc_id


def test_metadata_parties_and_date(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT))
    assert doc.info.parties == ["Harrow Glen Police Department", "Harrow Glen School District"]
    assert doc.info.effective_date == "July 1, 2021"
    assert doc.info.title and doc.info.title.startswith("MEMORANDUM OF UNDERSTANDING")


def test_manifest_fields_are_merged(tmp_path: Path):
    from mou_review.metadata import read_manifest

    make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)
    (tmp_path / "manifest.csv").write_text("file,district,state,year\na.pdf,Harrow Glen SD,OR,2021\n")
    doc = load_document(tmp_path / "a.pdf", manifest=read_manifest(tmp_path))
    assert (doc.info.district, doc.info.state, doc.info.year) == ("Harrow Glen SD", "OR", 2021)


def _reason(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert str(path) in str(caught.value)
    return caught.value.reason


def test_encrypted_pdf(tmp_path: Path):
    assert "encrypted" in _reason(make_pdf(tmp_path / "locked.pdf", SAMPLE_TEXT, encrypt="s3cret"))


def test_truncated_pdf(tmp_path: Path):
    good = make_pdf(tmp_path / "good.pdf", SAMPLE_TEXT).read_bytes()
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(good[: len(good) // 3])
    reason = _reason(bad)
    assert "corrupt" in reason or "no extractable text" in reason


def test_garbage_pdf(tmp_path: Path):
    bad = tmp_path / "garbage.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00\xff garbage " * 50)
    assert "corrupt" in _reason(bad)


def test_scanned_pdf_without_text(tmp_path: Path):
    assert "no extractable text" in _reason(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_empty_file(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert _reason(tmp_path / "empty.txt") == "empty file"


def test_unsupported_extension(tmp_path: Path):
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04 not really")
    assert "unsupported file type '.xlsx'" in _reason(tmp_path / "sheet.xlsx")


def test_corrupt_docx(tmp_path: Path):
    (tmp_path / "broken.docx").write_bytes(b"this is not a zip file at all, sorry")
    assert "corrupt DOCX" in _reason(tmp_path / "broken.docx")


def test_cp1252_text_is_decoded_with_a_warning(tmp_path: Path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(
        "The officer\u2019s duties include patrol of the school grounds \u2013 daily.".encode("cp1252")
    )
    doc = load_document(path)
    assert "officer\u2019s duties" in doc.text
    assert doc.warnings and "cp1252" in doc.warnings[0]


def test_binary_in_text_file(tmp_path: Path):
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    assert "binary" in _reason(tmp_path / "blob.txt")


def test_discover_skips_hidden_files_and_manifest(tmp_path: Path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "manifest.csv").write_text("file\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("x")
    assert [p.name for p in walk([tmp_path]).files] == ["a.txt", "b.md"]


def test_utf16_text_with_a_bom_as_notepad_writes_it(tmp_path: Path):
    path = tmp_path / "notepad.txt"
    path.write_bytes("\n".join(SAMPLE_TEXT).encode("utf-16"))  # BOM + UTF-16-LE
    doc = load_document(path)
    assert "Patrol Division Lieutenant" in doc.text
    assert doc.warnings == ["decoded as UTF-16"]


def test_utf16_without_a_bom(tmp_path: Path):
    path = tmp_path / "plain16.txt"
    path.write_bytes("\n".join(SAMPLE_TEXT).encode("utf-16-le"))
    assert "Harrow Glen School District" in load_document(path).text


def _truncated_docx(path: Path) -> Path:
    import zipfile

    good = make_docx(path.with_name("whole.docx"), SAMPLE_TEXT)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    good.unlink()
    return path


def test_a_docx_with_a_truncated_document_xml(tmp_path: Path):
    reason = _reason(_truncated_docx(tmp_path / "cut.docx"))
    assert reason.startswith("corrupt DOCX (XMLSyntaxError:")
    assert "\n" not in reason


def test_a_truncated_docx_does_not_stop_a_batch_in_worker_processes(tmp_path: Path):
    """lxml's error cannot be pickled: it must become data inside the worker, not cross the pipe."""
    from mou_review.config import Settings
    from mou_review.ingest import ingest
    from mou_review.store import ClauseStore

    folder = tmp_path / "mous"
    folder.mkdir()
    _truncated_docx(folder / "a_cut.docx")
    for i in range(4):
        make_pdf(
            folder / f"good{i}.pdf", [*SAMPLE_TEXT, f"Schedule {i}: the SRO works {i + 30} hours a week."]
        )
    settings = Settings(store_dir=tmp_path / "store", workers=2)
    report = ingest([folder], settings, ClauseStore(settings))
    assert len(report.added) == 4
    assert [(Path(p).name, r.split(":")[0]) for p, r in report.failed] == [
        ("a_cut.docx", "corrupt DOCX (XMLSyntaxError")
    ]


def test_an_email_named_explicitly_is_out_of_scope(tmp_path: Path):
    (tmp_path / "mou.eml").write_text("From: clerk@city.example\n\nSee attached.")
    assert _reason(tmp_path / "mou.eml") == "e-mail files are out of scope"


def test_a_valid_file_is_not_dropped_as_a_duplicate_of_a_failed_one(tmp_path: Path, settings, store):
    from mou_review.ingest import ingest

    text = "\n\n".join(SAMPLE_TEXT).encode()
    (tmp_path / "mous").mkdir()
    (tmp_path / "mous" / "a_copy.pdf").write_bytes(text)  # not a PDF: it fails
    (tmp_path / "mous" / "b.txt").write_bytes(text)
    (tmp_path / "mous" / "c.txt").write_bytes(text)
    report = ingest([tmp_path / "mous"], settings, store)
    assert [Path(p).name for p in report.added] == ["b.txt"]
    assert [Path(p).name for p, _ in report.failed] == ["a_copy.pdf"]
    assert [(Path(a).name, Path(b).name) for a, b in report.duplicates] == [("c.txt", "b.txt")]


def test_without_tesseract_a_scan_says_in_one_line_how_to_get_it(tmp_path: Path, monkeypatch):
    image = pytest.importorskip("PIL.Image")
    page = image.new("L", (850, 1100), 255)
    page.save(tmp_path / "scan.pdf", "PDF", resolution=100)
    page.save(tmp_path / "scan.png")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # a machine without tesseract
    with pytest.raises(DocumentError) as caught:
        load_document(tmp_path / "scan.pdf")
    assert caught.value.reason == "no extractable text (a scanned image?)"
    assert caught.value.hint is not None and "apt-get install tesseract-ocr" in caught.value.hint
    assert "mou-review[ocr]" in caught.value.hint and "\n" not in caught.value.hint
    with pytest.raises(
        DocumentError, match="an image needs OCR, but the `tesseract` program is not installed"
    ):
        load_document(tmp_path / "scan.png")
