"""The commands on legacy folders: mixed contents, earlier outputs, warnings shown everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import CORPUS, SAMPLE_TEXT
from typer.testing import CliRunner

from mou_review.cli import app

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False", "MOU_REVIEW_BACKEND": "offline"}


def test_triage_and_compare_of_a_folder_with_earlier_outputs_exit_0(tmp_path: Path) -> None:
    env = ENV
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in ("oxbend_ks_1996.txt", "corvane_mi_2017.txt"):
        shutil.copy(CORPUS / name, folder / name)
    store = str(tmp_path / "store")

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, [*args, "--store", store, "-j", "1"], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run("triage", str(folder), "--out", str(folder / "triage"))  # an earlier run, inside the folder
    review = CliRunner().invoke(
        app, ["review", str(folder / "oxbend_ks_1996.txt"), "-f", "json", "--store", store], env=env
    )
    (folder / "review.json").write_text(review.stdout)
    (folder / "tracking.csv").write_text("file,status\noxbend_ks_1996.txt,open\n")
    (folder / "budget.csv").write_text("year,amount\n2024,1\n")
    (folder / "notes.json").write_text('{"note": "call the district"}')
    expected = "skipped 4 files: 2 .csv, 2 .json; 1 earlier mou-review output (triage)"
    for command, out in (("triage", "t2"), ("compare", "c2")):
        output = run(command, str(folder), "--out", str(tmp_path / out))
        lines = [line for line in output.splitlines() if "skipped" in line]
        assert lines == [expected], output
        assert "reviewed 2" in output or "kept 2 finished" in output


def test_document_warnings_reach_review_triage_failed_json_and_html(tmp_path: Path) -> None:
    folder = tmp_path / "mous"
    folder.mkdir()
    legacy = "\n\n".join(SAMPLE_TEXT).replace("officer", "officer\u2019s").encode("cp1252")
    (folder / "legacy.txt").write_bytes(legacy)
    (folder / "short.txt").write_bytes("Caf\u00e9 note.".encode("cp1252"))  # decoded, then too short
    store = str(tmp_path / "store")

    review = CliRunner().invoke(app, ["review", str(folder / "legacy.txt"), "--store", store], env=ENV)
    assert review.exit_code == 0, review.output
    assert "warning: " in review.output and "legacy.txt: not UTF-8; decoded as Windows-1252" in review.output

    out = tmp_path / "out"
    triage = CliRunner().invoke(app, ["triage", str(folder), "--out", str(out), "--store", store], env=ENV)
    assert triage.exit_code == 2, triage.output
    assert "legacy.txt: not UTF-8; decoded as Windows-1252" in triage.output
    failed = json.loads((out / "failed.json").read_text())
    assert failed == [
        {
            "path": str(folder / "short.txt"),
            "reason": "no text content",
            "warnings": ["not UTF-8; decoded as Windows-1252 (cp1252)"],
        }
    ]
    (saved,) = [json.loads(p.read_text()) for p in (out / "reviews").glob("*.json")]
    assert saved["document"]["warnings"] == ["not UTF-8; decoded as Windows-1252 (cp1252)"]
    assert "warning: not UTF-8; decoded as Windows-1252 (cp1252)" in saved["notes"]
    (page,) = (out / "docs").glob("*.html")
    assert "decoded as Windows-1252" in page.read_text()
    assert "decoded as Windows-1252" in (out / "index.html").read_text()
