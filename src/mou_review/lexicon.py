"""The corpus-wide BM25 index of `search` and `similar`, kept on disk and rebuilt only when the store changes.

Building it reads and tokenises every stored clause (12.6 s per query at 29.8k clauses when it was
built per query), so it is saved with bm25s's own format under `<store>/lexical/` and loaded
memory-mapped. Its folder is named by a content version: a digest of the committed document ids
(a document's id is a hash of its content, and its clauses are fixed by the collection's index
key), of the collection and of the tokeniser's code. Any add or removal, by this process or
another one, or through a Chroma server, gives a new version, so a stale index is never read; the
next query builds the new one, once. A folder appears whole or not at all (built aside, then
renamed); a store that cannot be written keeps its index in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .retrieve import LexicalIndex
from .store import ClauseStore
from .versions import source_digest

log = logging.getLogger(__name__)

FOLDER = "lexical"
IDS_FILE = "clause_ids.json"
# Half-built folders of other processes older than this are left-overs of a crash.
STALE_BUILD_SECONDS = 3600
# Loaded indexes kept per process (a server or a benchmark asks many queries of one store).
_LOADED: dict[Path, CorpusLexicon] = {}


@dataclass
class CorpusLexicon:
    """BM25 over every committed clause, in the order the store lists them (RRF breaks ties by it)."""

    version: str
    clause_ids: list[str]
    index: LexicalIndex = field(repr=False)

    @cached_property
    def position(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.clause_ids)}


def content_version(store: ClauseStore, doc_ids: set[str]) -> str:
    """Names what the lexical index must hold: these committed documents of this collection."""
    digest = hashlib.sha256(f"{store.clauses.name}|{source_digest(('retrieve.py',))}".encode())
    for doc_id in sorted(doc_ids):
        digest.update(b"\n" + doc_id.encode())
    return digest.hexdigest()[:20]


def lexicon_root(store: ClauseStore) -> Path:
    """`<store>/lexical/<collection>`; a server's indexes go under its host and port."""
    settings = store.settings.store
    root = settings.dir / FOLDER
    if settings.chroma_host:
        root = root / f"{settings.chroma_host}_{settings.chroma_port}"
    return root / store.clauses.name


def corpus_lexicon(store: ClauseStore) -> CorpusLexicon:
    """The current index: from memory, else from disk, else built from the store (and saved)."""
    doc_ids = store.document_ids()
    version = content_version(store, doc_ids)
    folder = lexicon_root(store) / version
    cached = _LOADED.get(folder)
    if cached is not None:
        return cached
    lexicon = _load(folder, version) or _build(store, doc_ids, version)
    _LOADED.clear()  # one store's current index per process is enough
    _LOADED[folder] = lexicon
    return lexicon


def _load(folder: Path, version: str) -> CorpusLexicon | None:
    try:
        clause_ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
        index = LexicalIndex.load(folder, len(clause_ids)) if clause_ids else LexicalIndex([])
    except (OSError, ValueError, KeyError) as exc:  # absent, or damaged: build it again
        if folder.exists():
            log.warning("lexical index %s unreadable (%s); rebuilding it", folder, exc)
        return None
    log.debug("lexical index %s loaded: %d clauses", folder, len(clause_ids))
    return CorpusLexicon(version, clause_ids, index)


def _build(store: ClauseStore, doc_ids: set[str], version: str) -> CorpusLexicon:
    started = time.perf_counter()
    clauses = store.all_clauses(sorted(doc_ids))
    index = LexicalIndex([c.context_text() for c in clauses])
    lexicon = CorpusLexicon(version, [c.clause_id for c in clauses], index)
    log.info("lexical index built over %d clauses in %.1f s", len(clauses), time.perf_counter() - started)
    try:
        _save(lexicon, lexicon_root(store))
    except OSError as exc:  # a read-only store still answers, from memory
        log.warning("lexical index not saved under %s: %s", lexicon_root(store), exc)
    return lexicon


def _save(lexicon: CorpusLexicon, root: Path) -> None:
    """Write aside, rename into place (atomic), then drop the versions it replaces."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / lexicon.version
    if final.exists():
        return
    building = root / f".build-{lexicon.version}-{os.getpid()}"
    try:
        if lexicon.index.size:
            lexicon.index.save(building)
        building.mkdir(exist_ok=True)
        (building / IDS_FILE).write_text(json.dumps(lexicon.clause_ids), encoding="utf-8")
        os.rename(building, final)
    except OSError:
        if not final.exists():
            raise
        # another process renamed the same version into place first: theirs is as good
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _prune(root, keep=final)


def _prune(root: Path, keep: Path) -> None:
    """Remove older versions (a reader that has one memory-mapped keeps its copy until it closes)."""
    now = time.time()
    for entry in root.iterdir():
        if entry == keep:
            continue
        with contextlib.suppress(OSError):
            if entry.name.startswith(".build-") and now - entry.stat().st_mtime < STALE_BUILD_SECONDS:
                continue  # another process is building it right now
            shutil.rmtree(entry)
