"""The `mou-review` front door through Typer's CliRunner: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT, make_docx, make_pdf
from typer.testing import CliRunner, Result

from mou_review.cli import app

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
QUERY = "who supervises the SRO"


@dataclass
class Ingested:
    folder: Path
    store: Path
    first: Result


def run(*args: str | Path) -> Result:
    """Invoke the app with a wide terminal so rich does not wrap lines."""
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """Good files plus an encrypted PDF and an empty file, ingested once for the module."""
    root = tmp_path_factory.mktemp("cli")
    folder = root / "mous"
    folder.mkdir()
    make_pdf(folder / "good.pdf", SAMPLE_TEXT, pages=2)
    make_docx(folder / "good.docx", [*SAMPLE_TEXT, "ARTICLE III. TRAINING", "The SRO completes 40 hours."])
    make_pdf(folder / "locked.pdf", SAMPLE_TEXT, encrypt="pw")
    (folder / "empty.txt").write_bytes(b"")
    store = root / "store"
    return Ingested(folder, store, run("ingest", folder, "--store", store, "--workers", "1"))


def _lines_naming(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if f"/{name}:" in line]


def test_help_lists_the_store_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("ingest", "search", "documents"):
        assert command in result.output


def test_ingest_reports_each_bad_file_on_one_line(ingested: Ingested) -> None:
    result = ingested.first
    assert result.exit_code == 2, result.output
    (locked,) = _lines_naming(result.output, "locked.pdf")
    assert "encrypted PDF" in locked
    (empty,) = _lines_naming(result.output, "empty.txt")
    assert "empty file" in empty
    assert "added 2 document(s)" in result.output
    assert "failed 2" in result.output


def test_reingest_skips_stored_files(ingested: Ingested) -> None:
    good = [ingested.folder / "good.pdf", ingested.folder / "good.docx"]
    result = run("ingest", *good, "--store", ingested.store, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "added 0 document(s)" in result.output
    assert "skipped 2" in result.output
    assert "holds 2 document(s)" in result.output


def test_documents_json(ingested: Ingested) -> None:
    result = run("documents", "--store", ingested.store, "--format", "json")
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert sorted(Path(d["path"]).name for d in docs) == ["good.docx", "good.pdf"]
    for doc in docs:
        assert {"doc_id", "title", "parties", "pages", "clauses"} <= set(doc)
        assert doc["parties"] == ["Harrow Glen Police Department", "Harrow Glen School District"]
        assert doc["clauses"] > 0
    assert {d["pages"] for d in docs if d["path"].endswith("good.pdf")} == {2}


def test_search_one_document_json(ingested: Ingested) -> None:
    options = ["--doc", "good.pdf", "-k", "3", "--format", "json", "--store", str(ingested.store)]
    result = run("search", QUERY, *options)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert 1 <= len(rows) <= 3
    assert {Path(r["path"]).name for r in rows} == {"good.pdf"}
    for row in rows:
        assert row["page"] >= 1 and 0 <= row["start"] < row["end"]
    assert any("Patrol Division Lieutenant" in r["text"] for r in rows)


def test_search_unknown_document_is_one_line_error(ingested: Ingested) -> None:
    result = run("search", QUERY, "--doc", "nope.pdf", "--store", ingested.store)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == ["error: no document 'nope.pdf' in the store"]
    assert "Traceback" not in result.output
