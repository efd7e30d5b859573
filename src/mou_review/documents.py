"""Load a file into a `Document`, with one clear error per unreadable or hostile file.

Formats (see `formats`): PDF (pypdf, OCR for scanned pages), DOCX (tracked changes read as
accepted), text, images (OCR), and .doc/.rtf/.odt/.wpd through LibreOffice. Every file is opened
without blocking and checked to be a regular file of sane size before a byte is parsed.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

from .errors import DocumentError
from .formats import DOCUMENT_SUFFIXES, EMAIL_SUFFIXES, IMAGE_SUFFIXES, LEGACY_SUFFIXES, TEXT_SUFFIXES
from .limits import LoadSettings, check_file_size, check_text_length, check_zip
from .loaded import LoadedPages
from .metadata import extract_metadata
from .models import Document, DocumentInfo, OcrPage
from .normalize import normalize
from .text_decode import decode_text

SUPPORTED_SUFFIXES = DOCUMENT_SUFFIXES
MIN_TEXT_CHARS = 40
DEFAULT_LOAD = LoadSettings()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def read_input(path: Path, limits: LoadSettings = DEFAULT_LOAD) -> bytes:
    """The bytes of a regular file of allowed size; FIFOs, devices and /dev/zero links are refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise DocumentError(path, "file not found") from None
    except IsADirectoryError:
        raise DocumentError(path, "is a directory, not a file") from None
    except OSError as exc:
        raise DocumentError(path, f"cannot read file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(path, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(path, "not a regular file (a FIFO, device or socket)")
        check_file_size(path, info.st_size, limits)
        try:
            return fh.read(int(limits.max_file_mb * 1024 * 1024) + 1)
        except OSError as exc:
            raise DocumentError(path, f"cannot read file ({exc.strerror})") from None


def document_id(data: bytes, suffix: str, limits: LoadSettings = DEFAULT_LOAD) -> str:
    """Content hash of the bytes; a DOCX read in its original (pre-change) view gets its own id."""
    if limits.revisions == "original" and suffix in (".docx", *LEGACY_SUFFIXES):
        return content_hash(data + b"\0revisions=original")
    return content_hash(data)


def file_id(path: Path, limits: LoadSettings = DEFAULT_LOAD) -> str:
    """The doc_id a file will get, read safely (raises `DocumentError` for what `read_input` refuses)."""
    return document_id(read_input(path, limits), path.suffix.lower(), limits)


def load_document(
    path: Path, *, manifest: dict[str, dict[str, str]] | None = None, limits: LoadSettings = DEFAULT_LOAD
) -> Document:
    """Read one file into a normalised `Document`; raise `DocumentError` naming the file and why."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(path, "file not found")
    suffix = _check_suffix(path)
    data = read_input(path, limits)
    if not data.strip():
        raise DocumentError(path, "empty file")
    loaded = _read(path, suffix, data, limits)
    pages = [normalize(p, ocr=i in loaded.ocr) for i, p in enumerate(loaded.pages)]
    text, page_starts = _join_pages(pages)
    check_text_length(path, len(text), limits)
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise _no_text(path, suffix, loaded)
    info = DocumentInfo(
        doc_id=document_id(data, suffix, limits),
        path=str(path),
        pages=len(pages),
        ocr_pages=[OcrPage(page=i + 1, confidence=c) for i, c in sorted(loaded.ocr.items())],
        revisions=loaded.revisions,
        revisions_view=limits.revisions if loaded.revisions else None,
        converted_from=loaded.converted_from,
        warnings=loaded.warnings,
    )
    info = extract_metadata(text, info, manifest=manifest)
    return Document(info=info, text=text, page_starts=page_starts)


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in EMAIL_SUFFIXES:
        raise DocumentError(
            path, "e-mail files are out of scope", hint="save the attached MOU and review that file"
        )
    if suffix not in SUPPORTED_SUFFIXES:
        if path.is_dir():
            raise DocumentError(path, "is a directory, not a file")
        raise DocumentError(
            path,
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    return suffix


def _read(path: Path, suffix: str, data: bytes, limits: LoadSettings) -> LoadedPages:
    if suffix == ".pdf":
        from .pdf_text import read_pdf

        return read_pdf(path, data, limits)
    if suffix == ".docx":
        return _read_docx(path, data, limits)
    if suffix in LEGACY_SUFFIXES:
        from .convert import to_docx

        loaded = _read_docx(path, to_docx(path, data, limits), limits)
        loaded.converted_from = suffix
        return loaded
    if suffix in IMAGE_SUFFIXES:
        return _read_image(path, data, limits)
    assert suffix in TEXT_SUFFIXES
    if len(data) > 4 * limits.max_text_chars:  # more bytes than any allowed text could need
        check_text_length(path, len(data), limits)
    text, warnings = decode_text(path, data)
    return LoadedPages([text], warnings=warnings)


def _read_docx(path: Path, data: bytes, limits: LoadSettings) -> LoadedPages:
    import docx

    from .docx_text import count_revisions, docx_pages

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(path, archive, limits)
        document = docx.Document(io.BytesIO(data))
        pages = docx_pages(document, limits.revisions)
        revisions = count_revisions(document)
    except DocumentError:
        raise
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types
        raise DocumentError(path, f"corrupt DOCX ({type(exc).__name__}: {_first_line(exc)})") from None
    return LoadedPages(pages, revisions=revisions)


def _read_image(path: Path, data: bytes, limits: LoadSettings) -> LoadedPages:
    from .ocr import INSTALL_HINT, ocr_image_file, unavailable

    missing = unavailable() if limits.ocr else "OCR is turned off (load.ocr)"
    if missing:
        raise DocumentError(path, f"an image needs OCR, but {missing}", hint=INSTALL_HINT)
    pages = ocr_image_file(path, data, limits)
    return LoadedPages([p.text for p in pages], ocr={i: p.confidence for i, p in enumerate(pages)})


def _no_text(path: Path, suffix: str, loaded: LoadedPages) -> DocumentError:
    if loaded.ocr:
        error = DocumentError(path, "OCR found no readable text (a blank or very poor scan?)")
    elif suffix == ".pdf":
        error = DocumentError(path, "no extractable text (a scanned image?)", hint=loaded.unread_scans)
    else:
        error = DocumentError(path, "no text content")
    error.warnings = loaded.warnings
    return error


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


def document_from_text(text: str, name: str) -> Document:
    """A one-page `Document` from text already in memory (a clause of a clause set), built the way
    `load_document` builds one from a file, so it goes through the same review path."""
    normalized = normalize(text)
    info = DocumentInfo(doc_id=content_hash(text.encode("utf-8")), path=name, pages=1)
    return Document(info=extract_metadata(normalized, info), text=normalized, page_starts=[0])


def _join_pages(pages: list[str]) -> tuple[str, list[int]]:
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        parts.append(page)
        offset += len(page) + 2
    return "\n\n".join(parts), starts
