"""`similar`: the clauses across every stored MOU closest to a phrase, grouped by district.

Dense hits from Chroma (one query over all documents) are fused with BM25 over every stored
clause, as `search` does, so a paraphrase and an exact term both find their clause.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from .lexicon import corpus_lexicon
from .models import Clause, DocumentInfo
from .retrieve import embed_queries, fuse
from .store import ClauseStore


class SimilarHit(BaseModel):
    rank: int
    score: float
    doc_id: str
    file: str
    page: int
    start: int
    end: int
    heading: str
    text: str


class DistrictHits(BaseModel):
    """One district's hits; groups are ordered by their best hit."""

    district: str
    state: str | None = None
    hits: list[SimilarHit]


def corpus_hits(store: ClauseStore, query: str, vector: np.ndarray, k: int) -> list[tuple[Clause, float]]:
    """Top-k clauses of the whole store: Chroma's dense ranking fused with BM25 (RRF).

    The BM25 index is the store's saved one (`lexicon`); only the fused winners are read back.
    """
    depth = max(4 * k, 20)
    dense = store.dense_query(vector, depth)[0]
    lexicon = corpus_lexicon(store)
    position = lexicon.position
    lexical = lexicon.index.rank(query, depth)
    dense_clauses = {position[c.clause_id]: c for c, _ in dense if c.clause_id in position}
    fused = fuse([list(dense_clauses), [i for i, _ in lexical]])[:k]
    wanted = [lexicon.clause_ids[i] for i, _ in fused if i not in dense_clauses]
    read = {c.clause_id: c for c in store.clauses_by_id(wanted)}
    found = {i: dense_clauses.get(i) or read.get(lexicon.clause_ids[i]) for i, _ in fused}
    return [(clause, score) for i, score in fused if (clause := found[i]) is not None]


def district_of(info: DocumentInfo | None, doc_id: str) -> str:
    """The manifest's district, else the district party the text names, else the file name."""
    if info is None:
        return doc_id
    return info.district or (info.parties[-1] if info.parties else Path(info.path).stem)


def group_by_district(hits: list[tuple[Clause, float]], infos: dict[str, DocumentInfo]) -> list[DistrictHits]:
    """Hits in rank order, gathered under their district (first-seen order = best hit first)."""
    groups: dict[str, DistrictHits] = {}
    for rank, (clause, score) in enumerate(hits, 1):
        info = infos.get(clause.doc_id)
        name = district_of(info, clause.doc_id)
        group = groups.setdefault(
            name, DistrictHits(district=name, state=info.state if info else None, hits=[])
        )
        group.hits.append(
            SimilarHit(
                rank=rank,
                score=round(score, 4),
                doc_id=clause.doc_id,
                file=Path(info.path).name if info else clause.doc_id,
                page=clause.page,
                start=clause.start,
                end=clause.end,
                heading=" > ".join(clause.heading_path),
                text=clause.text,
            )
        )
    return list(groups.values())


def similar(store: ClauseStore, query: str, k: int, embedding: str = "wordllama") -> list[DistrictHits]:
    """The `k` clauses closest to `query` across the corpus, grouped by district."""
    hits = corpus_hits(store, query, embed_queries([query], embedding), k)
    return group_by_district(hits, store.infos({c.doc_id for c, _ in hits}))
