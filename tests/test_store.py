"""Real embedded Chroma in a temp folder: ingest is idempotent, batches survive bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT, make_docx, make_pdf, make_scanned_pdf

from mou_review.ingest import ingest


def _mixed_folder(folder: Path) -> Path:
    folder.mkdir()
    make_pdf(folder / "good.pdf", SAMPLE_TEXT, pages=2)
    make_docx(folder / "good.docx", [*SAMPLE_TEXT, "ARTICLE III. TRAINING", "The SRO completes 40 hours."])
    (folder / "good.txt").write_text("\n\n".join([*SAMPLE_TEXT, "Signed by both parties."]))
    make_pdf(folder / "locked.pdf", SAMPLE_TEXT, encrypt="pw")
    make_scanned_pdf(folder / "scan.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")
    return folder


def test_mixed_folder_reports_bad_files_and_ingests_good_ones(tmp_path, settings, store):
    folder = _mixed_folder(tmp_path / "mous")
    report = ingest([folder], settings, store)
    assert sorted(Path(p).name for p in report.added) == ["good.docx", "good.pdf", "good.txt"]
    reasons = {Path(p).name: r for p, r in report.failed}
    assert set(reasons) == {"locked.pdf", "scan.pdf", "empty.txt"}
    assert report.discovery.summary() == "skipped 1 file: 1 .xlsx"  # walked, so not an error
    assert "encrypted" in reasons["locked.pdf"]
    assert "no extractable text" in reasons["scan.pdf"]
    assert not report.ok
    assert len(store.list_documents()) == 3


def test_reingest_adds_nothing_twice(tmp_path, settings, store):
    folder = _mixed_folder(tmp_path / "mous")
    first = ingest([folder], settings, store)
    clauses_before = store.clauses.count()
    second = ingest([folder], settings, store)
    assert second.added == []
    assert sorted(second.skipped) == sorted(first.added)
    assert store.clauses.count() == clauses_before


def test_interrupted_ingest_leaves_store_consistent(tmp_path, settings, store, monkeypatch):
    path = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)
    real_upsert = store.documents.upsert

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.documents, "upsert", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest([path], settings, store)
    assert store.list_documents() == []  # clauses without a record are not a document
    monkeypatch.setattr(store.documents, "upsert", real_upsert)
    report = ingest([path], settings, store)
    assert len(report.added) == 1
    (doc,) = store.list_documents()
    clauses, vectors = store.get_clauses(doc.info.doc_id)
    assert len(clauses) == doc.clauses == store.clauses.count()
    assert vectors.shape == (len(clauses), 256)


def test_stored_document_round_trips(tmp_path, settings, store):
    path = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT, pages=2)
    ingest([path], settings, store)
    (stored,) = store.list_documents()
    doc = store.find_document("a.pdf")
    assert doc is not None and doc.info.doc_id == stored.info.doc_id
    assert doc.info.parties == ["Harrow Glen Police Department", "Harrow Glen School District"]
    clauses, _ = store.get_clauses(doc.info.doc_id)
    for clause in clauses:
        assert doc.text[clause.start : clause.end] == clause.text
    assert {c.page for c in clauses} == {1, 2}


def test_parallel_ingest_matches_serial(tmp_path, settings, store):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5):
        make_pdf(folder / f"m{i}.pdf", [*SAMPLE_TEXT, f"Document number {i}."])
    settings.limits.workers = 2
    report = ingest([folder], settings, store)
    assert len(report.added) == 5 and report.ok
    assert store.clauses.count() == sum(d.clauses for d in store.list_documents())


def test_batched_add_returns_each_clause_text_from_its_own_document(tmp_path, settings, store):
    folder = _mixed_folder(tmp_path / "mous")
    ingest([folder], settings, store)  # the three good files go in through one add_many call
    from mou_review.documents import load_document
    from mou_review.segment import segment

    for stored in store.list_documents():
        expected = segment(load_document(Path(stored.info.path)))
        clauses, vectors = store.get_clauses(stored.info.doc_id)
        assert [c.text for c in clauses] == [c.text for c in expected]
        assert vectors.shape[0] == len(clauses) == stored.clauses
    assert len(store.all_clauses()) == store.clauses.count()


def _records(store) -> list[list]:
    """Every stored record (clauses, document records, texts) as plain values, sorted by id."""
    out = []
    for collection in (store.clauses, store.documents, store.texts):
        got = collection.get(include=["metadatas", "embeddings"])
        rows = zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
        out.append(sorted((i, m, [round(float(x), 6) for x in e]) for i, m, e in rows))
    return out


def test_one_batched_ingest_stores_what_file_by_file_ingests_store(tmp_path, settings, store, monkeypatch):
    import mou_review.ingest as ingest_module
    from mou_review.config import Settings
    from mou_review.store import ClauseStore

    folder = _mixed_folder(tmp_path / "mous")
    for i in range(4):
        make_pdf(folder / f"m{i}.pdf", [*SAMPLE_TEXT, f"Document number {i}."], pages=1 + i % 2)
    monkeypatch.setattr(ingest_module, "FLUSH_CLAUSES", 1)  # the sizes for runs with workers ...
    monkeypatch.setattr(ingest_module, "ADD_CALL_ROWS", 2)
    adds = []
    real_add = store.clauses.add
    monkeypatch.setattr(store.clauses, "add", lambda **kw: adds.append(len(kw["ids"])) or real_add(**kw))
    batched = ingest([folder], settings, store)
    assert len(adds) == 1 and adds[0] > 2  # ... are not used by one process alone: one Chroma call
    one_by_one_settings = Settings(store_dir=tmp_path / "other", workers=1)
    one_by_one = ClauseStore(one_by_one_settings)
    monkeypatch.setattr(ingest_module, "ALONE_CLAUSES", 1)  # a store call per file
    calls = []
    real_add_many = one_by_one.add_many
    monkeypatch.setattr(
        one_by_one, "add_many", lambda items, **kw: calls.append(len(items)) or real_add_many(items, **kw)
    )
    single = ingest([folder], one_by_one_settings, one_by_one)
    assert [n for n in calls if n] == [1] * 7 and sorted(single.added) == sorted(batched.added)
    assert _records(one_by_one) == _records(store)
    assert store.clauses.count() == sum(d.clauses for d in store.list_documents()) > 0


def test_a_store_written_in_another_record_layout_is_a_stale_index(settings, monkeypatch):
    import mou_review.store as store_module
    from mou_review.store import ClauseStore

    monkeypatch.setattr(store_module, "RECORD_LAYOUT", 1)
    old = ClauseStore(settings)
    old.documents.add(ids=["d"], embeddings=[[0.0] * 256], metadatas=[{"doc_id": "d"}])
    monkeypatch.undo()
    current = ClauseStore(settings)
    assert current.document_ids() == set()  # old records are never read as current ones
    assert current.stale_indexes() == {old.documents.name.removesuffix("_documents"): 1}


def test_an_interrupted_ingest_leaves_no_readable_text_or_clause(tmp_path, settings, store, monkeypatch):
    path = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.documents, "upsert", crash)  # clauses and text are in, the record is not
    with pytest.raises(KeyboardInterrupt):
        ingest([path], settings, store)
    assert store.texts.count() == 1 and store.clauses.count() > 0
    (doc_id,) = store.texts.get(include=[])["ids"]
    assert store.get_document(doc_id) is None
    assert store.all_clauses() == [] and store.clauses_of([doc_id]) == {doc_id: []}
    assert store.get_clauses(doc_id)[0] == []


def test_parallel_ingest_shares_the_batch_with_this_process_and_stores_what_serial_stores(
    tmp_path, settings, store, monkeypatch
):
    import mou_review.ingest as ingest_module
    from mou_review.config import Settings
    from mou_review.store import ClauseStore

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(9):
        make_pdf(folder / f"m{i}.pdf", [*SAMPLE_TEXT, f"Document number {i}."], pages=1 + i % 3)
    serial = ingest([folder], settings, store)
    here = []
    real_prepare = ingest_module.prepare
    monkeypatch.setattr(
        ingest_module, "prepare", lambda path, *a: here.append(path) or real_prepare(path, *a)
    )
    parallel_settings = Settings(store_dir=tmp_path / "parallel", workers=2)
    parallel_store = ClauseStore(parallel_settings)
    report = ingest([folder], parallel_settings, parallel_store)
    assert report.ok and sorted(report.added) == sorted(serial.added)
    assert here  # this process prepared files itself (the spawned worker runs the real `prepare`)
    assert _records(parallel_store) == _records(store)
