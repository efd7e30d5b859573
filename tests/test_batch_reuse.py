"""Batches reuse finished reviews only when the rules that made them are this run's rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT
from typer.testing import CliRunner, Result

from mou_review.cli import app
from mou_review.compare import Prevalence
from mou_review.models import Severity

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
SHORT = ["cadwell_springs_tx_2020.txt", "wyndle_creek_mt_2018.txt", "oxbend_ks_1996.txt"]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in SHORT:
        shutil.copy(ROOT / "corpus" / name, folder)
    return folder


def test_compare_reuses_a_finished_triage(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    triage = tmp_path / "triage"
    first = run("triage", folder, "--out", triage, "--no-index", "-b", "offline")
    assert first.exit_code == 0, first.output
    compared = run(
        "compare", folder, "--out", tmp_path / "cmp", "--reuse", triage, "--no-index", "-b", "offline"
    )
    assert compared.exit_code == 0, compared.output
    assert "reviewed 0, kept 3 finished" in compared.output
    assert len(list((tmp_path / "cmp" / "reviews").glob("*.json"))) == 3
    assert "<title>MOU comparison" in (tmp_path / "cmp" / "index.html").read_text(encoding="utf-8")


def test_a_changed_checklist_file_redoes_finished_reviews(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    checklist = tmp_path / "checklist.yaml"
    shutil.copy(ROOT / "src" / "mou_review" / "checklists" / "cops-nasro.yaml", checklist)
    out = tmp_path / "out"
    args = ["triage", folder, "--out", out, "--no-index", "-b", "offline", "--checklist", checklist]
    assert "reviewed 3" in run(*args).output
    assert "reviewed 0, kept 3 finished" in run(*args).output
    checklist.write_text(checklist.read_text(encoding="utf-8") + "\n# a comment changes the file\n")
    assert "reviewed 3, kept 0 finished" in run(*args).output  # version field unchanged, rules changed


def test_conditional_requirement_shares_use_one_denominator() -> None:
    p = Prevalence(
        requirement_id="grant",
        severity=Severity.minor,
        documents=10,
        present=2,
        weak=1,
        missing=1,
        not_applicable=6,
    )
    assert p.applicable == 4
    assert p.addressed_share == 0.75  # 3 of the 4 MOUs it applies to, not 3 of 10
    assert p.deficient_share == 0.5
