"""Hostile files are refused quickly, in one line, and a batch goes on (zip bomb, huge text, time)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLE_TEXT, make_docx, make_pdf

from mou_review.documents import load_document
from mou_review.errors import DocumentError
from mou_review.limits import LoadSettings, deadline

CLI = [sys.executable, "-c", "from mou_review.cli import main; main()"]
ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "MOU_REVIEW_BACKEND": "offline",
    "COLUMNS": "200",
    "PATH": "/usr/bin:/bin",
}


def make_zip_bomb(path: Path, inflated_mb: int = 400) -> Path:
    """A real DOCX whose document.xml inflates to `inflated_mb` MB (it compresses about 1000:1)."""
    template = make_docx(path.with_name("template.docx"), SAMPLE_TEXT)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, src.read(item))
        with out.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(inflated_mb):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    template.unlink()
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.docx")


def test_a_zip_bomb_docx_is_refused_at_once(bomb: Path) -> None:
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"decompresses to 40\d MB \(the limit is 250 MB; a zip bomb\?\)"):
        load_document(bomb)
    assert time.perf_counter() - started < 1.0


def test_review_of_a_zip_bomb_exits_2_in_one_line_and_little_memory(bomb: Path, tmp_path: Path) -> None:
    """The whole CLI in a child process: its peak memory is measured by the kernel (ru_maxrss)."""
    started = time.perf_counter()
    result = subprocess.run(
        [*CLI, "review", str(bomb), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "bomb.docx: DOCX decompresses to 40" in result.stderr
    assert seconds < 60  # CLI start-up included; the refusal itself is the test above
    assert peak_mb < 1024, peak_mb


def test_a_batch_with_a_zip_bomb_reviews_the_other_files(bomb: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mou_review.cli import app

    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "bomb.docx").write_bytes(bomb.read_bytes())
    for name in ("oxbend_ks_1996.txt", "corvane_mi_2017.txt"):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["triage", str(folder), "--out", str(out), "--store", str(tmp_path / "s"), "-j", "1"], env=ENV
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "reviewed 2, kept 0 finished, failed 1" in result.output
    failed = json.loads((out / "failed.json").read_text())
    assert [Path(f["path"]).name for f in failed] == ["bomb.docx"] and "zip bomb" in failed[0]["reason"]


def test_too_many_members_in_a_docx(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx", SAMPLE_TEXT)
    with pytest.raises(DocumentError, match=r"DOCX holds \d+ files \(the limit is 3\)"):
        load_document(path, limits=LoadSettings(max_docx_members=3))


def test_pdf_pages_over_the_limit(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT, pages=4)
    with pytest.raises(DocumentError, match=r"PDF has 4 pages \(the limit is 3\)"):
        load_document(path, limits=LoadSettings(max_pdf_pages=3))
    assert load_document(path, limits=LoadSettings(max_pdf_pages=4)).info.pages == 4


def test_a_50_mb_text_file_is_refused_without_decoding_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = ("The SRO shall patrol the school grounds and report to the principal. " * 10 + "\n").encode()
    with path.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line)):
            fh.write(line)
    started = time.perf_counter()
    with pytest.raises(
        DocumentError, match=r"text too long \(5\d,\d{3},\d{3} characters; the limit is 2,000,000\)"
    ):
        load_document(path)
    assert time.perf_counter() - started < 5


def test_text_over_the_limit_after_extraction(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx", SAMPLE_TEXT)
    with pytest.raises(DocumentError, match="text too long"):
        load_document(path, limits=LoadSettings(max_text_chars=100))


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)
    with pytest.raises(DocumentError, match="file too large"):
        load_document(path, limits=LoadSettings(max_file_mb=0.001))


def test_the_time_limit_stops_a_slow_document() -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"slow.pdf: took longer than 0.2 s"), deadline("slow.pdf", 0.2):
        while True:
            time.sleep(0.01)
    assert time.perf_counter() - started < 2


def test_a_timed_out_document_fails_alone_in_a_batch(tmp_path: Path) -> None:
    from mou_review.config import Settings
    from mou_review.ingest import ingest
    from mou_review.store import ClauseStore

    make_pdf(tmp_path / "a.pdf", SAMPLE_TEXT)
    settings = Settings(store_dir=tmp_path / "store", workers=1, load=LoadSettings(seconds_per_document=1e-6))
    report = ingest([tmp_path / "a.pdf"], settings, ClauseStore(settings))
    assert report.failed == [
        (str(tmp_path / "a.pdf"), "took longer than 1e-06 s (the limit is load.seconds_per_document)")
    ]
