"""A real `chroma run` server: the store works through HttpClient exactly as it does embedded."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT, make_docx, make_pdf

from mou_review.config import Settings
from mou_review.ingest import ingest
from mou_review.retrieve import embed_queries, rank_in_memory
from mou_review.store import ClauseStore

pytestmark = pytest.mark.server

STARTUP_SECONDS = 60


def _chroma_executable() -> str | None:
    """`chroma` next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], port: int) -> None:
    """Poll the heartbeat until it answers; fail early if the server exits."""
    import chromadb

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chroma run exited with code {process.returncode} before answering")
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return
        except Exception:
            time.sleep(0.5)
    pytest.fail(f"chroma run did not answer on port {port} within {STARTUP_SECONDS} s")


def _server_count(port: int, collection: str) -> int:
    """Clauses in the collection as seen by an independent client of the server."""
    import chromadb

    return int(chromadb.HttpClient(host="127.0.0.1", port=port).get_collection(collection).count())


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A `chroma run` subprocess on a free port, stopped after the module."""
    exe = _chroma_executable()
    if exe is None:
        pytest.skip("the `chroma` executable was not found (pip install chromadb)")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    cmd = [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(process, port)
        yield port
    finally:
        process.kill()
        process.wait(timeout=30)


def test_ingest_and_search_through_server(tmp_path: Path, chroma_port: int) -> None:
    settings = Settings(chroma_host="127.0.0.1", chroma_port=chroma_port, workers=1)
    store = ClauseStore(settings)
    folder = tmp_path / "mous"
    folder.mkdir()
    make_pdf(folder / "harrow.pdf", SAMPLE_TEXT, pages=2)
    make_docx(folder / "harrow.docx", [*SAMPLE_TEXT, "ARTICLE III. TRAINING", "The SRO completes 40 hours."])

    first = ingest([folder], settings, store)
    assert first.ok, first.failed
    assert sorted(Path(p).name for p in first.added) == ["harrow.docx", "harrow.pdf"]
    listed = store.list_documents()
    assert sorted(Path(d.info.path).name for d in listed) == ["harrow.docx", "harrow.pdf"]
    assert all(d.clauses > 0 for d in listed)
    assert _server_count(chroma_port, store.clauses.name) == store.clauses.count() > 0

    clauses_before = store.clauses.count()
    second = ingest([folder], settings, ClauseStore(settings))
    assert second.added == [] and len(second.skipped) == 2
    assert store.clauses.count() == clauses_before

    doc = store.find_document("harrow.pdf")
    assert doc is not None
    query = "who supervises the SRO"
    clauses, vectors = store.get_clauses(doc.info.doc_id)
    (hits,) = rank_in_memory([query], embed_queries([query]), clauses, vectors, 3)
    assert any("Patrol Division Lieutenant" in hit.clause.text for hit in hits)
