"""Hybrid retrieval: dense cosine + BM25, fused by reciprocal rank (RRF).

For one document the clauses and their stored vectors are ranked in memory, every query at
once, so reviewing a document costs no store round trip per requirement.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .bm25_arrays import InMemoryBM25
from .models import Clause, ScoredClause

log = logging.getLogger(__name__)
RRF_K = 60
SKIPPED_SHOWN = 3  # near misses named at -v; -vv names every candidate that was cut
_TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "shall",
        "that",
        "the",
        "their",
        "this",
        "to",
        "will",
        "with",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "how",
        "does",
        "do",
        "any",
        "all",
        "such",
        "may",
        "must",
    ]
)
# Words every SRO agreement repeats: they tell clauses apart no better than "the" does.
DOMAIN_WORDS = frozenset(
    [
        "sro",
        "sros",
        "school",
        "schools",
        "resource",
        "officer",
        "officers",
        "student",
        "students",
        "district",
        "department",
        "agreement",
        "mou",
    ]
)
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ions",
    "ion",
    "ers",
    "ors",
    "er",
    "or",
    "ies",
    "es",
    "ed",
    "s",
    "e",
)


@lru_cache(maxsize=1 << 16)  # a corpus repeats its words: indexing 100k clauses stems each once
def stem(token: str) -> str:
    """A deliberately crude suffix stripper: supervises/supervised/supervisor/supervision -> supervis."""
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            base = token[: -len(suffix)]
            return base + "at" if suffix.startswith("ation") else base
    return token


_DOMAIN_STEMS = frozenset(stem(w) for w in DOMAIN_WORDS)


def tokenize(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


def clause_tokens(text: str) -> list[str]:
    """A text's BM25 tokens; a text with none gets a placeholder (bm25s cannot index an empty one)."""
    return tokenize(text) or ["_empty_"]


class LexicalIndex:
    """BM25 over a fixed list of texts (bm25s, numpy backend)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._build([clause_tokens(t) for t in texts])

    @classmethod
    def from_ids(cls, flat: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]) -> LexicalIndex:
        """An index over texts given as token ids (`lengths` per text, `flat` one after another).

        Built with numpy in one pass (`bm25_arrays`), bit-identical to bm25s's own per-text loop,
        for a corpus-wide index of 100k clauses.
        """
        from .bm25_arrays import retriever_from_ids

        index = cls([])
        index.size = len(lengths)
        if index.size:
            index._retriever = retriever_from_ids(flat, lengths, vocab)
        return index

    def _build(self, corpus_tokens: list[list[str]]) -> None:
        self.size = len(corpus_tokens)
        if self.size:  # one document's clauses: scored in memory as bm25s would (`bm25_arrays`)
            self._retriever: Any = InMemoryBM25(corpus_tokens)
            return
        import bm25s  # an empty index, which the store's corpus index starts from and saves

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self._retriever = bm25s.BM25()

    def save(self, folder: Path) -> None:
        """Write the index with bm25s's own format (numpy arrays and a JSON vocabulary)."""
        self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        """An index written by `save`, its arrays memory-mapped (nothing is re-tokenised)."""
        import bm25s

        index = cls([])
        index.size = size
        index._retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return index

    def rank(self, query: str, n: int) -> list[tuple[int, float]]:
        """(index, score) of the best `n` texts with a positive score; domain words are ignored."""
        if self.size == 0:
            return []
        tokens = list(_query_tokens(query))
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        order = np.argsort(-scores)[: min(n, self.size)]
        # tolist: Python ints and floats in one call, not a numpy scalar per element
        return [(i, s) for i, s in zip(order.tolist(), scores[order].tolist(), strict=True) if s > 0]


@lru_cache(maxsize=1024)
def _query_tokens(query: str) -> tuple[str, ...]:
    """A query's tokens without the domain words (all of them when it has nothing else): the
    checklist's queries are the same for every document, so each is tokenised once."""
    return tuple(t for t in tokenize(query) if t not in _DOMAIN_STEMS) or tuple(tokenize(query))


def fuse(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings of the same items, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def rank_in_memory(
    queries: Sequence[str],
    query_vectors: np.ndarray,
    clauses: Sequence[Clause],
    clause_vectors: np.ndarray,
    k: int,
    *,
    lexical: LexicalIndex | None = None,
    labels: Sequence[str] | None = None,
    learned: np.ndarray | None = None,
) -> list[list[ScoredClause]]:
    """Top-k clauses for each query among `clauses`, dense and BM25 fused; `labels` name the
    queries (requirement ids) in the log that explains each choice; `learned` (clauses x queries,
    NaN where unscored) is carried on each result for the reviewer."""
    if not clauses:
        return [[] for _ in queries]
    lexical = lexical or LexicalIndex([c.context_text() for c in clauses])
    depth = min(len(clauses), max(3 * k, 20))
    similarity = clause_vectors @ query_vectors.T if len(clause_vectors) else np.zeros((0, len(queries)))
    results = []
    for qi, query in enumerate(queries):
        dense = list(np.argsort(-similarity[:, qi])[:depth]) if similarity.size else []
        lexical_hits = lexical.rank(query, depth)
        sparse = [i for i, _ in lexical_hits]
        evidence = Signals(
            {int(i): r for r, i in enumerate(dense)},
            {i: r for r, i in enumerate(sparse)},
            similarity[:, qi] if similarity.size else None,
            dict(lexical_hits),
        )
        fused = fuse([[int(i) for i in dense], sparse])
        if log.isEnabledFor(logging.INFO):
            explain(labels[qi] if labels else repr(query[:60]), fused, k, clauses, evidence)
        results.append(
            [
                ScoredClause(
                    clause=clauses[i],
                    score=score,
                    dense_rank=evidence.dense_rank.get(i),
                    lexical_rank=evidence.lexical_rank.get(i),
                    learned=_probability(learned, i, qi),
                )
                for i, score in fused[:k]
            ]
        )
    return results


def _probability(learned: np.ndarray | None, i: int, qi: int) -> float | None:
    if learned is None or np.isnan(learned[i, qi]):
        return None
    return float(learned[i, qi])


class Signals(NamedTuple):
    """What each ranker said about the clauses of one query: ranks (0 = best) and raw scores."""

    dense_rank: dict[int, int]
    lexical_rank: dict[int, int]
    cosine: np.ndarray | None
    bm25: dict[int, float]

    def why(self, i: int, clause: Clause) -> str:
        """'[II. SUPERVISION] dense #1 (cosine 0.612), lexical #3 (BM25 4.10)' for clause `i`."""
        heading = clause.heading_path[-1] if clause.heading_path else clause.text[:40]
        dense = self.dense_rank.get(i)
        cosine = f" (cosine {float(self.cosine[i]):.3f})" if self.cosine is not None else ""
        lexical = self.lexical_rank.get(i)
        return (
            f"clause {clause.index} [{' '.join(heading.split())}] "
            + (f"dense #{dense + 1}{cosine}" if dense is not None else f"dense not a candidate{cosine}")
            + ", "
            + (
                f"lexical #{lexical + 1} (BM25 {self.bm25[i]:.2f})"
                if lexical is not None
                else "no lexical match"
            )
        )


def explain(
    label: str, fused: list[tuple[int, float]], k: int, clauses: Sequence[Clause], signals: Signals
) -> None:
    """Log which clauses a query kept and why, and the candidates fusion cut (all of them at -vv)."""
    log.info(
        "retrieve %s: kept %d of %d clause(s), top %d by fused rank",
        label,
        min(k, len(fused)),
        len(clauses),
        k,
    )
    for i, score in fused[:k]:
        log.info("  kept %s; fused %.4f", signals.why(i, clauses[i]), score)
    skipped = fused[k:]
    shown = skipped if log.isEnabledFor(logging.DEBUG) else skipped[:SKIPPED_SHOWN]
    for i, score in shown:
        log.info("  skipped %s; fused %.4f, below the top %d", signals.why(i, clauses[i]), score, k)
    unranked = len(clauses) - len(fused)
    if len(skipped) > len(shown) or unranked:
        log.info(
            "  skipped %d more candidate(s); %d clause(s) ranked by neither (-vv lists every candidate)",
            len(skipped) - len(shown),
            unranked,
        )


def embed_queries(queries: Sequence[str], embedding: str = "wordllama") -> np.ndarray:
    """Query vectors from the configured embedder (loaded once per process)."""
    from .embeddings import get_embedder

    return get_embedder(embedding).embed(list(queries))
