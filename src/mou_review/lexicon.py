"""The corpus-wide BM25 index of `search` and `similar`, kept on disk and rebuilt only when the store changes.

Building it per query read and tokenised every stored clause (12.6 s a query at 29.8k clauses),
so it is saved with bm25s's own format under `<store>/lexical/` and loaded memory-mapped. Its
folder is named by a content version: a digest of the committed document ids in store order (a
document's id is a hash of its content, and its clauses are fixed by the collection's index key),
of the collection and of the tokeniser's code. Any add or removal, by this process or another,
embedded or through a Chroma server, gives a new version, so a stale index is never read: the
next query builds the new one, once, re-tokenising only the documents the last version lacked
(their tokens are saved with it). Clauses are numbered document by document in store order, the
order `all_clauses` lists them, which is how fusion breaks ties. A folder appears whole or not at
all (built aside, then renamed); a store that cannot be written keeps its index in memory.
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

from .retrieve import LexicalIndex, clause_tokens
from .store import ClauseStore
from .versions import source_digest

log = logging.getLogger(__name__)

FOLDER = "lexical"
IDS_FILE = "clause_ids.json"
TOKENS_FILE = "tokens.json"  # per document: its clause ids and their tokens, for the next build
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


def content_version(store: ClauseStore, doc_ids: list[str]) -> str:
    """Names what the lexical index must hold: these committed documents of this collection, in order."""
    digest = hashlib.sha256(f"{store.clauses.name}|{source_digest(('retrieve.py',))}".encode())
    for doc_id in doc_ids:
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
    doc_ids = store.document_order()
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


def _build(store: ClauseStore, doc_ids: list[str], version: str) -> CorpusLexicon:
    started = time.perf_counter()
    tokens = _saved_tokens(lexicon_root(store))
    missing = [doc_id for doc_id in doc_ids if doc_id not in tokens]
    for doc_id, clauses in store.clauses_of(missing).items():
        tokens[doc_id] = [(c.clause_id, " ".join(clause_tokens(c.context_text()))) for c in clauses]
    rows = [row for doc_id in doc_ids for row in tokens.get(doc_id, [])]
    index = LexicalIndex.from_tokens([text.split(" ") for _, text in rows])
    lexicon = CorpusLexicon(version, [cid for cid, _ in rows], index)
    log.info(
        "lexical index built over %d clauses (%d documents tokenised) in %.1f s",
        len(rows),
        len(missing),
        time.perf_counter() - started,
    )
    try:
        _save(lexicon, lexicon_root(store), {d: tokens[d] for d in doc_ids if d in tokens})
    except OSError as exc:  # a read-only store still answers, from memory
        log.warning("lexical index not saved under %s: %s", lexicon_root(store), exc)
    return lexicon


def _saved_tokens(root: Path) -> dict[str, list[tuple[str, str]]]:
    """doc_id -> [(clause_id, space-joined tokens)] from the newest saved version, if any."""
    try:
        folders = sorted((p for p in root.iterdir() if (p / TOKENS_FILE).is_file()), key=os.path.getmtime)
        if folders:
            saved = json.loads((folders[-1] / TOKENS_FILE).read_text(encoding="utf-8"))
            return {doc_id: [tuple(row) for row in rows] for doc_id, rows in saved.items()}
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("saved lexical tokens under %s unreadable (%s); tokenising again", root, exc)
    return {}


def _save(lexicon: CorpusLexicon, root: Path, tokens: dict[str, list[tuple[str, str]]]) -> None:
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
        (building / TOKENS_FILE).write_text(json.dumps(tokens), encoding="utf-8")
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
