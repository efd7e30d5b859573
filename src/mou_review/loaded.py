"""What a reader hands back: page texts plus what a reviewer should know about how they were read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadedPages:
    pages: list[str]
    warnings: list[str] = field(default_factory=list)
    ocr: dict[int, float] = field(default_factory=dict)  # 0-based page -> Tesseract confidence (0-100)
    revisions: int = 0  # pending tracked changes (DOCX)
    converted_from: str | None = None  # e.g. ".doc", converted by LibreOffice
    unread_scans: str | None = None  # why scanned pages were not OCR'd (for the "no text" error)
