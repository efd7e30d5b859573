"""The Chroma store: clauses with their embeddings, and one record per document.

A document's record is written after all its clauses, so it doubles as a commit marker: a
document without a record is an interrupted ingest, and its stray clauses are replaced the next
time it is ingested and never returned by searches.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import Settings
from .errors import StoreError
from .models import Clause, Document, DocumentInfo

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Chroma's embedded add holds the GIL for its whole call (about 0.5 ms a row) and costs less per row
# in bigger calls. 512 rows keeps each call near a quarter of a second, so the ingest pool's threads
# still get to feed workers and collect results between calls.
ADD_CALL_ROWS = 512


@dataclass
class StoredDocument:
    info: DocumentInfo
    clauses: int


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
    """Clauses and documents in two Chroma collections named after `settings.store.collection`."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        config = {"hnsw": {"space": "cosine"}}
        with _creation_lock(settings):
            self.client = client or make_client(settings)
            self.clauses = self.client.get_or_create_collection(
                settings.store.collection, embedding_function=None, configuration=config
            )
            self.documents = self.client.get_or_create_collection(
                f"{settings.store.collection}_documents", embedding_function=None, configuration=config
            )
        self._batch = max(1, min(5000, int(self.client.get_max_batch_size())))

    # --- writing -----------------------------------------------------------------------

    def document_ids(self) -> set[str]:
        return set(self.documents.get(include=[])["ids"])

    def add(self, document: Document, clauses: list[Clause], vectors: np.ndarray) -> None:
        """Replace any partial copy of the document, add its clauses, then its record."""
        self.add_many([(document, clauses, vectors)])

    def add_many(self, items: list[tuple[Document, list[Clause], np.ndarray]]) -> None:
        """Add several documents at once; the document records go in last, after all their clauses.

        A clause's text is not stored with it: it is its document's text[start:end], and leaving
        it out halves Chroma's cost per row (its full-text index). Readers slice it back.
        """
        if not items:
            return
        doc_ids = [document.info.doc_id for document, _, _ in items]
        self.clauses.delete(where={"doc_id": {"$in": doc_ids}})
        clauses = [c for _, doc_clauses, _ in items for c in doc_clauses]
        vectors = [v for _, _, doc_vectors in items for v in doc_vectors]
        step = min(self._batch, ADD_CALL_ROWS)
        for lo in range(0, len(clauses), step):
            part = clauses[lo : lo + step]
            self.clauses.add(
                ids=[c.clause_id for c in part],
                embeddings=np.asarray(vectors[lo : lo + len(part)], dtype=np.float32),
                metadatas=[_clause_meta(c) for c in part],
            )
        self.documents.upsert(
            ids=doc_ids,
            embeddings=[_centroid(doc_vectors) for _, _, doc_vectors in items],
            documents=[document.text for document, _, _ in items],
            metadatas=[_document_meta(document, len(doc_clauses)) for document, doc_clauses, _ in items],
        )

    # --- reading -----------------------------------------------------------------------

    def list_documents(self) -> list[StoredDocument]:
        got = self.documents.get(include=["metadatas"])
        out = [_stored(meta) for meta in got["metadatas"]]
        return sorted(out, key=lambda d: d.info.path)

    def get_document(self, doc_id: str) -> Document | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        return Document(
            info=_stored(meta).info,
            text=got["documents"][0],
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
        got = self.clauses.get(where={"doc_id": doc_id}, include=["metadatas", "embeddings"])
        texts = self._texts([doc_id])
        rows = sorted(
            zip(got["ids"], got["metadatas"], got["embeddings"], strict=True),
            key=lambda r: int(r[1]["index"]),
        )
        clauses = [_clause(cid, meta, texts) for cid, meta, _ in rows if meta["doc_id"] in texts]
        vectors = np.asarray([r[2] for r in rows], dtype=np.float32).reshape(len(rows), -1)
        return clauses, vectors

    def all_clauses(self, doc_ids: Iterable[str] | None = None) -> list[Clause]:
        """Every committed clause (for corpus-wide lexical search)."""
        texts = self._texts(list(doc_ids) if doc_ids is not None else None)
        got = self.clauses.get(include=["metadatas"])
        rows = zip(got["ids"], got["metadatas"], strict=True)
        return [_clause(cid, meta, texts) for cid, meta in rows if meta["doc_id"] in texts]

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
                (_clause(i, m, texts), 1.0 - float(d))
                for i, m, d in zip(ids, metas, dists, strict=True)
                if m["doc_id"] in texts  # clauses of an uncommitted (interrupted) ingest
            ]
            for ids, metas, dists in zip(got["ids"], got["metadatas"], got["distances"], strict=True)
        ]

    def _texts(self, doc_ids: list[str] | None) -> dict[str, str]:
        """Committed documents' texts by doc_id (all of them when `doc_ids` is None)."""
        if doc_ids is not None and not doc_ids:
            return {}
        got = self.documents.get(ids=doc_ids, include=["documents"])
        return dict(zip(got["ids"], got["documents"], strict=True))


def _centroid(vectors: np.ndarray) -> np.ndarray:
    """A document's mean clause vector, normalised (a document with no clauses gets zeros)."""
    if not len(vectors):
        return np.zeros(vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 256, dtype=np.float32)
    centroid = vectors.mean(axis=0)
    return (centroid / max(float(np.linalg.norm(centroid)), 1e-12)).astype(np.float32)


def _clause_meta(c: Clause) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id,
        "index": c.index,
        "start": c.start,
        "end": c.end,
        "page": c.page,
        "heading_path": json.dumps(c.heading_path),
    }


def _clause(clause_id: str, meta: dict[str, Any], texts: dict[str, str]) -> Clause:
    start, end = int(meta["start"]), int(meta["end"])
    return Clause(
        clause_id=clause_id,
        doc_id=str(meta["doc_id"]),
        index=int(meta["index"]),
        heading_path=json.loads(str(meta.get("heading_path", "[]"))),
        text=texts[str(meta["doc_id"])][start:end],
        start=start,
        end=end,
        page=int(meta["page"]),
    )


def _document_meta(document: Document, n_clauses: int) -> dict[str, Any]:
    info = document.info
    meta: dict[str, Any] = {
        "doc_id": info.doc_id,
        "path": info.path,
        "pages": info.pages,
        "clauses": n_clauses,
        "parties": json.dumps(info.parties),
        "page_starts": json.dumps(document.page_starts),
    }
    for key in ("title", "effective_date", "district", "state", "year", "split"):
        value = getattr(info, key)
        if value is not None:
            meta[key] = value
    return meta


def _stored(meta: dict[str, Any]) -> StoredDocument:
    fields = {
        k: meta[k]
        for k in ("doc_id", "path", "pages", "title", "effective_date", "district", "state", "year", "split")
        if k in meta
    }
    info = DocumentInfo(**fields, parties=json.loads(str(meta.get("parties", "[]"))))
    return StoredDocument(info=info, clauses=int(meta.get("clauses", 0)))


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
