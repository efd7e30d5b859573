"""Bytes of a text file to str: UTF-8, UTF-16/32 with a BOM (Windows Notepad), else Windows-1252."""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import DocumentError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(path: Path, data: bytes) -> tuple[str, list[str]]:
    """The text and any warning about how it was decoded; binary content is refused."""
    encoding = _bom_encoding(data) or _bomless_utf16(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DocumentError(
                path, f"damaged {encoding.upper()} text ({exc.reason} at byte {exc.start})"
            ) from None
        warnings = [] if encoding == "utf-8-sig" else [f"decoded as {encoding.upper()}"]
        return text, warnings
    if b"\x00" in data[:4096]:
        raise DocumentError(path, "binary content in a text file (wrong extension?)")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["not UTF-8; decoded as Windows-1252 (cp1252)"]
    except UnicodeDecodeError as exc:
        raise DocumentError(
            path, f"not UTF-8 or Windows-1252 text ({exc.reason} at byte {exc.start})"
        ) from None


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: in English text nearly every other byte is zero."""
    sample = data[:4096]
    if len(sample) < 64:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None
