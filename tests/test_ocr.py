"""OCR of scans the tests make themselves: a corpus MOU printed to an image-only PDF at 200 dpi.

Needs Tesseract (`apt-get install tesseract-ocr`) and the `ocr` extra; skipped, with the reason,
without them. Few pages are OCR'd in all (about 4), each once per session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLE_TEXT, make_pdf
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.documents import load_document
from mou_review.errors import DocumentError
from mou_review.limits import LoadSettings
from mou_review.ocr import unavailable

pytestmark = pytest.mark.skipif(bool(unavailable()), reason=f"OCR unavailable: {unavailable()}")
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False", "MOU_REVIEW_BACKEND": "offline"}
SOURCE = CORPUS / "brassick_bend_ks_2004.pdf"  # two pages


def render_scan(source: Path, target: Path, dpi: int = 200) -> Path:
    """Print a PDF to images and save them as an image-only PDF, as a scanner would."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(source))
    images = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
    pdf.close()
    images[0].save(target, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return target


def review(path: Path, store: Path) -> dict:
    result = CliRunner().invoke(app, ["review", str(path), "--store", str(store), "-f", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("scan")
    scan = render_scan(SOURCE, folder / "scan.pdf")
    return review(SOURCE, folder / "store"), review(scan, folder / "store")


def test_the_generated_scan_has_no_text_layer(tmp_path: Path) -> None:
    from pypdf import PdfReader

    scan = render_scan(CORPUS / "caddow_ford_ks_2006.pdf", tmp_path / "scan.pdf")
    assert all(not (page.extract_text() or "").strip() for page in PdfReader(scan).pages)
    with pytest.raises(DocumentError, match="no extractable text"):
        load_document(scan, limits=LoadSettings(ocr=False))


def test_a_scanned_mou_reviews_like_its_text_version(reviews: tuple[dict, dict]) -> None:
    text, scan = reviews
    statuses = {f["requirement_id"]: f["status"] for f in text["findings"]}
    same = sum(statuses[f["requirement_id"]] == f["status"] for f in scan["findings"])
    assert same / len(statuses) >= 0.9, (same, len(statuses))
    assert len(scan["findings"]) == len(statuses) == 22


def test_the_review_of_a_scan_says_it_rests_on_ocr(reviews: tuple[dict, dict]) -> None:
    text, scan = reviews
    assert text["document"]["ocr"] is False and text["document"]["ocr_pages"] == []
    info = scan["document"]
    assert info["ocr"] is True and [p["page"] for p in info["ocr_pages"]] == [1, 2]
    assert all(60 <= p["confidence"] <= 100 for p in info["ocr_pages"])
    assert any("OCR" in note for note in scan["notes"])
    evidence = [e for f in scan["findings"] for e in f["evidence"]]
    assert evidence and all(e["ocr"] and e["ocr_confidence"] > 0 for e in evidence)
    assert not any(e["ocr"] for f in text["findings"] for e in f["evidence"])


def test_a_pdf_with_a_text_page_and_a_scanned_page(tmp_path: Path) -> None:
    """Page 1 has a text layer, page 2 is an image: both are read, and pages stay where they were."""
    from pypdf import PdfReader, PdfWriter

    text_pdf = make_pdf(tmp_path / "text.pdf", SAMPLE_TEXT)
    scan = render_scan(make_pdf(tmp_path / "other.pdf", SAMPLE_TEXT[4:]), tmp_path / "scan.pdf")
    writer = PdfWriter()
    writer.append(PdfReader(text_pdf))
    writer.append(PdfReader(scan))
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)

    document = load_document(mixed)
    assert [p.page for p in document.info.ocr_pages] == [2]
    scanned = document.text.index("Patrol Division", document.page_starts[1])
    assert document.page_at(scanned) == 2
    assert document.page_at(document.text.index("Harrow Glen Police")) == 1
    assert "student code of conduct" in document.text[document.page_starts[1] :]


def test_an_image_file_is_read_by_ocr(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)))
    pdf[0].render(scale=200 / 72).to_pil().save(tmp_path / "page.png")
    pdf.close()
    document = load_document(tmp_path / "page.png")
    assert document.info.ocr and document.info.pages == 1
    assert "Harrow Glen School District" in document.text
    assert document.info.parties == ["Harrow Glen Police Department", "Harrow Glen School District"]


def test_ocr_pages_over_the_limit_are_refused(tmp_path: Path) -> None:
    scan = render_scan(CORPUS / "brassick_bend_ks_2004.pdf", tmp_path / "scan.pdf", dpi=72)
    with pytest.raises(DocumentError, match="2 scanned pages to OCR"):
        load_document(scan, limits=LoadSettings(max_ocr_pages=1))
