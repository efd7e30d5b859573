"""`triage`, `compare` and `similar` through Typer's CliRunner: outputs, exit codes, resume, store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import CORPUS
from typer.testing import CliRunner, Result

from mou_review.cli import app

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def test_triage_then_similar(tmp_path: Path) -> None:
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in ("varrow_creek_mn_2022.pdf", "oxbend_ks_1996.txt", "corvane_mi_2017.txt", "manifest.csv"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    out, store = tmp_path / "out", tmp_path / "store"

    first = run("triage", folder, "--out", out, "--store", store, "--backend", "offline", "-j", "1")
    assert first.exit_code == 2, first.output
    assert "reviewed 3, kept 0 finished, failed 1" in first.output
    assert any("broken.pdf" in line and "PDF" in line for line in first.output.splitlines())
    for name in ("triage.csv", "triage.json", "index.html", "failed.json"):
        assert (out / name).is_file(), name
    risks = [row["risk_score"] for row in json.loads((out / "triage.json").read_text())]
    assert len(risks) == 3 and risks == sorted(risks, reverse=True)

    (folder / "broken.pdf").unlink()
    second = run("triage", folder, "--out", out, "--store", store, "--backend", "offline")
    assert second.exit_code == 0, second.output
    assert "reviewed 0, kept 3 finished, failed 0" in second.output
    assert not (out / "failed.json").exists()

    similar = run(
        "similar", "officers do not enforce school rules", "-k", "4", "--store", store, "-f", "json"
    )
    assert similar.exit_code == 0, similar.output
    groups = json.loads(similar.stdout)
    assert sum(len(g["hits"]) for g in groups) == 4
    assert groups[0]["state"] == "MN" and groups[0]["hits"][0]["file"] == "varrow_creek_mn_2022.pdf"


def test_similar_on_an_empty_store_is_one_line_error(tmp_path: Path) -> None:
    result = run("similar", "anything", "--store", tmp_path / "empty")
    assert result.exit_code == 2
    assert [ln for ln in result.output.splitlines() if ln.startswith("error:")] == [
        "error: the store holds no documents"
    ]


def test_triage_of_a_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    result = run("triage", tmp_path / "nope", "--out", tmp_path / "out", "--no-index")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output and "Traceback" not in result.output
