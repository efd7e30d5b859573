"""Retrieval: RRF arithmetic, and a hand-written question per sample MOU finds its clause."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT

from mou_review.documents import load_document
from mou_review.embeddings import get_embedder
from mou_review.retrieve import LexicalIndex, embed_queries, fuse, rank_in_memory
from mou_review.segment import segment

SOURCES = sorted((ROOT / "scripts" / "corpus_source").glob("*.md"))


def _probes():
    for path in SOURCES:
        meta = yaml.safe_load(path.read_text().split("---", 2)[1])
        for probe in meta.get("probes", []):
            yield pytest.param(meta, probe, id=f"{meta['id']}:{probe['question'][:30]}")


def test_fuse_rewards_agreement():
    fused = fuse([[1, 2, 3], [3, 1, 4]])
    assert fused[0][0] == 1
    assert [item for item, _ in fused][:2] == [1, 3]


def test_lexical_index_ranks_keyword_match_first():
    index = LexicalIndex(["The SRO reports to the Lieutenant", "FERPA records", "salary and overtime"])
    assert index.rank("overtime salary", 3)[0][0] == 2
    assert index.rank("nothing matches here xyz", 3) == []


def test_rank_in_memory_prefers_meaning_and_keywords():
    from mou_review.models import Clause

    texts = [
        "The Board pays half of the officer's salary.",
        "The SRO reports to the Patrol Lieutenant.",
        "Student records are protected under FERPA.",
    ]
    clauses = [
        Clause(clause_id=str(i), doc_id="d", index=i, text=t, start=0, end=len(t), page=1)
        for i, t in enumerate(texts)
    ]
    embedder = get_embedder()
    queries = ["which lieutenant does the SRO report to", "privacy of student education records"]
    ranked = rank_in_memory(queries, embedder.embed(queries), clauses, embedder.embed(texts), k=2)
    assert ranked[0][0].clause.index == 1
    assert ranked[1][0].clause.index == 2


def _probe_hit(corpus_store, meta, probe) -> bool:
    doc = corpus_store.find_document(f"{meta['id']}.{meta['format']}")
    assert doc is not None
    clauses, vectors = corpus_store.get_clauses(doc.info.doc_id)
    top = rank_in_memory([probe["question"]], embed_queries([probe["question"]]), clauses, vectors, k=3)[0]
    squash = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    return any(squash(probe["expect"]) in squash(hit.clause.text) for hit in top)


def test_every_sample_mou_answers_a_hand_written_question_in_top3(corpus_store):
    """Each MOU has two probe questions: at least one must hit, and 90% of all of them."""
    results: dict[str, list[bool]] = {}
    for param in _probes():
        meta, probe = param.values
        results.setdefault(meta["id"], []).append(_probe_hit(corpus_store, meta, probe))
    assert len(results) == len(SOURCES) >= 6
    misses = [doc for doc, hits in results.items() if not any(hits)]
    assert misses == []
    rate = sum(sum(h) for h in results.values()) / sum(len(h) for h in results.values())
    assert rate >= 0.9, rate


def _clauses(texts: list[str], headings: list[str]):
    from mou_review.models import Clause

    return [
        Clause(clause_id=str(i), doc_id="d", index=i, heading_path=[h], text=t, start=0, end=len(t), page=1)
        for i, (t, h) in enumerate(zip(texts, headings, strict=True))
    ]


def test_the_log_says_which_clauses_were_kept_and_skipped_and_why(caplog):
    texts = [
        "The SRO reports to the Patrol Lieutenant.",
        "The Board pays half of the officer's salary.",
        "Student records are protected under FERPA.",
    ]
    clauses = _clauses(texts, ["II. SUPERVISION", "VII. COMPENSATION", "IX. RECORDS"])
    embedder = get_embedder()
    query = ["which lieutenant supervises the SRO"]
    with caplog.at_level(logging.INFO, logger="mou_review"):
        rank_in_memory(
            query, embedder.embed(query), clauses, embedder.embed(texts), k=1, labels=["supervision"]
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "mou_review.retrieve"]
    assert lines[0] == "retrieve supervision: kept 1 of 3 clause(s), top 1 by fused rank"
    kept = [line for line in lines if line.startswith("  kept")]
    assert len(kept) == 1 and "clause 0 [II. SUPERVISION] dense #1 (cosine 0." in kept[0]
    assert re.search(r"lexical #1 \(BM25 \d+\.\d\d\); fused 0\.0\d+$", kept[0])
    skipped = [line for line in lines if line.startswith("  skipped clause")]
    assert len(skipped) == 2 and all("below the top 1" in line for line in skipped)
    assert any("no lexical match" in line for line in skipped)  # salary and FERPA share no query word


def test_review_with_v_explains_retrieval_and_decisions(tmp_path, caplog):
    from typer.testing import CliRunner

    from mou_review.cli import app

    path = tmp_path / "mou.txt"
    path.write_text(
        "MEMORANDUM OF UNDERSTANDING\n1. SUPERVISION\nThe SRO shall be supervised by the Patrol Lieutenant, "
        "who reports to the Chief of Police.\n2. RECORDS\nStudent records are protected under FERPA.\n",
        encoding="utf-8",
    )
    try:
        with caplog.at_level(logging.INFO, logger="mou_review"):
            quiet = CliRunner().invoke(app, ["review", str(path), "-b", "offline", "-f", "json"])
            assert quiet.exit_code == 0, quiet.output
            assert not [r for r in caplog.records if r.name == "mou_review.retrieve"]  # no -v: no explanation
            result = CliRunner().invoke(app, ["-v", "review", str(path), "-b", "offline", "-f", "json"])
    finally:
        logging.getLogger("mou_review").setLevel(logging.WARNING)
    assert result.exit_code == 0, result.output
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("retrieve supervision: kept ") for m in messages)
    assert any(m.startswith("  kept clause ") and "[1. SUPERVISION]" in m and "cosine" in m for m in messages)
    assert any(m.startswith("decide supervision: present (critical); ") for m in messages)


def test_wordllama_embedder_gives_wordllamas_own_vectors():
    """The embedder reads WordLlama's files itself (to start fast); its vectors must be the library's."""
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    texts = [c.context_text() for c in segment(load_document(ROOT / "corpus" / "calder_ridge_wa_2022.docx"))]
    texts += ["SRO", "a much longer clause " * 40]
    ours = get_embedder().embed(texts)
    theirs = np.asarray(model.embed(texts, norm=True, batch_size=256), dtype=np.float32)
    assert ours.shape == theirs.shape == (len(texts), 256)
    assert np.array_equal(ours, theirs)


def test_wordllama_embedder_vectors_do_not_depend_on_what_it_embedded_before():
    """Token rows are converted to float32 once and kept: a later call must get the same vectors."""
    from mou_review.embeddings import WordLlamaEmbedder

    texts = [c.context_text() for c in segment(load_document(ROOT / "corpus" / "calder_ridge_wa_2022.docx"))]
    fresh = WordLlamaEmbedder().embed(texts)
    warmed = WordLlamaEmbedder()
    warmed.embed([*texts[::3], "an unrelated sentence about lunch menus"])
    assert np.array_equal(warmed.embed(texts), fresh)
    assert np.array_equal(warmed.embed(texts[5:9]), fresh[5:9])
    assert int(warmed._converted.sum()) < warmed._weights.shape[0] // 10  # only the rows it has seen


def _tricky_texts() -> list[str]:
    """Texts where word-by-word tokenising could go wrong: space runs, special tokens, a literal
    "▁", non-ASCII, a long run without spaces, the empty text."""
    return [
        "",
        " ",
        "   leading and  double  spaces   ",
        "a<s>b </s> <unk>",
        "already ▁ marked ▁▁ words",
        "Café 日本 \u3000 \u00a0 naïve \U0001f600",
        "tabs\tand\nnewlines\n\n here",
        "x" * 300,
        "SRO",
    ]


def test_word_cache_gives_the_tokenizers_own_ids():
    """Token ids word by word, remembered, must be exactly the tokenizer's for every text, the
    second time (from the cache) as the first."""
    from mou_review.embeddings import WordCache, WordLlamaEmbedder

    words = WordCache(WordLlamaEmbedder()._tokenizer, check_after=0)
    assert words.exact  # the shipped tokenizer takes the fast path
    texts = [c.context_text() for c in segment(load_document(ROOT / "corpus" / "calder_ridge_wa_2022.docx"))]
    texts += _tricky_texts()
    expected = words._encoded(texts)
    assert words.ids(texts) == expected
    assert words.ids(texts[::-1]) == expected[::-1]


def test_word_cache_defers_to_the_tokenizer_when_words_are_not_independent():
    """A tokenizer whose BPE could cross a space (here: one with a pre-tokenizer the check does
    not know) is never tokenised word by word."""
    from tokenizers import pre_tokenizers

    from mou_review.embeddings import WordCache, WordLlamaEmbedder

    words = WordCache(WordLlamaEmbedder()._tokenizer, check_after=0)
    words._tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    assert not words.exact
    texts = _tricky_texts()
    assert words.ids(texts) == [
        e.ids for e in words._tokenizer.encode_batch_fast(texts, add_special_tokens=False)
    ]
