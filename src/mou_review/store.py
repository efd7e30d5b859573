"""The Chroma store: clauses with their embeddings, and one record per document.

Collections are named by the index key (embedding model + loader/segmenter code, `versions`), so
clauses made by other code are never mixed with current ones; `stale_indexes` says what is left
over. Every read is paged, so the store works at any size.

A document's text is a metadata field of its own record in a third collection (`_texts`): in
Chroma's `documents` field it would be full-text indexed, a trigram per character, which costs
more than the rest of the record and is never searched. Kept apart from the document records, a
listing of documents does not read every text.

A document's record is written after all its clauses and its text, so it doubles as a commit
marker: a document without a record is an interrupted ingest, and its stray clauses and text are
replaced the next time it is ingested and never returned by searches.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .config import Settings
from .errors import StoreError
from .models import Clause, Document, DocumentInfo
from .store_records import (
    RECORD_LAYOUT,
    StoredDocument,
    centroid,
    clause_from,
    clause_meta,
    document_meta,
    source_of,
    stored_from,
)
from .versions import index_key

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Chroma's embedded add holds the GIL for its whole call (about 0.5 ms a row) and costs less per row
# in bigger calls. 512 rows keeps each call near a quarter of a second, so the ingest pool's threads
# still get to feed workers and collect results between calls (`add_many(call_rows=)`: an ingest
# without workers asks for bigger calls).
ADD_CALL_ROWS = 512
# Rows per get: Chroma's SQLite binds one variable per id, and SQLite caps them (~32k), so no call
# may ask for every record at once.
PAGE_ROWS = 5000
# Documents whose clauses one filtered read asks for (each is one SQL variable of the `$in`).
DOCS_PER_READ = 200


def make_client(settings: Settings) -> Any:
    """Embedded PersistentClient by default; HttpClient when a server host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.store.chroma_host:
            return chromadb.HttpClient(
                host=settings.store.chroma_host, port=settings.store.chroma_port, settings=chroma_settings
            )
        settings.store.dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store.dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises bare ValueError/ConnectionError for an absent server
        raise StoreError(
            f"cannot open the Chroma store at {settings.store.where()}: {exc}",
            hint="check --store / --chroma-host, or start `chroma run`",
        ) from exc


@contextlib.contextmanager
def _creation_lock(settings: Settings) -> Iterator[None]:
    """One process at a time creates an embedded store's tables (two at once race in Chroma)."""
    if settings.store.chroma_host:
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; Chroma's own check remains
        yield
        return
    settings.store.dir.mkdir(parents=True, exist_ok=True)
    with open(settings.store.dir / ".mou-review.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class ClauseStore:
    """Clauses, document records and texts in three Chroma collections named after the collection
    prefix and index key."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.prefix = settings.store.collection
        self.index = f"{index_key(settings.retrieval.embedding)}r{RECORD_LAYOUT}"
        config = {"hnsw": {"space": "cosine"}}
        with _creation_lock(settings):
            self.client = client or make_client(settings)
            self.clauses = self.client.get_or_create_collection(
                f"{self.prefix}_{self.index}", embedding_function=None, configuration=config
            )
            self.documents = self.client.get_or_create_collection(
                f"{self.prefix}_{self.index}_documents", embedding_function=None, configuration=config
            )
            self.texts = self.client.get_or_create_collection(
                f"{self.prefix}_{self.index}_texts", embedding_function=None, configuration=config
            )
        self._batch = max(1, min(5000, int(self.client.get_max_batch_size())))

    def stale_indexes(self) -> dict[str, int]:
        """Other indexes in this store (older code or another embedding model): name -> documents."""
        out = {}
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if (
                name.startswith(f"{self.prefix}")
                and name.endswith("_documents")
                and name != self.documents.name
            ):
                count = self.client.get_collection(name).count()
                if count:
                    out[name.removesuffix("_documents")] = count
        return out

    # --- writing -----------------------------------------------------------------------

    def document_ids(self) -> set[str]:
        return set(self.document_order())

    def document_order(self) -> list[str]:
        """Committed doc_ids in the order the store lists them, the order their clauses went in."""
        return list(_paged(self.documents, include=[])["ids"])

    def add(self, document: Document, clauses: list[Clause], vectors: np.ndarray) -> None:
        """Replace any partial copy of the document, add its clauses, then its record."""
        self.add_many([(document, clauses, vectors)])

    def add_many(
        self, items: list[tuple[Document, list[Clause], np.ndarray]], *, call_rows: int = ADD_CALL_ROWS
    ) -> list[StoredDocument]:
        """Add several documents at once; the document records go in last, after all their clauses.

        A stored document from the same file (an earlier version of it) is removed, and returned.
        A clause's text is not stored with it: it is its document's text[start:end], and leaving
        it out halves Chroma's cost per row (its full-text index). Readers slice it back.
        """
        if not items:
            return []
        doc_ids = [document.info.doc_id for document, _, _ in items]
        replaced = self._earlier_versions(items)
        self._delete_clauses(doc_ids + [d.info.doc_id for d in replaced])
        if replaced:
            self.documents.delete(ids=[d.info.doc_id for d in replaced])
            self.texts.delete(ids=[d.info.doc_id for d in replaced])
        clauses = [c for _, doc_clauses, _ in items for c in doc_clauses]
        vectors = [v for _, _, doc_vectors in items for v in doc_vectors]
        step = min(self._batch, call_rows)
        for lo in range(0, len(clauses), step):
            part = clauses[lo : lo + step]
            self.clauses.add(
                ids=[c.clause_id for c in part],
                embeddings=np.asarray(vectors[lo : lo + len(part)], dtype=np.float32),
                metadatas=[clause_meta(c) for c in part],
            )
        centroids = [centroid(doc_vectors) for _, _, doc_vectors in items]
        for collection in (self.texts, self.documents):  # the records last: they commit
            for lo in range(0, len(items), self._batch):
                part_items = items[lo : lo + self._batch]
                collection.upsert(
                    ids=[document.info.doc_id for document, _, _ in part_items],
                    embeddings=centroids[lo : lo + self._batch],
                    metadatas=[
                        {"text": document.text}
                        if collection is self.texts
                        else document_meta(document, len(cs))
                        for document, cs, _ in part_items
                    ],
                )
        return replaced

    def remove(self, doc_id: str) -> bool:
        """Delete a document and its clauses; False when it is not stored."""
        if not self.documents.get(ids=[doc_id], include=[])["ids"]:
            return False
        self.documents.delete(ids=[doc_id])  # the record first: its clauses are invisible without it
        self._delete_clauses([doc_id])
        self.texts.delete(ids=[doc_id])
        return True

    def _earlier_versions(
        self, items: list[tuple[Document, list[Clause], np.ndarray]]
    ) -> list[StoredDocument]:
        new_ids = {document.info.doc_id for document, _, _ in items}
        sources = sorted({source_of(document.info.path) for document, _, _ in items})
        found = []
        for lo in range(0, len(sources), PAGE_ROWS):
            where = {"source": {"$in": sources[lo : lo + PAGE_ROWS]}}
            found += _paged(self.documents, where=where, include=["metadatas"])["metadatas"]
        return [stored_from(meta) for meta in found if meta["doc_id"] not in new_ids]

    def _delete_clauses(self, doc_ids: list[str]) -> None:
        for lo in range(0, len(doc_ids), PAGE_ROWS):
            self.clauses.delete(where={"doc_id": {"$in": doc_ids[lo : lo + PAGE_ROWS]}})

    # --- reading -----------------------------------------------------------------------

    def list_documents(self) -> list[StoredDocument]:
        out = [stored_from(meta) for meta in _paged(self.documents, include=["metadatas"])["metadatas"]]
        return sorted(out, key=lambda d: d.info.path)

    def infos(self, doc_ids: Iterable[str]) -> dict[str, DocumentInfo]:
        """The stored records of these documents only (a query's hits), by doc_id."""
        ids = sorted(set(doc_ids))
        out: dict[str, DocumentInfo] = {}
        for lo in range(0, len(ids), PAGE_ROWS):
            got = self.documents.get(ids=ids[lo : lo + PAGE_ROWS], include=["metadatas"])
            out.update(
                (i, stored_from(meta).info) for i, meta in zip(got["ids"], got["metadatas"], strict=True)
            )
        return out

    def get_document(self, doc_id: str) -> Document | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        return Document(
            info=stored_from(meta).info,
            text=self._texts([doc_id])[doc_id],
            page_starts=json.loads(str(meta.get("page_starts", "[0]"))),
        )

    def find_document(self, key: str) -> Document | None:
        """A document by doc_id, doc_id prefix, file path or file name."""
        doc = self.get_document(key)
        if doc:
            return doc
        for stored in self.list_documents():
            info = stored.info
            if info.doc_id.startswith(key) or info.path == key or info.path.endswith(f"/{key}"):
                return self.get_document(info.doc_id)
        return None

    def get_clauses(self, doc_id: str) -> tuple[list[Clause], np.ndarray]:
        """A document's clauses in reading order with their stored embeddings."""
        got = _paged(self.clauses, where={"doc_id": doc_id}, include=["metadatas", "embeddings"])
        texts = self._texts([doc_id])
        if doc_id not in texts:  # not committed: an interrupted ingest's stray clauses
            return [], np.zeros((0, 0), dtype=np.float32)
        rows = sorted(
            (
                (clause_from(cid, meta, texts), vector)
                for cid, meta, vector in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
            ),
            key=lambda r: r[0].index,
        )
        vectors = np.asarray([r[1] for r in rows], dtype=np.float32).reshape(len(rows), -1)
        return [r[0] for r in rows], vectors

    def clauses_by_id(self, clause_ids: list[str]) -> list[Clause]:
        """Committed clauses by id, in the order asked (ids of uncommitted documents are left out)."""
        metas: dict[str, dict[str, Any]] = {}
        for lo in range(0, len(clause_ids), PAGE_ROWS):
            got = self.clauses.get(ids=clause_ids[lo : lo + PAGE_ROWS], include=["metadatas"])
            metas.update(zip(got["ids"], got["metadatas"], strict=True))
        texts = self._texts(sorted({str(m["doc_id"]) for m in metas.values()}))
        return [
            clause_from(cid, metas[cid], texts)
            for cid in clause_ids
            if cid in metas and metas[cid]["doc_id"] in texts
        ]

    def clauses_of(self, doc_ids: list[str]) -> dict[str, list[Clause]]:
        """Committed documents' clauses in reading order, by doc_id, a few hundred documents a read."""
        out: dict[str, list[Clause]] = {doc_id: [] for doc_id in doc_ids}
        for lo in range(0, len(doc_ids), DOCS_PER_READ):
            part = doc_ids[lo : lo + DOCS_PER_READ]
            texts = self._texts(part)
            got = _paged(self.clauses, where={"doc_id": {"$in": part}}, include=["metadatas"])
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                if meta["doc_id"] in texts:
                    out[str(meta["doc_id"])].append(clause_from(cid, meta, texts))
        for clauses in out.values():
            clauses.sort(key=lambda c: c.index)
        return out

    def all_clauses(self, doc_ids: Iterable[str] | None = None) -> list[Clause]:
        """Every committed clause, read page by page (to build a corpus-wide lexical index)."""
        texts = self._texts(list(doc_ids) if doc_ids is not None else None)
        got = _paged(self.clauses, include=["metadatas"])
        rows = zip(got["ids"], got["metadatas"], strict=True)
        return [clause_from(cid, meta, texts) for cid, meta in rows if meta["doc_id"] in texts]

    def dense_query(
        self, vectors: np.ndarray, n: int, doc_id: str | None = None
    ) -> list[list[tuple[Clause, float]]]:
        """Nearest clauses for each query vector in ONE round trip, optionally within one document."""
        total = self.clauses.count()
        if total == 0:
            return [[] for _ in range(len(vectors))]
        got = self.clauses.query(
            query_embeddings=vectors,
            n_results=min(n, total),
            where={"doc_id": doc_id} if doc_id else None,
            include=["metadatas", "distances"],
        )
        hit_docs = {str(m["doc_id"]) for metas in got["metadatas"] for m in metas}
        texts = self._texts(sorted(hit_docs))
        return [
            [
                (clause_from(i, m, texts), 1.0 - float(d))
                for i, m, d in zip(ids, metas, dists, strict=True)
                if m["doc_id"] in texts  # clauses of an uncommitted (interrupted) ingest
            ]
            for ids, metas, dists in zip(got["ids"], got["metadatas"], got["distances"], strict=True)
        ]

    def _texts(self, doc_ids: list[str] | None) -> dict[str, str]:
        """Committed documents' texts by doc_id (all of them when `doc_ids` is None), paged."""
        if doc_ids is None:
            committed = self.document_ids()
            got = _paged(self.texts, include=["metadatas"])
            rows = zip(got["ids"], got["metadatas"], strict=True)
            return {i: str(meta["text"]) for i, meta in rows if i in committed}
        texts: dict[str, str] = {}
        for lo in range(0, len(doc_ids), PAGE_ROWS):
            part = self.documents.get(ids=doc_ids[lo : lo + PAGE_ROWS], include=[])["ids"]
            if part:
                got = self.texts.get(ids=part, include=["metadatas"])
                texts.update(
                    (i, str(meta["text"])) for i, meta in zip(got["ids"], got["metadatas"], strict=True)
                )
        return texts


def _paged(collection: Any, **query: Any) -> dict[str, list[Any]]:
    """`collection.get(**query)` a page at a time, the pages joined."""
    fields = ["ids", *query.get("include", [])]
    out: dict[str, list[Any]] = {field: [] for field in fields}
    offset = 0
    while True:
        got = collection.get(limit=PAGE_ROWS, offset=offset, **query)
        for field in fields:
            out[field].extend(got[field] if got[field] is not None else [])
        if len(got["ids"]) < PAGE_ROWS:
            return out
        offset += PAGE_ROWS


def open_store(settings: Settings, *, create: bool = True) -> ClauseStore:
    """The store; a read-only command (`create=False`) says where it looked instead of making one."""
    if (
        not create
        and not settings.store.chroma_host
        and not (settings.store.dir / "chroma.sqlite3").is_file()
    ):
        raise StoreError(
            "the store holds no documents",
            hint=f"there is no store at {settings.store.dir} yet: run `mou-review ingest DIR` or "
            "`mou-review triage DIR` first, or pass --store",
        )
    try:
        return ClauseStore(settings)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot use the Chroma store: {exc}") from exc
