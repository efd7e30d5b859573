"""The one folder walk behind ingest, triage and compare: documents in, everything else counted."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT, make_pdf

from mou_review.discovery import walk
from mou_review.documents import load_document
from mou_review.errors import DocumentError


def _mixed(folder: Path) -> Path:
    folder.mkdir()
    make_pdf(folder / "a.pdf", SAMPLE_TEXT)
    (folder / "b.txt").write_text("\n".join(SAMPLE_TEXT))
    (folder / "sub").mkdir()
    (folder / "sub" / "c.md").write_text("\n".join(SAMPLE_TEXT))
    (folder / "notes.csv").write_text("a,b\n")
    (folder / "data.json").write_text("{}")
    (folder / "manifest.csv").write_text("file\n")
    (folder / ".hidden.txt").write_text("x")
    (folder / "~$a.docx").write_bytes(b"lock")
    (folder / "mail.eml").write_text("From: a@b")
    (folder / "triage").mkdir()
    (folder / "triage" / "triage.json").write_text("[]")
    (folder / "triage" / "reviews").mkdir()
    (folder / "triage" / "reviews" / "0123.json").write_text("{}")
    (folder / "old.redline.docx").write_bytes(b"PK")
    (folder / "review.md").write_text("# Review of a.pdf\n")
    return folder


def test_a_walk_yields_documents_and_counts_the_rest(tmp_path: Path) -> None:
    found = walk([_mixed(tmp_path / "mous")])
    assert [p.relative_to(tmp_path / "mous").as_posix() for p in found.files] == [
        "a.pdf",
        "b.txt",
        "sub/c.md",
    ]
    assert sorted(p.name for p in found.outputs) == ["old.redline.docx", "review.md", "triage"]
    assert found.summary() == (
        "skipped 3 files: 1 .csv, 1 .eml, 1 .json; 3 earlier mou-review outputs "
        "(old.redline.docx, review.md, triage); e-mail files are out of scope: save their attachments "
        "to review them"
    )


def test_named_files_are_always_tried_and_the_output_folder_is_excluded(tmp_path: Path) -> None:
    folder = _mixed(tmp_path / "mous")
    (folder / "out").mkdir()
    (folder / "out" / "x.txt").write_text("written by a run")
    found = walk([folder / "notes.csv", folder], exclude=[folder / "out"])
    assert found.files[0] == folder / "notes.csv"
    assert folder / "out" / "x.txt" not in found.files


def test_special_files_are_skipped_in_a_walk_and_refused_when_named(tmp_path: Path) -> None:
    folder = tmp_path / "mous"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "gone.txt").symlink_to(folder / "missing.txt")
    (folder / "loop").symlink_to(folder)
    found = walk([folder])
    assert found.files == []
    assert dict(found.skipped) == {
        "FIFO/device/socket": 2,
        "broken link(s)": 1,
        "symlinked folder(s), not followed": 1,
    }
    for name in ("pipe.txt", "zero.txt"):  # neither hangs nor reads forever
        with pytest.raises(DocumentError, match="not a regular file"):
            load_document(folder / name)


def _as_nobody(work: Callable[[], object]) -> object:
    """Run `work()` in a forked child with the privileges of `nobody` (root reads any folder)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            os.write(write, json.dumps(work()).encode())
        except BaseException as exc:
            os.write(write, json.dumps(repr(exc)).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as fh:
        return json.loads(fh.read())


def test_an_unreadable_folder_and_file_are_reported_not_skipped() -> None:
    root = Path(tempfile.mkdtemp(prefix="mou-review-perm-"))
    root.chmod(0o755)
    (root / "ok.txt").write_text("\n".join(SAMPLE_TEXT))
    (root / "locked").mkdir()
    (root / "locked" / "x.txt").write_text("hidden")
    (root / "secret.txt").write_text("\n".join(SAMPLE_TEXT))
    (root / "secret.txt").chmod(0o000)
    (root / "locked").chmod(0o000)

    def attempt() -> object:
        found = walk([root])
        try:
            load_document(root / "secret.txt")
            reason = "read"
        except DocumentError as exc:
            reason = exc.reason
        return [[p.name for p in found.files], [list(u) for u in found.unreadable], reason]

    files, unreadable, reason = _as_nobody(attempt)  # type: ignore[misc]
    (root / "locked").chmod(0o755)
    assert files == ["ok.txt", "secret.txt"]
    assert unreadable == [[str(root / "locked"), "cannot read folder (Permission denied)"]]
    assert reason == "cannot read file (Permission denied)"


def test_chroma_stores_in_the_input_are_passed_over_with_one_summary_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mou_review.cli import app

    folder = tmp_path / "mous"
    folder.mkdir()
    (folder / "a.txt").write_text("\n\n".join(SAMPLE_TEXT))
    foreign = folder / "old-store"  # someone else's Chroma store, with a text file inside
    foreign.mkdir()
    (foreign / "chroma.sqlite3").write_bytes(b"")
    (foreign / "notes.txt").write_text("\n\n".join(SAMPLE_TEXT))
    assert [p.name for p in walk([folder]).files] == ["a.txt"]
    assert walk([foreign]).files == [] and walk([foreign]).summary() == "1 Chroma store folder (old-store)"

    store = folder / "store"  # the configured store, inside the folder being ingested
    store.mkdir()
    (store / "stray.txt").write_text("\n\n".join(SAMPLE_TEXT))
    found = walk([folder], store=store)
    assert [p.name for p in found.files] == ["a.txt"]
    assert found.summary() == "2 Chroma store folders (old-store, store)"

    env = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
    for _ in range(2):  # the second run sees a real store in the folder
        result = CliRunner().invoke(app, ["ingest", str(folder), "--store", str(store)], env=env)
        assert result.exit_code == 0, result.output
        assert "2 Chroma store folders (old-store, store)" in result.output
        assert "now holds 1 document(s)" in result.output
