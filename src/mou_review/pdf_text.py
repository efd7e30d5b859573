"""PDF to text page by page: pypdf's text layer, and OCR for the pages that have none (scans)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from .errors import DocumentError
from .limits import LoadSettings
from .loaded import LoadedPages
from .ocr import INSTALL_HINT, ocr_pdf_pages, unavailable

logging.getLogger("pypdf").setLevel(logging.ERROR)
MIN_PAGE_CHARS = 20  # a page with less text than this but with an image is treated as a scan


def read_pdf(path: Path, data: bytes, limits: LoadSettings) -> LoadedPages:
    """Text of every page; pages that are only an image are OCR'd when Tesseract is present."""
    reader = _open(path, data)
    try:
        count = len(reader.pages)
        if count > limits.max_pdf_pages:
            raise DocumentError(path, f"PDF has {count} pages (the limit is {limits.max_pdf_pages})")
        pages = [page.extract_text() or "" for page in reader.pages]
        scanned = [i for i, page in enumerate(reader.pages) if _looks_scanned(pages[i], page)]
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files; each is this file's problem
        raise DocumentError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    loaded = LoadedPages(pages)
    if scanned:
        _ocr_pages(path, data, scanned, loaded, limits)
    return loaded


def _open(path: Path, data: bytes) -> Any:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            ok = reader.decrypt("")
            if not ok:
                raise DocumentError(
                    path, "encrypted PDF (a password is required)", hint="save an unlocked copy"
                )
        return reader
    except DocumentError:
        raise
    except Exception as exc:
        if "decrypt" in type(exc).__name__.lower() or "crypt" in str(exc).lower():
            raise DocumentError(path, f"encrypted PDF that cannot be opened ({exc})") from exc
        raise DocumentError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc


def _looks_scanned(text: str, page: Any) -> bool:
    if len(text.strip()) >= MIN_PAGE_CHARS:
        return False
    try:
        return len(page.images) > 0
    except Exception:  # an image pypdf cannot decode is still an image worth rendering
        return True


def _ocr_pages(
    path: Path, data: bytes, scanned: list[int], loaded: LoadedPages, limits: LoadSettings
) -> None:
    """Replace the scanned pages' text by OCR, or say why it could not be done."""
    missing = unavailable() if limits.ocr else "OCR is turned off (load.ocr)"
    numbers = _page_list(scanned)
    if missing:
        loaded.unread_scans = f"{missing}; {INSTALL_HINT}" if limits.ocr else missing
        loaded.warnings.append(f"page(s) {numbers} look scanned and were not OCR'd: {missing}")
        return
    if len(scanned) > limits.max_ocr_pages:
        raise DocumentError(
            path,
            f"{len(scanned)} scanned pages to OCR (the limit is {limits.max_ocr_pages}; load.max_ocr_pages)",
        )
    for index, page in ocr_pdf_pages(path, data, scanned, limits).items():
        loaded.pages[index] = page.text
        loaded.ocr[index] = page.confidence


def _page_list(indexes: list[int]) -> str:
    shown = ", ".join(str(i + 1) for i in indexes[:10])
    return shown + (f" and {len(indexes) - 10} more" if len(indexes) > 10 else "")
