"""Batch triage: resume after a crash (raised and SIGKILL), result keys, worst-first summaries, store."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS
from fake_openai_server import FakeOpenAI, Step
from llm_scenarios import llm_settings

from mou_review import triage
from mou_review.checklist import load_checklist
from mou_review.config import Settings
from mou_review.reviewers import make_reviewer
from mou_review.reviewers.llm import PROMPT_VERSION
from mou_review.store import ClauseStore
from mou_review.triage import Outcome, TriageOptions, run_triage, write_summary

FILES = [
    "oxbend_ks_1996.txt",
    "varrow_creek_mn_2022.pdf",
    "calder_ridge_wa_2022.docx",
    "wyeth_crossing_ny_2018.pdf",
    "corvane_mi_2017.txt",
    "pellworth_ga_2023.docx",
]


class Crash(Exception):
    """Stands in for a power cut in the middle of a batch."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Six corpus MOUs (PDF, DOCX, TXT) in nested folders, their manifest, and one empty file."""
    root = tmp_path / "mous"
    (root / "nested").mkdir(parents=True)
    for i, name in enumerate(FILES):
        shutil.copy(CORPUS / name, (root / "nested" if i % 2 else root) / name)
    shutil.copy(CORPUS / "manifest.csv", root / "manifest.csv")
    shutil.copy(CORPUS / "manifest.csv", root / "nested" / "manifest.csv")
    (root / "empty.txt").write_bytes(b"")
    return root


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    """mtime and bytes of every finished review file."""
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((out / "reviews").glob("*.json"))}


@pytest.fixture
def review_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every write of a review file, by doc_id, across all runs of a test."""
    writes: list[str] = []
    real = triage.write_atomic

    def counting(path: Path, text: str, *, durable: bool = True) -> None:
        if path.parent.name == triage.REVIEWS_DIR:
            writes.append(path.stem)
        real(path, text, durable=durable)

    monkeypatch.setattr(triage, "write_atomic", counting)
    return writes


@pytest.mark.parametrize("workers", [1, 2])
def test_resume_after_crash_loses_nothing_and_repeats_nothing(
    folder: Path, tmp_path: Path, review_writes: list[str], workers: int
) -> None:
    out = tmp_path / "out"
    options = TriageOptions(workers=workers)
    finished: list[str] = []

    def crash_after_three(outcome: Outcome) -> None:
        if outcome.review is not None:
            finished.append(outcome.job.doc_id)
        if len(finished) == 3:
            raise Crash

    with pytest.raises(Crash):
        run_triage([folder], out, options, on_done=crash_after_three)
    before = snapshot(out)
    assert sorted(before) == sorted(f"{d}.json" for d in finished)
    assert review_writes == finished

    result = run_triage([folder], out, options)

    assert snapshot(out).items() >= before.items(), "a finished review was rewritten"
    assert sorted(result.reused) == sorted(finished)
    assert not set(result.reviewed) & set(finished)
    assert sorted(review_writes) == sorted({*finished, *result.reviewed}), "a review was written twice"
    assert len(result.rows) == len(FILES) == len(snapshot(out))
    assert [Path(f.path).name for f in result.failed] == ["empty.txt"]
    assert "empty file" in result.failed[0].reason
    again = run_triage([folder], out, options)
    assert again.reviewed == [] and len(again.reused) == len(FILES)


def test_sigkill_mid_batch_leaves_only_whole_results(tmp_path: Path) -> None:
    """A real kill -9 of the CLI: every result file on disk parses, and the rerun finishes the rest."""
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from mou_review.cli import main; main()", "triage", str(CORPUS)]
    command += ["--out", str(out), "--no-index", "--workers", "1", "--backend", "offline"]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((out / "reviews").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = snapshot(out)
    total = len(list(CORPUS.glob("*.*"))) - 1  # all but manifest.csv
    assert 3 <= len(before) < total, "the run was not interrupted mid-batch"
    for name, (_, data) in before.items():
        assert json.loads(data)["document"]["doc_id"] == name.removesuffix(".json")

    result = run_triage([CORPUS], out, TriageOptions(workers=1))

    assert snapshot(out).items() >= before.items()
    assert len(result.reused) == len(before)
    assert len(result.reviewed) == total - len(before)
    assert not set(result.reviewed) & {n.removesuffix(".json") for n in before}


def test_result_from_another_backend_or_a_torn_file_is_redone(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_triage([folder], out, TriageOptions())
    victim = first.rows[0].doc_id
    (out / "reviews" / f"{victim}.json").write_text('{"document": {"doc_id": "', encoding="utf-8")

    resumed = run_triage([folder], out, TriageOptions())
    assert resumed.reviewed == [victim]

    keyword = run_triage([folder], out, TriageOptions(backend="keyword"))
    assert len(keyword.reviewed) == len(FILES)
    assert {row.backend for row in keyword.rows} == {"keyword"}

    forced = run_triage([folder], out, TriageOptions(backend="keyword", force=True))
    assert len(forced.reviewed) == len(FILES) and forced.reused == []


def test_each_page_is_on_disk_before_its_review_exists(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one fsync a document: its page's, before the review (the commit marker) is renamed into
    place; the review itself is not synced, and one left empty by a power cut is redone."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}")).parent.name))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(("replace", Path(dst).parent.name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "out"
    first = run_triage([folder], out, TriageOptions())
    per_document = [e for e in events if e[1] in (triage.PAGES_DIR, triage.REVIEWS_DIR)]
    expected = [("fsync", "docs"), ("replace", "docs"), ("replace", "reviews")]
    assert per_document == expected * len(FILES)

    victim = first.rows[0].doc_id
    (out / "reviews" / f"{victim}.json").write_bytes(b"")  # renamed, but its bytes never reached the disk
    assert run_triage([folder], out, TriageOptions()).reviewed == [victim]


def test_output_inside_the_input_folder_is_not_reviewed(folder: Path) -> None:
    out = folder / "triage"
    run_triage([folder], out, TriageOptions())
    (out / "reviews" / ".stale.json.123.tmp").write_text("{")
    again = run_triage([folder], out, TriageOptions())
    assert again.reviewed == [] and len(again.reused) == len(FILES)
    assert [Path(f.path).name for f in again.failed] == ["empty.txt"]
    assert not list((out / "reviews").glob(".*.tmp"))


def test_summary_files_are_worst_first_and_agree(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_triage([folder], out, TriageOptions())
    write_summary(out, result)

    risks = [row.risk_score for row in result.rows]
    assert risks == sorted(risks, reverse=True) and len(set(risks)) > 1
    as_json = json.loads((out / "triage.json").read_text())
    with (out / "triage.csv").open(newline="") as fh:
        as_csv = list(csv.DictReader(fh))
    assert [r["doc_id"] for r in as_json] == [r["doc_id"] for r in as_csv] == [r.doc_id for r in result.rows]
    for row, review in zip(as_json, result.reviews, strict=True):
        deficient = [f for f in review.findings if f.deficient]
        assert row["deficient"] == [f.requirement_id for f in deficient]
        assert row["critical"] == sum(f.severity.value == "critical" for f in deficient)
        assert row["major"] == sum(f.severity.value == "major" for f in deficient)
        assert row["state"] and row["year"], "manifest fields reach the rows"
    assert json.loads((out / "failed.json").read_text())[0]["path"].endswith("empty.txt")
    index = (out / "index.html").read_text()
    for row in result.rows:
        assert f'href="docs/{row.doc_id}.html"' in index
        assert (out / "docs" / f"{row.doc_id}.html").is_file()


def test_store_gets_every_document_even_when_indexing_was_interrupted(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    unindexed = run_triage([folder], out, TriageOptions())  # as if the store add never happened
    store = ClauseStore(Settings(store_dir=tmp_path / "store", workers=1))

    resumed = run_triage([folder], out, TriageOptions(), store=store)

    assert resumed.reviewed == [], "indexing must not redo reviews"
    assert store.document_ids() == {row.doc_id for row in unindexed.rows}
    doc_id = unindexed.rows[0].doc_id
    clauses, vectors = store.get_clauses(doc_id)
    assert clauses and vectors.shape[0] == len(clauses)


def test_llm_backend_reviews_in_this_process_and_resumes_by_prompt_version(tmp_path: Path) -> None:
    """Against a local fake OpenAI server; worker processes could not build this reviewer (no base URL)."""
    folder = tmp_path / "two"
    folder.mkdir()
    for name in FILES[:2]:
        shutil.copy(CORPUS / name, folder / name)
    out = tmp_path / "out"
    options = TriageOptions(backend="llm", workers=2)
    server = FakeOpenAI([Step()])
    with server as base_url:
        settings = llm_settings(base_url, None, llm_group_size=22)
        reviewer = make_reviewer("llm", settings, load_checklist("cops-nasro"))
        first = run_triage([folder], out, options, reviewer=reviewer)
        calls = len(server.requests)
        assert first.ok and len(first.reviewed) == 2 and calls == 2  # one grouped call per MOU
        assert {r.prompt_version for r in first.reviews} == {PROMPT_VERSION}

        assert run_triage([folder], out, options, reviewer=reviewer).reviewed == []
        assert len(server.requests) == calls

        victim = out / "reviews" / f"{first.rows[0].doc_id}.json"
        stale = json.loads(victim.read_text())
        victim.write_text(json.dumps({**stale, "prompt_version": "review-v0"}))
        redone = run_triage([folder], out, options, reviewer=reviewer)
        assert redone.reviewed == [first.rows[0].doc_id] and len(server.requests) == calls + 1
