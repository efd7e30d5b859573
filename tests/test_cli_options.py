"""Option values and user mistakes: exit 2 with one `error:` line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_TEXT
from typer.testing import CliRunner, Result

from mou_review.cli import app
from mou_review.cli.common import Backend
from mou_review.reviewers import REVIEWERS

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
ONE_PAGER = ROOT / "corpus" / "cadwell_springs_tx_2020.txt"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["review", "x.pdf", "-f", "xml"],
            "error: unknown format 'xml' for --format; choose one of: table, json, md",
        ),
        (["review", "x.pdf", "--fail-on", "bogus"], "error: unknown fail-on 'bogus' for --fail-on"),
        (["review", "x.pdf", "-b", "gpt"], "error: unknown backend 'gpt' for --backend"),
        (["documents", "-f", "xml"], "error: unknown format 'xml' for --format; choose one of: table, json"),
        (["search", "q", "-f", "xml"], "error: unknown format 'xml'"),
        (["similar", "q", "-f", "xml"], "error: unknown format 'xml'"),
        (["checklist", "-f", "xml"], "error: unknown format 'xml'"),
        (["eval", "evals/gold", "-f", "xml"], "error: unknown format 'xml'"),
        (
            ["redline", "x.docx", "-f", "pdf"],
            "error: unknown format 'pdf' for --format; choose one of: docx, md",
        ),
        (["triage", "corpus", "-b", "gpt"], "error: unknown backend 'gpt'"),
        (["eval", "evals/gold", "--compare", "offline,gpt"], "error: unknown backend 'gpt' in --compare"),
    ],
)
def test_invalid_option_values_exit_2_with_one_line(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert line.startswith(expected)
    assert "Traceback" not in result.output and "╭" not in result.output


def test_backend_choices_are_the_reviewer_registry() -> None:
    assert {b.value for b in Backend} == {"auto", *REVIEWERS}


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("mou-review ") and result.output.split()[1][0].isdigit()


def test_help_shows_no_python_type_tags() -> None:
    for command in ("triage", "review", "ingest", "eval"):
        text = run(command, "--help").output
        assert "<bool>" not in text and "<list[Path]>" not in text and "{" not in text, text
    assert "critical|major|minor" in run("review", "--help").output


def test_review_of_a_folder_is_one_line_error(tmp_path: Path) -> None:
    result = run("review", ROOT / "corpus", "--store", tmp_path / "store")
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"error: {ROOT / 'corpus'}: is a folder; this command takes one file "
        "(`mou-review triage` takes folders)"
    ]
    assert not (tmp_path / "store").exists()  # nothing was ingested before the error


def test_unwritable_output_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    result = run("review", ONE_PAGER, "-f", "json", "-o", blocker / "out.json", "--store", tmp_path / "s")
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert str(blocker) in line
    triage = run("triage", ONE_PAGER, "--out", blocker / "triage", "--no-index", "-b", "offline")
    assert triage.exit_code == 2 and len(error_lines(triage)) == 1
    assert "Traceback" not in triage.output


def test_table_output_goes_to_the_output_file(tmp_path: Path) -> None:
    out = tmp_path / "checklist.txt"
    result = run("checklist", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "discipline_carveout" in text and "\x1b[" not in text  # plain text, no colour codes
    assert "discipline_carveout" not in result.stdout


def test_eval_over_an_empty_split_is_an_error() -> None:
    result = run("eval", ROOT / "evals" / "gold", "--split", "train", "-b", "offline")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "no gold document is in split 'train'" in line


def test_eval_on_a_folder_with_a_non_gold_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: my notes\n", encoding="utf-8")
    result = run("eval", tmp_path, "-b", "offline")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "notes.yaml: not a gold file" in line


def test_read_only_commands_do_not_create_a_store(tmp_path: Path) -> None:
    for args in (["documents"], ["search", "supervision"], ["similar", "supervision"]):
        result = run(*args, "--store", tmp_path / "nowhere")
        assert result.exit_code == 2
        assert error_lines(result) == ["error: the store holds no documents"]
        assert f"no store at {tmp_path / 'nowhere'}" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_search_on_an_existing_empty_store_is_one_line_error(tmp_path: Path, store) -> None:
    result = run("search", "supervision", "--store", store.settings.store.dir)
    assert result.exit_code == 2
    assert error_lines(result) == ["error: the store holds no documents"]
    assert SAMPLE_TEXT  # the fixture store exists and holds nothing
