"""The README's headline quality numbers are a floor the code must keep.

The offline reviewer is run on the corpus test split and on the real-clause test split, in process
through the CLI, and each number in the README's two headline tables is read from the README
itself: a rule change that halves F1 fails here, and so does a README that claims more than the
code does (every measured number must be at least the README's minus TOLERANCE; spurious flags,
where lower is better, at most the README's plus TOLERANCE).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mou_review.cli import app

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 0.02

# README row label (its start) -> field of the JSON report
CORPUS_ROWS = {
    "macro F1": "macro_f1",
    "micro F1": "micro_f1",
    "3-way status accuracy": "status_accuracy",
    "Cohen's kappa": "kappa",
    "evidence hit rate": "evidence_hit_rate",
    "grounded rate": "grounded_rate",
}
CLAUSE_ROWS = {
    "clauses": "clauses",
    "recognised": "recognised",
    "explicit marked present": "explicit_present",
    "vague marked weak": "vague_weak",
    "partial marked weak": "partial_weak",
    "contrary marked weak": "contrary_weak",
    "spurious flags per clause": "spurious_per_clause",
}
LOWER_IS_BETTER = {"spurious_per_clause"}


def readme_tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table in `text`, as rows of stripped cells (the --- row dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def headline(column: str, rows: dict[str, str]) -> dict[str, float]:
    """The README's numbers in the metric table that has `column`, keyed by report field."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = next(t for t in readme_tables(text) if t[0][0] == "metric" and column in t[0])
    at = table[0].index(column)
    numbers = {}
    for row in table[1:]:
        field = next((f for label, f in rows.items() if row[0].startswith(label)), None)
        assert field is not None, f"README row {row[0]!r} has no report field here; map it in this test"
        numbers[field] = float(row[at])
    assert set(numbers) == set(rows.values()), (
        f"README table for {column!r} lacks {set(rows.values()) - set(numbers)}"
    )
    return numbers


def run_eval(path: str) -> dict:
    result = CliRunner().invoke(
        app, ["eval", str(ROOT / path), "--split", "test", "-b", "offline", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def below_floor(readme: dict[str, float], measured: dict[str, float]) -> list[str]:
    """One line per number the code no longer reaches (or, lower-is-better, exceeds)."""
    misses = []
    for field, claimed in readme.items():
        got = measured[field]
        worse = got > claimed + TOLERANCE if field in LOWER_IS_BETTER else got < claimed - TOLERANCE
        if worse:
            misses.append(f"{field}: README says {claimed}, measured {got}")
    return misses


def test_readme_parser_reads_the_headline_tables() -> None:
    corpus = headline("offline (test)", CORPUS_ROWS)
    clauses = headline("test offline", CLAUSE_ROWS)
    assert 0 < corpus["macro_f1"] <= 1 and clauses["clauses"] > 100
    halved = {k: v / 2 for k, v in corpus.items()}
    assert below_floor(corpus, halved)  # the guard would catch a rule change that halves F1


def test_corpus_test_split_keeps_the_readme_numbers() -> None:
    report = run_eval("evals/gold")
    assert below_floor(headline("offline (test)", CORPUS_ROWS), report) == []


def test_real_clause_test_split_keeps_the_readme_numbers() -> None:
    report = run_eval("evals/real")
    readme = headline("test offline", CLAUSE_ROWS)
    overall = report["overall"]
    measured = {
        f: overall[f]["rate"] if isinstance(overall[f], dict) else overall[f]
        for f in readme
        if f != "clauses"
    }
    assert report["clauses"] == readme.pop("clauses"), "the README's clause count is not the test split's"
    assert below_floor(readme, measured) == []


@pytest.mark.parametrize(
    "claimed,got,field,fails",
    [
        (0.9, 0.879, "macro_f1", True),
        (1.0, 1.021, "spurious_per_clause", True),
        (0.9, 0.881, "macro_f1", False),
    ],
)
def test_floor_tolerance(claimed: float, got: float, field: str, fails: bool) -> None:
    assert bool(below_floor({field: claimed}, {field: got})) is fails
