"""What the loaders accept: generous for real MOUs, quick to refuse hostile files.

Each limit is checked before the expensive step it protects (a DOCX's members before inflating
them, a text file's size before decoding it, a PDF's page count before extracting it), so a
refusal costs milliseconds and no memory. `deadline` bounds the whole of one document's work.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import DocumentError

MB = 1024 * 1024


class LoadSettings(BaseModel):
    """How documents are read, and the limits that keep a hostile file from taking the machine."""

    model_config = ConfigDict(frozen=True)

    revisions: Literal["accepted", "original"] = Field(
        "accepted",
        description="DOCX tracked changes: read with insertions in (accepted) or the pre-change text",
    )
    ocr: bool = Field(True, description="OCR scanned pages and images when Tesseract is installed")
    ocr_language: str = Field("eng", description="Tesseract language(s), e.g. 'eng+spa'")
    ocr_dpi: int = Field(
        200, ge=72, le=600, description="resolution scanned PDF pages are rendered at for OCR"
    )
    max_file_mb: float = Field(200.0, gt=0, description="largest file read at all")
    max_text_chars: int = Field(2_000_000, gt=0, description="longest extracted text (a 300-page MOU is ~1M)")
    max_pdf_pages: int = Field(2000, gt=0, description="most pages in a PDF")
    max_ocr_pages: int = Field(150, ge=0, description="most pages OCR'd in one document")
    max_image_pixels: int = Field(120_000_000, gt=0, description="largest image (pixels) given to OCR")
    max_docx_mb: float = Field(
        250.0, gt=0, description="largest total size of a DOCX's members once decompressed"
    )
    max_docx_members: int = Field(5000, gt=0, description="most files inside one DOCX")
    seconds_per_document: float = Field(
        600.0, gt=0, description="time allowed to load and review one document"
    )


def check_file_size(path: Path, size: int, limits: LoadSettings) -> None:
    if size > limits.max_file_mb * MB:
        raise DocumentError(
            path,
            f"file too large ({size / MB:.0f} MB; the limit is {limits.max_file_mb:g} MB)",
            hint="raise load.max_file_mb if this really is one agreement",
        )


def check_text_length(path: Path, chars: int, limits: LoadSettings) -> None:
    if chars > limits.max_text_chars:
        raise DocumentError(
            path,
            f"text too long ({chars:,} characters; the limit is {limits.max_text_chars:,})",
            hint="raise load.max_text_chars if this really is one agreement",
        )


def check_zip(path: Path, archive: zipfile.ZipFile, limits: LoadSettings) -> None:
    """Refuse a DOCX whose members are too many or inflate too far (a zip bomb), before parsing it.

    The sizes the archive declares are enough: `zipfile` never inflates a member past its declared
    size (a member that lies about it fails its CRC check instead), so nothing bigger can follow.
    """
    members = archive.infolist()
    if len(members) > limits.max_docx_members:
        raise DocumentError(path, f"DOCX holds {len(members)} files (the limit is {limits.max_docx_members})")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_docx_mb * MB:
        raise DocumentError(
            path,
            f"DOCX decompresses to {declared / MB:.0f} MB (the limit is {limits.max_docx_mb:g} MB; a zip bomb?)",
        )


class DocumentTimeout(DocumentError):
    """One document took longer than `seconds_per_document`."""


@contextlib.contextmanager
def deadline(path: str | Path, seconds: float) -> Iterator[None]:
    """Raise `DocumentTimeout` in this thread when the work inside takes longer than `seconds`.

    Uses SIGALRM, so it works in the main thread of a process (the CLI and every worker); elsewhere,
    or when an outer deadline is already running, it does nothing.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise DocumentTimeout(
            path, f"took longer than {seconds:g} s (the limit is load.seconds_per_document)"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def remaining(seconds: float) -> float:
    """Seconds left on the running deadline (for subprocess timeouts), or `seconds` when none runs."""
    left = (
        signal.getitimer(signal.ITIMER_REAL)[0]
        if threading.current_thread() is threading.main_thread()
        else 0
    )
    return left or seconds
