"""OCR of scanned pages and images with Tesseract (the optional `ocr` extra).

pytesseract drives Debian's `tesseract` binary and pypdfium2 renders PDF pages to images; both
work offline with nothing downloaded at run time (Tesseract's language data comes with the
system package). Each page keeps its own text and Tesseract's mean word confidence, so a
review can say which quotes rest on OCR and how sure the OCR was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DocumentError
from .limits import LoadSettings, remaining

INSTALL_HINT = (
    "install Tesseract for OCR: `apt-get install tesseract-ocr` and `pip install 'mou-review[ocr]'`"
)
# One Tesseract thread per process: the CPU is shared with the other workers.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass
class OcrPage:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0-100


def unavailable() -> str | None:
    """Why OCR cannot run here (one line), or None when it can."""
    try:
        import pypdfium2  # noqa: F401
        import pytesseract  # noqa: F401
    except ImportError:
        return "the OCR extra is not installed"
    if shutil.which("tesseract") is None:
        return "the `tesseract` program is not installed"
    return None


def ocr_image(path: Path, image: Any, limits: LoadSettings) -> OcrPage:
    """Text and confidence of one page image; Tesseract is stopped at the document's deadline."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image.convert("L"),
            lang=limits.ocr_language,
            output_type=pytesseract.Output.DICT,
            timeout=max(1.0, remaining(limits.seconds_per_document)),
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise DocumentError(path, f"OCR stopped ({exc})") from exc
    except pytesseract.TesseractError as exc:
        raise DocumentError(path, f"OCR failed ({exc.message.strip() or exc.status})") from exc
    return _page(data)


def _page(data: dict[str, list[Any]]) -> OcrPage:
    """Words joined into lines and paragraphs as Tesseract laid them out."""
    paragraphs: dict[tuple[int, int], dict[int, list[str]]] = {}
    confidences = []
    for word, conf, block, par, line in zip(
        data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"], strict=True
    ):
        if not str(word).strip():
            continue
        paragraphs.setdefault((block, par), {}).setdefault(line, []).append(str(word))
        if float(conf) >= 0:
            confidences.append(float(conf))
    text = "\n\n".join(
        "\n".join(" ".join(words) for words in lines.values()) for lines in paragraphs.values()
    )
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else 0.0
    return OcrPage(text=text, confidence=confidence)


def ocr_pdf_pages(path: Path, data: bytes, pages: list[int], limits: LoadSettings) -> dict[int, OcrPage]:
    """OCR the given 0-based pages of a PDF, rendered at `limits.ocr_dpi`."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(path, f"cannot render the PDF for OCR ({exc})") from exc
    out = {}
    try:
        for index in pages:
            bitmap = pdf[index].render(scale=limits.ocr_dpi / 72, grayscale=True)
            out[index] = ocr_image(path, bitmap.to_pil(), limits)
    finally:
        pdf.close()
    return out


def ocr_image_file(path: Path, data: bytes, limits: LoadSettings) -> list[OcrPage]:
    """Every frame of an image file (a multi-page TIFF has several), each checked for size first."""
    import io

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if frames > limits.max_ocr_pages:
            raise DocumentError(
                path, f"image has {frames} pages to OCR (the limit is {limits.max_ocr_pages})"
            )
        pages = []
        for frame in range(frames):
            image.seek(frame)
            width, height = image.size
            if width * height > limits.max_image_pixels:
                raise DocumentError(
                    path,
                    f"image too large ({width}x{height} pixels; the limit is {limits.max_image_pixels:,})",
                )
            pages.append(ocr_image(path, image, limits))
        return pages
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise DocumentError(path, f"unreadable image ({type(exc).__name__}: {exc})") from exc
