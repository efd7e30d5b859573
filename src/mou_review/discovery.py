"""Which files a command reads: one folder walk for ingest, triage and compare.

It behaves like other command-line tools: a file named on the command line is always tried (so
an unsupported type is an error), while a walked folder yields only documents. Everything else
in the folder is counted for one summary line, never listed as an error: spreadsheets, e-mails,
this tool's own earlier outputs, Chroma stores (this tool's own store, or any folder holding a
`chroma.sqlite3`), special files (FIFOs, devices) and symlinked folders. Folders that cannot be
read are reported, not skipped silently.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .formats import DOCUMENT_SUFFIXES, EMAIL_SUFFIXES

IGNORED_NAMES = {"manifest.csv"}
# Files only this tool writes at the top of an output folder (triage, compare, redline batches).
OUTPUT_MARKERS = ("triage.json", "triage.csv", "compare.csv", "compare_long.csv", "failed.json")
OUTPUT_SUFFIXES = (".redline.docx", ".redline.md")
REVIEW_MD_HEADING = b"# Review of "
CHROMA_MARKER = "chroma.sqlite3"  # every Chroma persistent folder has it at its top


@dataclass
class Discovery:
    """The documents to read, and what the walk passed over."""

    files: list[Path] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # label -> count, e.g. ".csv" -> 2
    outputs: list[Path] = field(default_factory=list)  # earlier mou-review outputs, not inputs
    stores: list[Path] = field(default_factory=list)  # Chroma store folders, never documents
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def summary(self) -> str | None:
        """'skipped 3 files: 2 .csv, 1 .json; 1 earlier mou-review output (triage)', or None."""
        parts = []
        total = sum(self.skipped.values())
        if total:
            counts = ", ".join(f"{n} {label}" for label, n in sorted(self.skipped.items(), key=_by_count))
            parts.append(f"skipped {total} file{'s' if total != 1 else ''}: {counts}")
        if self.outputs:
            names = ", ".join(p.name for p in self.outputs[:3]) + (", ..." if len(self.outputs) > 3 else "")
            parts.append(
                f"{len(self.outputs)} earlier mou-review output{'s' if len(self.outputs) != 1 else ''} ({names})"
            )
        if self.stores:
            names = ", ".join(p.name for p in self.stores[:3]) + (", ..." if len(self.stores) > 3 else "")
            parts.append(
                f"{len(self.stores)} Chroma store folder{'s' if len(self.stores) != 1 else ''} ({names})"
            )
        if any(label in EMAIL_SUFFIXES for label in self.skipped):
            parts.append("e-mail files are out of scope: save their attachments to review them")
        return "; ".join(parts) if parts else None


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def walk(paths: list[Path], *, exclude: list[Path] | None = None, store: Path | None = None) -> Discovery:
    """Documents under `paths` in sorted order; named files as given, folders walked recursively.

    `exclude` is passed over silently (our own output folder); `store`, the configured store
    folder, and any other Chroma store are passed over and counted in the summary.
    """
    found = Discovery()
    excluded = {_real(p) for p in exclude or []}
    stores = {_real(store)} if store is not None else set()
    for path in paths:
        if os.path.isdir(path) and _is_store(path, stores):
            found.stores.append(path)
        elif os.path.isdir(path):
            _walk_folder(path, found, excluded, stores)
        else:
            found.files.append(path)
    return found


def _walk_folder(folder: Path, found: Discovery, excluded: set[str], stores: set[str]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        found.unreadable.append((str(folder), f"cannot read folder ({exc.strerror or exc})"))
        return
    for entry in entries:
        if entry.name.startswith((".", "~$")):  # hidden files and Word's lock files
            continue
        path = Path(entry.path)
        kind = _kind(entry)
        if kind == "dir":
            if _real(path) in excluded:
                continue
            if _is_store(path, stores):
                found.stores.append(path)
            elif _is_output_folder(path):
                found.outputs.append(path)
            else:
                _walk_folder(path, found, excluded, stores)
        elif kind == "file":
            _consider_file(path, found)
        else:
            found.skipped[kind] += 1


def _kind(entry: os.DirEntry[str]) -> str:
    """'dir', 'file', or a label for what is skipped (a symlinked folder, a special file)."""
    try:
        if entry.is_symlink() and entry.is_dir():
            return "symlinked folder(s), not followed"
        mode = entry.stat().st_mode  # follows a symlink to a file
    except OSError:
        return "broken link(s)"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "FIFO/device/socket"


def _consider_file(path: Path, found: Discovery) -> None:
    name = path.name.lower()
    if path.name in IGNORED_NAMES:
        return
    if name.endswith(OUTPUT_SUFFIXES) or (name.endswith(".md") and _is_review_markdown(path)):
        found.outputs.append(path)
        return
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        found.files.append(path)
    else:
        found.skipped[suffix or "no extension"] += 1


def _is_output_folder(folder: Path) -> bool:
    """os.path's tests, unlike Path's, answer False for a folder we may not look into."""
    return any(os.path.isfile(folder / marker) for marker in OUTPUT_MARKERS) or (
        os.path.isdir(folder / "reviews") and os.path.isdir(folder / "docs")
    )


def _is_store(folder: Path, stores: set[str]) -> bool:
    """The configured store, or any Chroma persistent folder (its SQLite file marks it)."""
    return os.path.isfile(folder / CHROMA_MARKER) or (bool(stores) and _real(folder) in stores)


def _is_review_markdown(path: Path) -> bool:
    """A report written by `review --format md` (it starts with its own heading)."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(REVIEW_MD_HEADING)) == REVIEW_MD_HEADING
    except OSError:
        return False


def _real(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())
