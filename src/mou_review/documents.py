"""Load PDF, DOCX, TXT and MD files into `Document`s, with one clear error per unreadable file."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError
from .metadata import extract_metadata
from .models import Document, DocumentInfo
from .normalize import normalize

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md")
IGNORED_NAMES = {"manifest.csv"}
MIN_TEXT_CHARS = 40

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass
class LoadedPages:
    pages: list[str]
    warnings: list[str] = field(default_factory=list)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Every candidate file under `paths` (recursively, sorted), skipping hidden files and manifests."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                hidden = any(part.startswith(".") for part in rel.parts)
                if child.is_file() and not hidden and child.name not in IGNORED_NAMES:
                    yield child
        else:
            yield path


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def load_document(path: Path, *, manifest: dict[str, dict[str, str]] | None = None) -> Document:
    """Read one file into a normalised `Document`; raise `DocumentError` naming the file and why."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(path, "file not found")
    if path.is_dir():
        raise DocumentError(path, "is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            path,
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError(path, "empty file")
    loaded = _READERS[suffix](path, data)
    pages = [normalize(p) for p in loaded.pages]
    text, page_starts = _join_pages(pages)
    if len(text.strip()) < MIN_TEXT_CHARS:
        if suffix == ".pdf":
            raise DocumentError(
                path, "no extractable text (a scanned image?)", hint="run OCR (e.g. ocrmypdf) first"
            )
        raise DocumentError(path, "no text content")
    info = DocumentInfo(doc_id=content_hash(data), path=str(path), pages=len(pages))
    info = extract_metadata(text, info, manifest=manifest)
    return Document(info=info, text=text, page_starts=page_starts, warnings=loaded.warnings)


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


def _read_pdf(path: Path, data: bytes) -> LoadedPages:
    import io

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:
                raise DocumentError(path, f"encrypted PDF that cannot be opened ({exc})") from exc
            if not ok:
                raise DocumentError(
                    path, "encrypted PDF (a password is required)", hint="save an unlocked copy"
                )
        return LoadedPages([page.extract_text() or "" for page in reader.pages])
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(path, "encrypted PDF (a password is required)") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise DocumentError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc


def _read_docx(path: Path, data: bytes) -> LoadedPages:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(path, f"corrupt DOCX ({type(exc).__name__}: {exc})") from exc
    from .docx_text import docx_pages

    return LoadedPages(docx_pages(document))


def _read_text(path: Path, data: bytes) -> LoadedPages:
    if b"\x00" in data[:4096]:
        raise DocumentError(path, "binary content in a text file (wrong extension?)")
    try:
        return LoadedPages([data.decode("utf-8-sig")])
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            path, f"not UTF-8 or Windows-1252 text ({exc.reason} at byte {exc.start})"
        ) from exc
    return LoadedPages([text], warnings=[f"{path}: not UTF-8; decoded as Windows-1252 (cp1252)"])


_READERS = {".pdf": _read_pdf, ".docx": _read_docx, ".txt": _read_text, ".md": _read_text}
