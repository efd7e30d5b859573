"""Text normalisation that remembers where every character came from: the one normaliser.

Extraction gives ragged whitespace, ligatures ("ﬁ"), full-width letters, non-breaking spaces and
words hyphenated across line breaks; OCR adds stray glyphs (`~`, `|`, `¬`, box marks) and hyphens
written as `¬`. Two forms are built here, both with an exact offset map back to their input:

- `normalize_with_map`: what every later stage (segmentation, offsets, review) sees;
- `fold_with_map`: the matching form grounding searches in (lower case, one space for any run of
  whitespace, straight quotes and hyphens), so a quote still matches across a line break.

Each pass is Unicode NFKC first, then regex rewrites; every output character records the input
span it came from (`Normalized.starts`/`ends`), so any output span maps back to an input substring.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

_COMMON = (
    r"(?P<hyph>(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z]))"
    r"|(?P<nl>[ \t\u00a0\r]*\n[ \t\u00a0\r\n]*)"
    r"|(?P<sp>[\t\u00a0\r][ \t\u00a0\r]*| [ \t\u00a0\r]+)"  # a lone space is copied, not matched
    r"|(?P<shy>\u00ad)"
)
_PATTERN = re.compile(_COMMON)
# A text holding none of these has nothing `_PATTERN` changes: no line-end hyphen, no run of
# spaces or space beside a newline, no tab, no-break space, CR or soft hyphen, no 3 newlines.
_REWRITTEN = ("-\n", "  ", " \n", "\n ", "\n\n\n", "\t", "\u00a0", "\r", "\u00ad")
# OCR only: '¬' or '~' ending a line inside a word is a hyphen; a glyph standing alone is noise.
_OCR_PATTERN = re.compile(
    r"(?P<ocrhyph>(?<=[A-Za-z])[¬~][ \t]*\n[ \t]*(?=[a-z]))"
    r"|(?P<stray>(?<!\S)[~|¦¬■□▪●◆«»]+(?:[ \t]+|(?=\n)|$))|" + _COMMON
)
# The matching form: a hyphen ending a line is dropped whatever follows; any whitespace is one space.
_FOLD_PATTERN = re.compile(r"(?P<hyph>-\n)|(?P<sp>\s+)|(?P<shy>\u00ad)")
_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
# A character with combining marks after it, or any non-ASCII character: what NFKC may change.
_CLUSTER = re.compile(
    r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+|[^\x00-\x7f]", re.S
)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)$")
_WORD_AFTER = re.compile(r"^([a-z]+)")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


@dataclass(frozen=True)
class Normalized:
    """Normalised text; output char i came from input[starts[i]:ends[i]]."""

    text: str
    starts: list[int]
    ends: list[int]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span that output text[start:end] came from (an empty span stays empty)."""
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return at, at
        return self.starts[start], self.ends[end - 1]


class _Builder:
    """Output pieces with, when `mapped`, the input span of every output character."""

    def __init__(self, mapped: bool) -> None:
        self.out: list[str] = []
        self.starts: list[int] | None = [] if mapped else None
        self.ends: list[int] = []

    def copy(self, source: str, start: int, end: int) -> None:
        if end > start:
            self.out.append(source[start:end])
            if self.starts is not None:
                self.starts.extend(range(start, end))
                self.ends.extend(range(start + 1, end + 1))

    def put(self, text: str, start: int, end: int) -> None:
        """`text` replaces input[start:end] (every char of it maps to that whole span)."""
        if text:
            self.out.append(text)
            if self.starts is not None:
                self.starts.extend([start] * len(text))
                self.ends.extend([end] * len(text))

    def result(self, through: Normalized | None = None) -> Normalized:
        text = "".join(self.out)
        if self.starts is None:
            return Normalized(text, [], [])
        if through is None:
            return Normalized(text, self.starts, self.ends)
        # compose with the earlier pass: positions here index `through.text`
        return Normalized(
            text, [through.starts[s] for s in self.starts], [through.ends[e - 1] for e in self.ends]
        )


def nfkc_with_map(raw: str, *, mapped: bool = True) -> Normalized:
    """Unicode NFKC (ligatures spelled out, full-width letters and odd spaces made plain) with a
    map. A spacing accent that NFKC would split into a space and a combining mark ("´" typed as an
    apostrophe) is kept as it is."""
    if unicodedata.is_normalized("NFKC", raw):
        n = len(raw)
        return Normalized(raw, list(range(n)), list(range(1, n + 1))) if mapped else Normalized(raw, [], [])
    build = _Builder(mapped)
    pos = 0
    for m in _CLUSTER.finditer(raw):
        cluster = m.group()
        folded = unicodedata.normalize("NFKC", cluster)
        if folded == cluster or (len(folded) > 1 and folded[0] == " "):
            continue
        build.copy(raw, pos, m.start())
        build.put(folded, m.start(), m.end())
        pos = m.end()
    build.copy(raw, pos, len(raw))
    return build.result()


def _rewrite(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], mapped: bool
) -> _Builder:
    build = _Builder(mapped)
    pos = 0
    for m in pattern.finditer(text):
        build.copy(text, pos, m.start())
        build.put(replace(m), m.start(), m.end())
        pos = m.end()
    build.copy(text, pos, len(text))
    return build


def normalize_with_map(raw: str, *, ocr: bool = False, mapped: bool = True) -> Normalized:
    """NFKC, then whitespace, line-break hyphenation and soft hyphens (and OCR noise when `ocr`),
    edges trimmed. Without `mapped` only the text is built."""
    nfkc = nfkc_with_map(raw, mapped=mapped)
    vocabulary = _Vocabulary(nfkc.text)
    pattern = _OCR_PATTERN if ocr else _PATTERN
    if not mapped and not ocr and not any(piece in nfkc.text for piece in _REWRITTEN):
        return Normalized(nfkc.text.strip(), [], [])  # every match would be "\n" or "\n\n" kept as is
    if not mapped:  # the same rewrites, done by `re.sub` without a builder
        return Normalized(
            pattern.sub(lambda m: _replacement(nfkc.text, m, vocabulary), nfkc.text).strip(), [], []
        )
    done = _rewrite(nfkc.text, pattern, lambda m: _replacement(nfkc.text, m, vocabulary), mapped)
    result = done.result(nfkc)
    text = result.text
    left, right = len(text) - len(text.lstrip()), len(text.rstrip())
    return Normalized(text[left:right], result.starts[left:right], result.ends[left:right])


def normalize(raw: str, *, ocr: bool = False) -> str:
    return normalize_with_map(raw, ocr=ocr, mapped=False).text


def fold_with_map(text: str, *, mapped: bool = True) -> Normalized:
    """The matching form grounding searches: NFKC, lower case, straight quotes and hyphens, a
    line-end hyphen dropped, any whitespace one space (none at the start)."""
    nfkc = nfkc_with_map(text.translate(_FOLD), mapped=mapped)
    spaced = _rewrite(nfkc.text, _FOLD_PATTERN, lambda m: " " if m.lastgroup == "sp" else "", mapped)
    joined = spaced.result(nfkc if mapped else None)
    skip = 1 if joined.text.startswith(" ") else 0
    lowered = joined.text[skip:].lower()
    if len(lowered) == len(joined.text) - skip:  # the usual case: one character for one
        return Normalized(lowered, joined.starts[skip:], joined.ends[skip:])
    build = _Builder(mapped)
    for i in range(skip, len(joined.text)):  # "İ".lower() is two characters
        if build.starts is None:
            build.out.append(joined.text[i].lower())
        else:
            build.put(joined.text[i].lower(), joined.starts[i], joined.ends[i])
    return build.result()


def fold(text: str) -> str:
    """`fold_with_map` without the map (for a quote, whose offsets nobody needs)."""
    return fold_with_map(text, mapped=False).text


class _Vocabulary:
    """How often the text spells each word, counted only once a line-end hyphen asks (most pages
    have none)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: Counter[str] | None = None

    def __getitem__(self, word: str) -> int:
        if self._counts is None:
            self._counts = Counter(w.lower() for w in _WORDS.findall(self._text))
        return self._counts[word]


def _replacement(text: str, m: re.Match[str], vocabulary: _Vocabulary) -> str:
    kind = m.lastgroup
    if kind in ("hyph", "ocrhyph"):
        return _dehyphenate(text, m, vocabulary)
    if kind == "nl":
        return "\n\n" if m.group().count("\n") >= 2 else "\n"
    if kind == "sp":
        return " "
    return ""  # a soft hyphen, or a stray OCR glyph


def _dehyphenate(text: str, m: re.Match[str], vocabulary: _Vocabulary) -> str:
    """Join 'offi-\\ncer' but keep 'school-\\nbased' when the document spells it with a hyphen."""
    before = _WORD_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
    after = _WORD_AFTER.search(text[m.end() : m.end() + 40])
    if not before or not after:
        return ""
    joined = (before.group(1) + after.group(1)).lower()
    hyphenated = f"{before.group(1)}-{after.group(1)}".lower()
    if vocabulary[hyphenated] > 0 and vocabulary[joined] == 0:
        return "-"
    return ""
