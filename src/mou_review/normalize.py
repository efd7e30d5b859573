"""Text normalisation that remembers where every character came from.

Extraction gives ragged whitespace, ligatures and words hyphenated across line breaks; OCR adds
stray glyphs (`~`, `|`, `¬`, box marks) and hyphens written as `¬`. Normalised text is
what every later stage (segmentation, offsets, grounding) sees; the offset map lets a caller go
back to the raw extraction when it needs to.
"""

from __future__ import annotations

import re
from collections import Counter

_COMMON = (
    r"(?P<hyph>(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z]))"
    r"|(?P<nl>[ \t\u00a0\r]*\n[ \t\u00a0\r\n]*)"
    r"|(?P<sp>[\t\u00a0\r][ \t\u00a0\r]*| [ \t\u00a0\r]+)"  # a lone space is copied, not matched
    r"|(?P<shy>\u00ad)"
    r"|(?P<lig>[\ufb00-\ufb06])"
)
_PATTERN = re.compile(_COMMON)
# OCR only: '¬' or '~' ending a line inside a word is a hyphen; a glyph standing alone is noise.
_OCR_PATTERN = re.compile(
    r"(?P<ocrhyph>(?<=[A-Za-z])[¬~][ \t]*\n[ \t]*(?=[a-z]))"
    r"|(?P<stray>(?<!\S)[~|¦¬■□▪●◆«»]+(?:[ \t]+|(?=\n)|$))|" + _COMMON
)
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_WORD_BEFORE = re.compile(r"([A-Za-z]+)$")
_WORD_AFTER = re.compile(r"^([a-z]+)")


def normalize_with_map(raw: str, *, ocr: bool = False) -> tuple[str, list[int]]:
    """Normalise whitespace, ligatures and line-break hyphenation (and OCR noise when `ocr`).

    map[i] is the raw offset of output char i.
    """
    vocabulary = Counter(w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", raw))
    out: list[str] = []
    mapping: list[int] = []
    pos = 0
    for m in (_OCR_PATTERN if ocr else _PATTERN).finditer(raw):
        _copy(raw, pos, m.start(), out, mapping)
        replacement = _replacement(raw, m, vocabulary)
        out.append(replacement)
        mapping.extend([m.start()] * len(replacement))
        pos = m.end()
    _copy(raw, pos, len(raw), out, mapping)
    text = "".join(out)
    # trim the edges, keeping the map aligned
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return text[left:right], mapping[left:right]


def normalize(raw: str, *, ocr: bool = False) -> str:
    return normalize_with_map(raw, ocr=ocr)[0]


def _copy(raw: str, start: int, end: int, out: list[str], mapping: list[int]) -> None:
    if end > start:
        out.append(raw[start:end])
        mapping.extend(range(start, end))


def _replacement(raw: str, m: re.Match[str], vocabulary: Counter[str]) -> str:
    kind = m.lastgroup
    if kind in ("hyph", "ocrhyph"):
        return _dehyphenate(raw, m, vocabulary)
    if kind == "nl":
        return "\n\n" if m.group().count("\n") >= 2 else "\n"
    if kind == "sp":
        return " "
    if kind == "lig":
        return _LIGATURES[m.group()]
    return ""  # a soft hyphen, or a stray OCR glyph


def _dehyphenate(raw: str, m: re.Match[str], vocabulary: Counter[str]) -> str:
    """Join 'offi-\\ncer' but keep 'school-\\nbased' when the document spells it with a hyphen."""
    before = _WORD_BEFORE.search(raw[max(0, m.start() - 40) : m.start()])
    after = _WORD_AFTER.search(raw[m.end() : m.end() + 40])
    if not before or not after:
        return ""
    joined = (before.group(1) + after.group(1)).lower()
    hyphenated = f"{before.group(1)}-{after.group(1)}".lower()
    if vocabulary[hyphenated] > 0 and vocabulary[joined] == 0:
        return "-"
    return ""
