"""The comparison matrix agrees cell by cell with reviews produced independently (store + review_document, CLI)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from mou_review.checklist import load_checklist
from mou_review.cli import app
from mou_review.compare import build_matrix, grouped_prevalence, prevalence
from mou_review.models import DocumentReview, Status
from mou_review.review import review_document
from mou_review.reviewers import make_reviewer
from mou_review.store import ClauseStore

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


@pytest.fixture(scope="module")
def independent(corpus_store: ClauseStore) -> dict[str, DocumentReview]:
    """Every corpus MOU reviewed the way `mou-review review` does: clauses read back from the store."""
    checklist, reviewer = load_checklist("cops-nasro"), make_reviewer("offline")
    reviews = {}
    for stored in corpus_store.list_documents():
        doc_id = stored.info.doc_id
        document = corpus_store.get_document(doc_id)
        clauses, vectors = corpus_store.get_clauses(doc_id)
        reviews[doc_id] = review_document(document, clauses, vectors, checklist, reviewer)
    return reviews


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "out"
    args = ["compare", str(CORPUS), "--out", str(out), "--no-index", "-j", "2", "--group-by", "year"]
    result = CliRunner().invoke(app, [*args, "--backend", "offline"], env=ENV)
    assert result.exit_code == 0, result.output
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_matrix_agrees_cell_by_cell_with_independent_reviews(
    compared: Path, independent: dict[str, DocumentReview]
) -> None:
    wide = _csv(compared / "compare.csv")
    ids = load_checklist("cops-nasro").ids
    assert {row["doc_id"] for row in wide} == set(independent)
    statuses: Counter[str] = Counter()
    for row in wide:
        review = independent[row["doc_id"]]
        assert float(row["risk_score"]) == review.risk_score
        for rid in ids:
            finding = review.finding(rid)
            assert finding is not None
            expected = "contrary" if finding.contrary else finding.status.value
            assert row[rid] == expected, (row["file"], rid)
            statuses[row[rid]] += 1
    assert len(statuses) >= 3, "the corpus must exercise several statuses"
    assert statuses["contrary"] >= 1, "contrary language is shown apart from weak"

    long = _csv(compared / "compare_long.csv")
    assert len(long) == len(wide) * len(ids)
    by_cell = {(r["doc_id"], r["requirement_id"]): r for r in long}
    for row in wide:
        for rid in ids:
            cell = by_cell[(row["doc_id"], rid)]
            assert cell["status"] == ("weak" if row[rid] == "contrary" else row[rid])
            assert cell["contrary"] == str(int(row[rid] == "contrary"))
            assert cell["deficient"] == str(int(Status(cell["status"]).deficient))


def test_cli_review_of_one_mou_matches_its_matrix_row(compared: Path, tmp_path: Path) -> None:
    file = CORPUS / "wyeth_crossing_ny_2018.pdf"
    args = ["review", str(file), "--format", "json", "--backend", "offline", "--store", str(tmp_path / "s")]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    review = DocumentReview.model_validate_json(result.stdout)
    (row,) = [r for r in _csv(compared / "compare.csv") if r["file"] == file.name]
    assert {f.requirement_id: "contrary" if f.contrary else f.status.value for f in review.findings} == {
        rid: row[rid] for rid in load_checklist("cops-nasro").ids
    }
    facts = review.facts.normalized() if review.facts else {}
    assert row["training_hours"] == str(facts["training_hours"])  # the fact columns come from the review
    assert row["effective_date"] == ""  # not stated in this MOU: empty, never guessed


def test_heatmap_prevalence_and_groups(compared: Path, independent: dict[str, DocumentReview]) -> None:
    checklist = load_checklist("cops-nasro")
    svg = (compared / "heatmap.svg").read_text()
    cells = re.findall(r'<rect class="cell" data-doc="(\w+)" data-req="(\w+)" data-status="(\w*)"', svg)
    assert len(cells) == len(independent) * len(checklist.ids)
    for doc_id, rid, status in cells:
        finding = independent[doc_id].finding(rid)
        assert finding is not None
        assert status == ("contrary" if finding.contrary else finding.status.value)

    matrix = build_matrix(list(independent.values()), checklist, "year")
    ferpa = next(p for p in prevalence(matrix) if p.requirement_id == "ferpa_privacy")
    ferpa_findings = [r.finding("ferpa_privacy") for r in independent.values()]
    named = sum(f is not None and f.status.value in ("present", "weak") for f in ferpa_findings)
    assert ferpa.present + ferpa.weak + ferpa.contrary == named
    discipline = next(p for p in prevalence(matrix) if p.requirement_id == "discipline_carveout")
    findings = [r.finding("discipline_carveout") for r in independent.values()]
    assert discipline.contrary == sum(bool(f and f.contrary) for f in findings) >= 1
    assert discipline.weak == sum(bool(f and f.status.value == "weak" and not f.contrary) for f in findings)
    html = (compared / "compare.html").read_text()
    assert f"addressed in {named / len(independent):.0%} of MOUs" in html
    assert "<svg" in html and "Deficient share by year" in html

    years = {str(r.document.year) for r in independent.values() if r.document.year}
    assert len(years) > 3
    for year in years:
        assert f"year: {year}</text>" in svg
    groups = grouped_prevalence(matrix, "year")
    assert sum(g[0].documents for g in groups.values()) == len(independent)


def test_compare_also_writes_the_triage_report(compared: Path) -> None:
    rows = json.loads((compared / "triage.json").read_text())
    assert len(rows) == len(list((compared / "reviews").glob("*.json")))
    assert (compared / "index.html").is_file()
