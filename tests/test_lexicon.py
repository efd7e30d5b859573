"""The saved corpus BM25 index: same hits as one built per query, rebuilt only when the store changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT

import mou_review.lexicon as lexicon_module
from mou_review.ingest import ingest
from mou_review.lexicon import corpus_lexicon, lexicon_root
from mou_review.retrieve import LexicalIndex, embed_queries, fuse
from mou_review.similar import corpus_hits
from mou_review.store import ClauseStore

QUERIES = ["SRO shall not enforce school rules", "FERPA education records", "who supervises the officer"]


def rebuilt_per_query(store: ClauseStore, query: str, k: int) -> list[tuple[str, float]]:
    """What `corpus_hits` returned before the index was saved: BM25 built over every clause."""
    depth = max(4 * k, 20)
    dense = store.dense_query(embed_queries([query]), depth)[0]
    clauses = store.all_clauses()
    position = {c.clause_id: i for i, c in enumerate(clauses)}
    lexical = LexicalIndex([c.context_text() for c in clauses]).rank(query, depth)
    dense_ranking = [position[c.clause_id] for c, _ in dense if c.clause_id in position]
    fused = fuse([dense_ranking, [i for i, _ in lexical]])[:k]
    return [(clauses[i].clause_id, score) for i, score in fused]


def hit_ids(store: ClauseStore, query: str, k: int) -> list[tuple[str, float]]:
    return [(c.clause_id, score) for c, score in corpus_hits(store, query, embed_queries([query]), k)]


@pytest.fixture
def fresh_memory() -> None:
    lexicon_module._LOADED.clear()  # as a new process would start


def add_files(folder: Path, store: ClauseStore, names: list[str]) -> None:
    for name in names:
        (folder / name).write_text("\n\n".join([*SAMPLE_TEXT, f"Clause unique to {name} zebra{name[0]}."]))
    report = ingest([folder / n for n in names], store.settings, store)
    assert report.ok, report.failed


@pytest.mark.parametrize("k", [3, 10])
def test_saved_index_gives_the_same_hits_as_one_built_per_query(corpus_store: ClauseStore, k: int) -> None:
    for query in QUERIES:
        assert hit_ids(corpus_store, query, k) == rebuilt_per_query(corpus_store, query, k)


def test_a_second_process_loads_the_index_instead_of_rebuilding(
    tmp_path: Path, store: ClauseStore, fresh_memory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_files(tmp_path, store, ["a.txt", "b.txt"])
    first = hit_ids(store, "zebraa", 3)
    assert [p.name for p in lexicon_root(store).iterdir()] == [corpus_lexicon(store).version]

    lexicon_module._LOADED.clear()
    monkeypatch.setattr(ClauseStore, "clauses_of", lambda *a, **kw: pytest.fail("rebuilt the index"))
    assert hit_ids(ClauseStore(store.settings), "zebraa", 3) == first


def test_a_change_by_another_store_client_is_seen_and_the_old_index_dropped(
    tmp_path: Path, store: ClauseStore, fresh_memory: None
) -> None:
    add_files(tmp_path, store, ["a.txt"])
    before = corpus_lexicon(store)
    other = ClauseStore(store.settings)  # another process or server client: no shared memory
    add_files(tmp_path, other, ["b.txt", "c.txt"])

    after = corpus_lexicon(store)
    assert after.version != before.version and len(after.clause_ids) > len(before.clause_ids)
    texts = [c.text for c, _ in corpus_hits(store, "zebrab", embed_queries(["zebrab"]), 1)]
    assert texts == ["Clause unique to b.txt zebrab."]
    assert [p.name for p in lexicon_root(store).iterdir()] == [after.version]

    assert hit_ids(store, "zebrac", 3) == rebuilt_per_query(store, "zebrac", 3)

    doc = other.find_document("b.txt")
    assert doc is not None and other.remove(doc.info.doc_id)
    assert all("zebrab" not in c.text for c, _ in corpus_hits(store, "zebrab", embed_queries(["zebrab"]), 5))


def test_a_damaged_index_is_rebuilt(tmp_path: Path, store: ClauseStore, fresh_memory: None) -> None:
    add_files(tmp_path, store, ["a.txt", "b.txt"])
    expected = hit_ids(store, "zebrab", 3)
    folder = lexicon_root(store) / corpus_lexicon(store).version
    (folder / "vocab.index.json").write_text("{not json")
    lexicon_module._LOADED.clear()
    assert hit_ids(store, "zebrab", 3) == expected


def test_an_empty_store_has_no_hits(store: ClauseStore, fresh_memory: None) -> None:
    assert corpus_hits(store, "training", embed_queries(["training"]), 5) == []


def test_a_rebuild_tokenises_only_the_documents_the_last_index_lacked(
    tmp_path: Path, store: ClauseStore, fresh_memory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_files(tmp_path, store, ["a.txt", "b.txt"])
    corpus_lexicon(store)
    add_files(tmp_path, store, ["c.txt"])
    asked: list[list[str]] = []
    read = ClauseStore.clauses_of
    monkeypatch.setattr(ClauseStore, "clauses_of", lambda self, ids: asked.append(ids) or read(self, ids))
    lexicon_module._LOADED.clear()
    assert hit_ids(store, "zebrac", 3) == rebuilt_per_query(store, "zebrac", 3)
    new = store.find_document("c.txt")
    assert new is not None and asked == [[new.info.doc_id]]


def test_a_new_store_has_no_saved_tokens_and_says_nothing_of_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="mou_review.lexicon"):
        tokens = lexicon_module._saved_tokens(tmp_path / "lexical")
    assert not tokens.docs
    assert "unreadable" not in caplog.text
