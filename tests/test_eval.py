"""The evaluation harness on the real corpus: gold quotes exist, reports carry matrices and stamps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mou_review.checklist import load_checklist
from mou_review.cli import app
from mou_review.documents import load_document
from mou_review.evaluate import load_gold
from mou_review.grounding import Grounder

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "evals" / "gold"
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


def test_every_gold_quote_is_in_the_text_the_package_extracts():
    """The second pass over the gold files: each quote is located in mou-review's own extraction."""
    golds = load_gold(GOLD)
    assert len(golds) >= 30
    missing = []
    for gold in golds:
        grounder = Grounder(load_document(Path(gold.document)))
        for rid, label in gold.labels.items():
            for quote in label.evidence:
                evidence = grounder.locate(quote)
                if evidence is None or evidence.match == "fuzzy":
                    missing.append(f"{Path(gold.document).name} {rid}: {quote[:60]}")
    assert missing == []


def test_gold_files_label_every_requirement_with_evidence_where_it_counts():
    checklist = load_checklist("cops-nasro")
    for gold in load_gold(GOLD):
        assert set(gold.labels) == set(checklist.ids), gold.gold_path
        for rid, label in gold.labels.items():
            if label.status.value in ("present", "weak"):
                assert label.evidence, f"{gold.gold_path} {rid}: {label.status.value} without a quote"


def test_every_requirement_has_five_deficient_and_five_present_cases():
    golds = load_gold(GOLD)
    for rid in load_checklist("cops-nasro").ids:
        statuses = [g.labels[rid].status.value for g in golds]
        assert sum(s in ("weak", "missing") for s in statuses) >= 5, rid
        assert statuses.count("present") >= 5, rid


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Path]]:
    results = tmp_path_factory.mktemp("results")
    args = ["eval", str(GOLD), "--split", "test", "-b", "offline", "-f", "md", "--save", "--results-dir"]
    result = CliRunner().invoke(app, [*args, str(results)], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout, sorted(results.iterdir())


def test_markdown_report_has_a_confusion_matrix_per_requirement_that_adds_up(saved):
    markdown, _ = saved
    documents = int(re.search(r"documents: (\d+)", markdown).group(1))
    assert documents == 14
    for rid in load_checklist("cops-nasro").ids:
        matrices = markdown.split("## Confusion matrices: offline", 1)[1]
        block = matrices.split(f"**{rid}**\n", 1)[1].split("**", 1)[0]
        counts = [
            int(n)
            for row in block.splitlines()
            if row.startswith("| ") and "gold" not in row
            for n in re.findall(r"\|\s*(\d+)\s*(?=\|)", row)
        ]
        assert sum(counts) == documents, rid
    assert "## Worst requirements: offline" in markdown


def test_saved_results_are_named_and_stamped_by_commit_and_date(saved):
    _, files = saved
    assert [f.suffix for f in files] == [".json", ".md"]
    report = json.loads(files[0].read_text())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["created"])
    assert files[0].name.startswith(report["created"][:10] + "_test_offline_")
    if report["git_commit"]:
        assert report["git_commit"] in files[0].name
    assert 0.0 <= report["macro_f1"] <= 1.0 and report["grounded_rate"] == 1.0


def test_eval_reports_fact_accuracy_per_fact(saved):
    markdown, files = saved
    assert "## Facts (exact match of the normalised form)" in markdown
    report = json.loads(next(p for p in files if p.suffix == ".json").read_text())
    facts = report["facts"]
    assert {"effective_date", "term_end", "district_annual_cost", "district_share_percent"} <= set(facts)
    for score in facts.values():
        wrong = len(score["failures"])
        assert score["accuracy"] == round((score["support"] - wrong) / score["support"], 3)
