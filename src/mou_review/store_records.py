"""How clauses and documents are written to and read from Chroma records (metadata only, no text)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .models import Clause, Document, DocumentInfo

# The layout of these records; part of the collections' names, so a store written in another
# layout is a stale index, never misread.
RECORD_LAYOUT = 2
# How a document was read (OCR pages, tracked revisions, conversion, warnings), kept as one JSON field.
LOAD_FIELDS = {"ocr_pages", "revisions", "revisions_view", "converted_from", "warnings"}


@dataclass
class StoredDocument:
    info: DocumentInfo
    clauses: int


def centroid(vectors: np.ndarray) -> np.ndarray:
    """A document's mean clause vector, normalised (a document with no clauses gets zeros)."""
    if not len(vectors):
        return np.zeros(vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 256, dtype=np.float32)
    centroid = vectors.mean(axis=0)
    return (centroid / max(float(np.linalg.norm(centroid)), 1e-12)).astype(np.float32)


def clause_meta(c: Clause) -> dict[str, Any]:
    """`doc_id`, the one key searches filter on, and the rest in one JSON field: Chroma writes a
    row (and its index entries) per metadata key, so two keys cost a third less than six."""
    return {"doc_id": c.doc_id, "clause": json.dumps([c.index, c.start, c.end, c.page, c.heading_path])}


def clause_from(clause_id: str, meta: dict[str, Any], texts: dict[str, str]) -> Clause:
    index, start, end, page, heading_path = json.loads(str(meta["clause"]))
    return Clause(
        clause_id=clause_id,
        doc_id=str(meta["doc_id"]),
        index=index,
        heading_path=heading_path,
        text=texts[str(meta["doc_id"])][start:end],
        start=start,
        end=end,
        page=page,
    )


def document_meta(document: Document, n_clauses: int) -> dict[str, Any]:
    info = document.info
    meta: dict[str, Any] = {
        "doc_id": info.doc_id,
        "path": info.path,
        "pages": info.pages,
        "clauses": n_clauses,
        "parties": json.dumps(info.parties),
        "source": source_of(info.path),
        "page_starts": json.dumps(document.page_starts),
        "load": json.dumps(info.model_dump(include=LOAD_FIELDS)),
    }
    for key in ("title", "effective_date", "district", "state", "year", "split"):
        value = getattr(info, key)
        if value is not None:
            meta[key] = value
    return meta


def stored_from(meta: dict[str, Any]) -> StoredDocument:
    fields = {
        k: meta[k]
        for k in ("doc_id", "path", "pages", "title", "effective_date", "district", "state", "year", "split")
        if k in meta
    }
    info = DocumentInfo(
        **fields,
        **json.loads(str(meta.get("load", "{}"))),
        parties=json.loads(str(meta.get("parties", "[]"))),
    )
    return StoredDocument(info=info, clauses=int(meta.get("clauses", 0)))


def source_of(path: str) -> str:
    """The absolute path a document came from: re-ingesting the same file replaces its record."""
    try:
        return str(Path(path).resolve())
    except OSError:
        return path
