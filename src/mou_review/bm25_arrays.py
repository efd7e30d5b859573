"""A bm25s index over a large corpus built in a few numpy passes, identical to `bm25s.BM25.index`.

bm25s builds its score matrix with a Python loop per document (a Counter and small arrays each),
about 15 s at 100k clauses on the shared 2-core machine, and the corpus index of `search` is
rebuilt after every change to the store. This computes the same lucene-variant scores with the
same float operations in the same order (so the arrays are bit-identical, which the tests check)
over all documents at once, and hands them to a `bm25s.BM25`, which saves, loads and queries them
as usual.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

K1, B = 1.5, 0.75  # bm25s.BM25's defaults (a test holds them equal)


def bm25_retriever(corpus_tokens: list[list[str]]) -> Any:
    """A `bm25s.BM25` (default parameters) indexed over `corpus_tokens`, none of them empty."""
    return retriever_from_ids(*token_ids(corpus_tokens))


def token_ids(corpus_tokens: list[list[str]]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(every token's id, one text after another; each text's length; the vocabulary), ids in
    order of first use, as bm25s numbers them."""
    vocab: dict[str, int] = {}
    lengths = np.fromiter((len(doc) for doc in corpus_tokens), dtype=np.int64, count=len(corpus_tokens))
    flat = np.fromiter(
        (vocab.setdefault(token, len(vocab)) for doc in corpus_tokens for token in doc),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    return flat, lengths, vocab


class InMemoryBM25:
    """One document's clauses as `bm25s.BM25` would index and score them, without bm25s.

    The score arrays are `score_arrays`' (bit-identical to bm25s's), and `get_scores` adds them up
    as `BM25.get_scores` does (float32, query token by query token, unknown tokens left out).
    Importing bm25s (tqdm, asyncio) would cost a one-file review more than its whole index; the
    store's corpus index, which bm25s saves and loads, still uses it.
    """

    def __init__(self, corpus_tokens: list[list[str]]) -> None:
        flat, lengths, self.vocab = token_ids(corpus_tokens)
        self.data, self.indices, self.indptr = score_arrays(flat, lengths, len(self.vocab), K1, B)
        self.num_docs = len(lengths)

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for token in tokens:
            if (i := self.vocab.get(token)) is not None:
                start, end = self.indptr[i], self.indptr[i + 1]
                np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores


def retriever_from_ids(flat: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]) -> Any:
    """The same, from token ids (`vocab` maps every token to 0..n-1; unused ones score nothing)."""
    import bm25s

    retriever = bm25s.BM25()
    data, indices, indptr = score_arrays(
        flat.astype(np.int64), lengths.astype(np.int64), len(vocab), retriever.k1, retriever.b
    )
    vocab_dict = dict(vocab)
    vocab_dict.setdefault("", len(vocab_dict))  # as bm25s does for a string vocabulary, after the matrix
    retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": len(lengths)}
    retriever.vocab_dict = vocab_dict
    retriever.unique_token_ids_set = set(vocab_dict.values())
    retriever.nonoccurrence_array = None
    return retriever


def score_arrays(
    flat: np.ndarray, lengths: np.ndarray, n_vocab: int, k1: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSC (data, indices, indptr) of lucene BM25 scores, token by column, documents as rows.

    `flat` holds every document's token ids one document after another, `lengths` their counts.
    """
    n_docs = len(lengths)
    avg_len = lengths.mean()
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    pairs, counts = np.unique(flat * n_docs + docs, return_counts=True)  # sorted by token, then doc
    token_of, doc_of = np.divmod(pairs, n_docs)
    doc_freq = np.bincount(token_of, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    for token in np.flatnonzero(doc_freq):  # math.log, as bm25s: numpy's log may differ in the last bit
        df = int(doc_freq[token])
        idf[token] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    norm = k1 * ((1 - b) + b * lengths.astype(np.float64) / avg_len)
    tf = counts.astype(np.float32).astype(np.float64)
    data = (idf[token_of].astype(np.float64) * (tf / (norm[doc_of] + tf))).astype(np.float32)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(doc_freq, out=indptr[1:])
    return data, doc_of.astype(np.int32), indptr
