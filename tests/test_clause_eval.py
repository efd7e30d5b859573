"""Clause-set evaluation: the metrics by hand, the loader's errors, and a real run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mou_review.checklist import load_checklist
from mou_review.clause_eval import ClauseRow, clause_file, load_clauses, score_clauses
from mou_review.cli import app
from mou_review.errors import ConfigError
from mou_review.models import Status

P, W, M, NA = Status.present, Status.weak, Status.missing, Status.not_applicable
IDS = ["supervision", "ferpa_privacy", "discipline_carveout", "signatures"]


def _row(rid: str, labels: dict[str, str]) -> ClauseRow:
    return ClauseRow.model_validate({"id": rid, "text": "x", "labels": labels})


def test_metrics_by_hand() -> None:
    rows = [
        _row("a", {"supervision": "explicit", "ferpa_privacy": "vague"}),
        _row("b", {"discipline_carveout": "contrary"}),
        _row("c", {}),  # boilerplate
        _row("d", {"supervision": "explicit", "discipline_carveout": "partial"}),
    ]
    predictions = [
        {"supervision": P, "ferpa_privacy": P, "discipline_carveout": M, "signatures": M},
        {"supervision": W, "ferpa_privacy": M, "discipline_carveout": W, "signatures": NA},
        {"supervision": M, "ferpa_privacy": W, "discipline_carveout": M, "signatures": P},
        {"supervision": W, "ferpa_privacy": M, "discipline_carveout": M, "signatures": M},
    ]
    overall, per, failures = score_clauses(rows, predictions, IDS)
    # labelled pairs: a/sup P, a/ferpa P, b/disc W, d/sup W, d/disc M -> 4 of 5 recognised
    assert (overall.recognised.hits, overall.recognised.total) == (4, 5)
    assert overall.recognised.rate == 0.8
    assert (overall.explicit_present.hits, overall.explicit_present.total) == (1, 2)
    assert (overall.vague_weak.hits, overall.vague_weak.total) == (0, 1)
    assert (overall.contrary_weak.hits, overall.contrary_weak.total) == (1, 1)
    assert (overall.partial_weak.hits, overall.partial_weak.total) == (0, 1)
    # spurious: b/supervision (W), c/ferpa (W), c/signatures (P); missing and n/a are no flag
    assert overall.spurious == 3
    assert overall.spurious_per_clause == 0.75
    assert per["supervision"].recognised.rate == 1.0
    assert per["supervision"].explicit_present.rate == 0.5
    assert per["supervision"].spurious_per_clause == 0.25
    assert per["signatures"].spurious == 1
    assert per["signatures"].recognised.rate is None
    assert "c: signatures not addressed, marked present" in failures
    assert "d: supervision explicit, marked weak" in failures
    assert len(failures) == 3 + 3  # three spurious flags, three labelled pairs not marked as wanted


def test_report_json_carries_the_rates() -> None:
    overall, _, _ = score_clauses([_row("a", {"supervision": "explicit"})], [{"supervision": P}], IDS)
    dumped = overall.model_dump()
    assert dumped["recognised"]["rate"] == 1.0
    assert dumped["spurious_per_clause"] == 0.0


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "clauses.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_loader_names_the_bad_line(tmp_path: Path) -> None:
    checklist = load_checklist()
    good = {"id": "a", "text": "The SRO reports to the Sergeant.", "labels": {"supervision": "explicit"}}
    path = _write(tmp_path, [good, {"id": "b", "text": "x", "labels": {"supervision": "great"}}])
    with pytest.raises(ConfigError, match=r"clauses.jsonl:2: not a clause row"):
        load_clauses(path, checklist)
    path = _write(tmp_path, [good, {"id": "b", "text": "x", "labels": {"no_such": "explicit"}}])
    with pytest.raises(ConfigError, match="unknown requirement id 'no_such'"):
        load_clauses(path, checklist)
    path = _write(tmp_path, [{**good, "split": "dev"}])
    with pytest.raises(ConfigError, match="no clauses in split 'test'"):
        load_clauses(path, checklist, "test")
    assert clause_file(tmp_path) == path
    assert clause_file(path) == path


def test_eval_cli_scores_a_clause_set(tmp_path: Path) -> None:
    rows = [
        {
            "id": "ferpa1",
            "text": "School officials may disclose education records to the SRO only as the Family "
            "Educational Rights and Privacy Act (FERPA), 20 U.S.C. 1232g, permits.",
            "labels": {"ferpa_privacy": "explicit"},
            "split": "dev",
        },
        {
            "id": "law1",
            "text": "This Agreement shall be governed by the laws of the State of Ohio.",
            "labels": {},
            "split": "dev",
        },
        {"id": "t1", "text": "The SRO reports to the Sergeant.", "labels": {}, "split": "test"},
    ]
    _write(tmp_path, rows)
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path), "--split", "dev", "--compare", "offline,keyword", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert [r["backend"] for r in reports] == ["offline", "keyword"]
    offline = reports[0]
    assert offline["clauses"] == 2
    assert offline["per_requirement"]["ferpa_privacy"]["recognised"]["total"] == 1
    assert offline["per_requirement"]["ferpa_privacy"]["explicit_present"]["rate"] == 1.0
    saved = CliRunner().invoke(
        app, ["eval", str(tmp_path), "--save", "--results-dir", str(tmp_path / "results")]
    )
    assert saved.exit_code == 0, saved.output
    names = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert len(names) == 2 and all("_" + tmp_path.name + "-all_" in n for n in names)
    assert "spurious flags per clause" in (tmp_path / "results" / names[1]).read_text()
