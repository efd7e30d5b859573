"""The numpy-built BM25 index is bit-identical to bm25s's own, so the corpus index ranks as bm25s would."""

from __future__ import annotations

import random

import bm25s
import numpy as np
from conftest import CORPUS

from mou_review.bm25_arrays import K1, B, InMemoryBM25, bm25_retriever, retriever_from_ids
from mou_review.documents import load_document
from mou_review.retrieve import clause_tokens
from mou_review.segment import segment


def _to_bm25s(corpus_tokens: list[list[str]]) -> object:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(tok, len(vocab)) for tok in doc] for doc in corpus_tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)


def bm25s_reference(corpus: list[list[str]]) -> bm25s.BM25:
    retriever = bm25s.BM25()
    retriever.index(_to_bm25s(corpus), show_progress=False)
    return retriever


def corpus_clauses() -> list[list[str]]:
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".docx"))[:12]
    return [clause_tokens(c.context_text()) for p in files for c in segment(load_document(p))]


def random_corpus(n: int) -> list[list[str]]:
    rng = random.Random(5)
    words = [f"w{i}" for i in range(400)]
    return [[rng.choice(words[: rng.randint(1, 400)]) for _ in range(rng.randint(1, 40))] for _ in range(n)]


def test_score_arrays_and_vocabulary_equal_bm25s_exactly() -> None:
    for corpus in (corpus_clauses(), random_corpus(3000), [["solo"]], [["a", "a", "b"], ["b"]]):
        expected, built = bm25s_reference(corpus), bm25_retriever(corpus)
        for key in ("data", "indices", "indptr"):
            assert built.scores[key].dtype == expected.scores[key].dtype
            assert np.array_equal(built.scores[key], expected.scores[key]), key
        assert built.scores["num_docs"] == expected.scores["num_docs"] == len(corpus)
        assert built.vocab_dict == expected.vocab_dict


def test_unused_vocabulary_entries_change_no_score() -> None:
    corpus = random_corpus(500)
    vocab = {"gone": 0, "removed": 1}  # words of documents no longer in the corpus
    flat = [vocab.setdefault(t, len(vocab)) for doc in corpus for t in doc]
    lengths = np.array([len(doc) for doc in corpus])
    built, expected = retriever_from_ids(np.array(flat), lengths, vocab), bm25s_reference(corpus)
    for query in (corpus[3][:2], ["w1", "w7", "gone"], ["removed"], ["w399", "w2"]):
        assert np.array_equal(built.get_scores(query), expected.get_scores(query)), query


def test_in_memory_index_scores_as_bm25s_does_to_the_bit() -> None:
    # `review` scores one document's clauses without importing bm25s; the ranking must not move
    assert (bm25s.BM25().k1, bm25s.BM25().b) == (K1, B)
    for corpus in (corpus_clauses(), random_corpus(300), [["solo"]], [["a", "a", "b"], ["b"]]):
        expected, built = bm25s_reference(corpus), InMemoryBM25(corpus)
        queries = [
            corpus[0][:3],
            corpus[-1] + corpus[0][:1],
            ["w1", "w1", "unknown"],
            ["unknown"],
            ["b", "a"],
        ]
        for query in queries:
            got, want = built.get_scores(query), expected.get_scores(query)
            assert got.dtype == want.dtype
            assert np.array_equal(got, want), query
