"""The file types mou-review reads, by extension, and how each is read."""

from __future__ import annotations

TEXT_SUFFIXES = (".txt", ".md")
NATIVE_SUFFIXES = (".pdf", ".docx", *TEXT_SUFFIXES)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # read by OCR (the `ocr` extra)
LEGACY_SUFFIXES = (".doc", ".rtf", ".odt", ".wpd")  # converted to DOCX by LibreOffice (`soffice`)
DOCUMENT_SUFFIXES = (*NATIVE_SUFFIXES, *IMAGE_SUFFIXES, *LEGACY_SUFFIXES)
EMAIL_SUFFIXES = (".eml", ".msg")
