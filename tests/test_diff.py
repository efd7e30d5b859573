"""`mou-review diff`: an amended and restated MOU against its original, from the corpus."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.diff import clause_changes
from mou_review.models import Clause

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
OLD, NEW = CORPUS / "quarry_hollow_ma_2021.txt", CORPUS / "quarry_hollow_ma_2024.txt"


@pytest.fixture(scope="module")
def diffed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    store = tmp_path_factory.mktemp("store")
    args = ["diff", str(OLD), str(NEW), "--format", "json", "--backend", "offline", "--store", str(store)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_amendment_lists_the_requirements_it_changed(diffed: dict) -> None:
    changed = {r["requirement_id"]: r for r in diffed["requirements"] if r["status_changed"]}
    assert changed["expenses"]["old_status"] == "missing" and changed["expenses"]["new_status"] == "present"
    assert (
        changed["discipline_carveout"]["new_status"] == "weak"
        and changed["discipline_carveout"]["new_contrary"]
    )
    assert (
        changed["term_review"]["old_status"] == "present" and changed["term_review"]["new_status"] == "weak"
    )
    unchanged = {r["requirement_id"] for r in diffed["requirements"] if not r["status_changed"]}
    assert {"ferpa_privacy", "supervision", "complaints"} <= unchanged


def test_clause_changes_name_what_was_added_removed_and_reworded(diffed: dict) -> None:
    clauses = diffed["clauses"]
    removed = [c["old"] for c in clauses if c["kind"] == "removed"]
    added = [c["new"] for c in clauses if c["kind"] == "added"]
    changed = [c for c in clauses if c["kind"] == "changed"]
    assert any("disaggregated by race" in text for text in removed)  # the data part was dropped
    assert any("$116,600" in text for text in added)  # the cost part is new
    training = next(c for c in changed if "in-service training" in c["new"])
    assert "16 hours" in training["old"] and "24 hours" in training["new"] and training["similarity"] > 0.9
    discipline = next(r for r in diffed["requirements"] if r["requirement_id"] == "discipline_carveout")
    assert any("maintaining order and discipline" in (clauses[k]["new"] or "") for k in discipline["clauses"])
    assert {f["fact"]: f["new"] for f in diffed["facts"]}["district_annual_cost"] == 116600


def test_markdown_lists_changed_requirements_first(tmp_path) -> None:
    args = ["diff", str(OLD), str(NEW), "--backend", "offline", "--store", str(tmp_path)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("## Requirements that changed") < text.index("## Clause changes")
    assert "**expenses**: missing -> present" in text


def _clause(i: int, text: str) -> Clause:
    return Clause(clause_id=f"c{i}", doc_id="d", index=i, text=text, start=0, end=len(text), page=1)


def test_identical_clauses_are_not_changes_and_unrelated_ones_do_not_pair() -> None:
    old = [_clause(0, "The SRO shall wear a uniform."), _clause(1, "The District pays half of the salary.")]
    new = [_clause(0, "The SRO shall wear a uniform."), _clause(1, "Complaints go to the Chief in writing.")]
    changes, _ = clause_changes(old, new)
    assert sorted(c.kind for c in changes) == ["added", "removed"]


def test_an_unreadable_file_is_one_line_and_exit_2(tmp_path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    result = CliRunner().invoke(app, ["diff", str(OLD), str(bad), "--store", str(tmp_path / "s")], env=ENV)
    assert result.exit_code == 2
    assert "broken.pdf" in result.output and "Traceback" not in result.output
