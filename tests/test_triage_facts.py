"""Facts in the batch outputs: triage.csv columns, the review_due/overdue flag, the NCES join key."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import CORPUS
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.facts import review_due
from mou_review.models import Fact, Facts

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
FILES = ["thistlewood_mi_2015.pdf", "quarry_hollow_ma_2024.txt"]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, folder / name)
    with (CORPUS / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in FILES]
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0], "nces_id"])
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({**row, "nces_id": f"26000{i}"})
    return folder


def test_triage_csv_carries_facts_review_due_and_the_nces_id(tmp_path):
    out = tmp_path / "out"
    args = ["triage", str(_folder(tmp_path)), "--out", str(out), "--no-index", "--as-of", "2020-01-01"]
    result = CliRunner().invoke(app, [*args, "--backend", "offline"], env=ENV)
    assert result.exit_code == 0, result.output
    with (out / "triage.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    thistlewood, quarry = rows[FILES[0]], rows[FILES[1]]
    assert thistlewood["effective_date"] == "2015-09-01" and thistlewood["review_cycle_months"] == "12"
    assert thistlewood["review_due"] == "2016-09-01" and thistlewood["overdue"] == "true"
    assert quarry["district_annual_cost"] == "116600" and quarry["auto_renews"] == ""
    assert quarry["review_due"] == "2027-08-31" and quarry["overdue"] == "false"  # no review cycle: term end
    assert {r["nces_id"] for r in rows.values()} == {"260000", "260001"}


def _facts(**values: object) -> Facts:
    return Facts(**{k: Fact(value=str(v), normalized=v) for k, v in values.items()})  # type: ignore[arg-type]


def test_review_due_is_the_earlier_of_term_end_and_first_review():
    assert (
        str(review_due(_facts(effective_date="2021-09-01", review_cycle_months=12, term_end="2024-08-31")))
        == "2022-09-01"
    )
    assert str(review_due(_facts(effective_date="2021-01-31", review_cycle_months=13))) == "2022-02-28"
    assert review_due(_facts(effective_date="2021-09-01")) is None  # no cycle, no end: nothing scheduled
    assert review_due(None) is None
