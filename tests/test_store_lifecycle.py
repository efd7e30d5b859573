"""A store over time: an edited file replaces its document, `remove` deletes one, reads are paged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT
from typer.testing import CliRunner, Result

import mou_review.store as store_module
from mou_review.cli import app
from mou_review.ingest import ingest

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def test_reingesting_an_edited_file_replaces_its_document(tmp_path: Path) -> None:
    mou = tmp_path / "mou.txt"
    mou.write_text("\n\n".join(SAMPLE_TEXT), encoding="utf-8")
    store = tmp_path / "store"
    assert run("ingest", mou, "--store", store).exit_code == 0
    mou.write_text(
        "\n\n".join([*SAMPLE_TEXT, "ARTICLE III. TRAINING", "The SRO completes 40 hours of training."])
    )
    second = run("ingest", mou, "--store", store)
    assert second.exit_code == 0, second.output
    assert f"{mou}: replaced its earlier version in the store" in second.output
    docs = json.loads(run("documents", "--store", store, "-f", "json").stdout)
    assert len(docs) == 1
    hits = json.loads(
        run("search", "40 hours of training", "--store", store, "-f", "json", "-k", "10").stdout
    )
    assert len({(h["start"], h["end"]) for h in hits}) == len(hits)  # no hit twice
    assert any("40 hours" in h["text"] for h in hits)
    scoped = json.loads(run("search", "training", "--doc", "mou.txt", "--store", store, "-f", "json").stdout)
    assert any("40 hours" in h["text"] for h in scoped)  # --doc reads the new version


def test_remove_deletes_a_document_and_its_clauses(tmp_path: Path, settings, store) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("\n\n".join([*SAMPLE_TEXT, f"File {name}."]), encoding="utf-8")
    ingest([tmp_path / "a.txt", tmp_path / "b.txt"], settings, store)
    before = store.clauses.count()
    result = run("remove", "a.txt", "--store", settings.store.dir)
    assert result.exit_code == 0, result.output
    assert "holds 1 document(s)" in result.output
    assert [Path(d.info.path).name for d in store.list_documents()] == ["b.txt"]
    assert 0 < store.clauses.count() < before
    missing = run("remove", "a.txt", "--store", settings.store.dir)
    assert missing.exit_code == 2 and "error: no document 'a.txt' in the store" in missing.output


def test_every_read_is_paged(tmp_path: Path, settings, store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "PAGE_ROWS", 3)  # pages of 3 rows: every read spans several
    names = [f"m{i}.txt" for i in range(4)]
    for name in names:
        (tmp_path / name).write_text("\n\n".join([*SAMPLE_TEXT, f"Document {name}."]), encoding="utf-8")
    report = ingest([tmp_path / n for n in names], settings, store)
    assert report.ok
    assert len(store.document_ids()) == 4 and len(store.list_documents()) == 4
    clauses = store.all_clauses()
    assert len(clauses) == store.clauses.count() > 9
    assert [c.clause_id for c in store.clauses_by_id([c.clause_id for c in clauses])] == [
        c.clause_id for c in clauses
    ]
    for doc_id in store.document_ids():
        doc_clauses, vectors = store.get_clauses(doc_id)
        assert len(doc_clauses) == len(vectors) > 3
