"""The corpus-wide BM25 index of `search` and `similar`, kept on disk and rebuilt only when the store changes.

Building it per query read and tokenised every stored clause (12.6 s a query at 29.8k clauses),
so it is saved with bm25s's own format under `<store>/lexical/` and loaded memory-mapped. Its
folder is named by a content version: a digest of the committed document ids in store order (a
document's id is a hash of its content, and its clauses are fixed by the collection's index key),
of the collection and of the tokeniser's code. Any add or removal, by this process or another,
embedded or through a Chroma server, gives a new version, so a stale index is never read: the
next query builds the new one, once: only the documents the last version lacked are read and
tokenised (every clause's token ids are saved with it), and the score matrix is computed with
numpy in one pass (`bm25_arrays`). Clauses are numbered document by document in store order, the
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

import numpy as np

from .models import Clause
from .retrieve import LexicalIndex, clause_tokens
from .store import ClauseStore
from .versions import source_digest

log = logging.getLogger(__name__)

FOLDER = "lexical"
IDS_FILE = "clause_ids.json"
# What the next build reuses: [doc_id, clauses] in order, each clause's token count, the token
# ids one clause after another, and the vocabulary they index (unused words of removed documents
# stay in it and score nothing).
DOCS_FILE = "docs.json"
LENGTHS_FILE = "lengths.npy"
TOKENS_FILE = "tokens.npy"
VOCAB_FILE = "vocabulary.json"
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


@dataclass
class _Tokens:
    """What a build can reuse: the vocabulary, and per document its clause ids, lengths and token ids."""

    vocab: dict[str, int] = field(default_factory=dict)
    docs: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)

    def encode(self, doc_id: str, clauses: list[Clause]) -> None:
        tokens = [clause_tokens(c.context_text()) for c in clauses]
        ids = [self.vocab.setdefault(token, len(self.vocab)) for clause in tokens for token in clause]
        lengths = np.asarray([len(t) for t in tokens], dtype=np.int32)
        self.docs[doc_id] = ([c.clause_id for c in clauses], lengths, np.asarray(ids, dtype=np.int32))


def _build(store: ClauseStore, doc_ids: list[str], version: str) -> CorpusLexicon:
    started = time.perf_counter()
    tokens = _saved_tokens(lexicon_root(store))
    missing = [doc_id for doc_id in doc_ids if doc_id not in tokens.docs]
    for doc_id, clauses in store.clauses_of(missing).items():
        tokens.encode(doc_id, clauses)
    kept = _Tokens(tokens.vocab, {d: tokens.docs[d] for d in doc_ids if d in tokens.docs})
    parts = list(kept.docs.values())
    lengths = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
    flat = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
    index = LexicalIndex.from_ids(flat, lengths, kept.vocab)
    lexicon = CorpusLexicon(version, [cid for p in parts for cid in p[0]], index)
    log.info(
        "lexical index built over %d clauses (%d documents tokenised) in %.1f s",
        len(lexicon.clause_ids),
        len(missing),
        time.perf_counter() - started,
    )
    try:
        _save(lexicon, lexicon_root(store), kept, lengths, flat)
    except OSError as exc:  # a read-only store still answers, from memory
        log.warning("lexical index not saved under %s: %s", lexicon_root(store), exc)
    return lexicon


def _saved_tokens(root: Path) -> _Tokens:
    """The token ids saved with the newest version, by document (empty when there is none)."""
    if not root.is_dir():  # a new store: nothing saved yet, and nothing to warn about
        return _Tokens()
    try:
        done = (p for p in root.iterdir() if not p.name.startswith(".") and (p / DOCS_FILE).is_file())
        folders = sorted(done, key=os.path.getmtime)
        if not folders:
            return _Tokens()
        folder = folders[-1]
        docs = json.loads((folder / DOCS_FILE).read_text(encoding="utf-8"))
        words = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        clause_ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
        lengths, flat = np.load(folder / LENGTHS_FILE), np.load(folder / TOKENS_FILE)
    except (OSError, ValueError) as exc:
        log.warning("saved lexical tokens under %s unreadable (%s); tokenising again", root, exc)
        return _Tokens()
    tokens = _Tokens({word: i for i, word in enumerate(words)})
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    row = 0
    for doc_id, n in docs:
        span = slice(row, row + n)
        tokens.docs[doc_id] = (clause_ids[span], lengths[span], flat[offsets[row] : offsets[row + n]])
        row += n
    return tokens


def _save(lexicon: CorpusLexicon, root: Path, tokens: _Tokens, lengths: np.ndarray, flat: np.ndarray) -> None:
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
        (building / VOCAB_FILE).write_text(json.dumps(list(tokens.vocab)), encoding="utf-8")
        np.save(building / LENGTHS_FILE, lengths)
        np.save(building / TOKENS_FILE, flat)
        docs = [[doc_id, len(ids)] for doc_id, (ids, _, _) in tokens.docs.items()]
        (building / DOCS_FILE).write_text(json.dumps(docs), encoding="utf-8")  # last: marks it complete
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
