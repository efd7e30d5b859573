"""Shared fixtures: tiny real files (PDF, DOCX, TXT) and a Chroma store in a temp folder."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

os.environ["ANONYMIZED_TELEMETRY"] = "False"
for var in list(os.environ):
    if var.startswith("MOU_REVIEW_") or var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        del os.environ[var]
# A command run without --store uses the user's data folder: in tests, a throwaway one.
os.environ["MOU_REVIEW_HOME"] = tempfile.mkdtemp(prefix="mou-review-home-")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

SAMPLE_TEXT = [
    "MEMORANDUM OF UNDERSTANDING",
    "Between the Harrow Glen Police Department and the Harrow Glen School District",
    "ARTICLE I. PURPOSE",
    "1.1 This agreement establishes a school resource officer program to keep students safe. "
    "It is effective July 1, 2021.",
    "ARTICLE II. SUPERVISION",
    "2.1 The SRO shall be supervised by the Patrol Division Lieutenant, who reports to the Chief of Police.",
    "2.2 The SRO shall not enforce the student code of conduct; routine discipline remains the "
    "responsibility of school administrators.",
]


def make_pdf(path: Path, paragraphs: list[str], *, pages: int = 1, encrypt: str | None = None) -> Path:
    """A real PDF drawn with reportlab (one paragraph per line, wrapped by hand)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for page in range(pages):
        y = 740
        for para in paragraphs:
            words, line = para.split(), ""
            for word in words:
                if len(line) + len(word) > 85:
                    pdf.drawString(60, y, line)
                    y, line = y - 14, ""
                line = f"{line} {word}".strip()
            pdf.drawString(60, y, line)
            y -= 24
        if page < pages - 1:
            pdf.showPage()
    pdf.save()
    data = buf.getvalue()
    if encrypt:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=encrypt, owner_password=encrypt, algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    path.write_bytes(data)
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose pages hold only drawings: what a scan without OCR looks like to pypdf."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for i in range(20):
        pdf.rect(50 + i * 10, 600 - i * 12, 300, 8, fill=1)
    pdf.save()
    return path


def make_docx(path: Path, paragraphs: list[str], *, table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for para in paragraphs:
        if para.isupper() or para.startswith("ARTICLE"):
            document.add_heading(para, level=1)
        else:
            document.add_paragraph(para)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    document.save(str(path))
    return path


@pytest.fixture
def settings(tmp_path: Path):
    from mou_review.config import Settings

    return Settings(store_dir=tmp_path / "store", workers=1)


@pytest.fixture
def store(settings):
    from mou_review.store import ClauseStore

    return ClauseStore(settings)


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory):
    """The whole sample corpus ingested once per test session."""
    from mou_review.config import Settings
    from mou_review.ingest import ingest
    from mou_review.store import ClauseStore

    settings = Settings(store_dir=tmp_path_factory.mktemp("corpus-store"), workers=2)
    clause_store = ClauseStore(settings)
    report = ingest([CORPUS], settings, clause_store)
    assert report.ok, report.failed
    return clause_store


def packaged_patterns(kinds: tuple[str, ...] = ("topic", "strong", "vague", "contrary")) -> list[str]:
    """Every distinct pattern of those kinds in every packaged checklist, sorted: what the
    matcher tests hold to `re`."""
    from mou_review.checklist import load_checklist, packaged_ids

    return sorted(
        {
            p
            for checklist_id in packaged_ids()
            for r in load_checklist(checklist_id).requirements
            for kind in kinds
            for p in getattr(r.signals, kind)
        }
    )
