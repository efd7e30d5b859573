"""`mou-review logs`: list the audit log's calls and show one in full."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.reviewers.llm_log import CallLog, CallRecord, request_key

runner = CliRunner(env={"COLUMNS": "300"})


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "log.sqlite"
    log = CallLog(path)
    messages = [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "<<<MOU_TEXT clause MOU_TEXT>>>"},
    ]
    verdicts = {"verdicts": [{"requirement_id": "purpose", "status": "weak"}]}
    for doc, cached in [("doc-a", False), ("doc-b", True)]:
        log.record(
            CallRecord(
                key=request_key("review-v2", "m", 0.0, "json_mode", messages),
                prompt_version="review-v2",
                model="m",
                method="json_mode",
                messages=messages,
                raw={"content": json.dumps(verdicts), "tool_calls": []},
                parsed=verdicts,
                doc_id=doc,
                cached=cached,
                input_tokens=120,
                output_tokens=30,
                seconds=4.5,
            )
        )
    return path


def test_logs_lists_calls_newest_first_and_filters_by_document(tmp_path: Path) -> None:
    path = _log(tmp_path)
    listed = runner.invoke(app, ["logs", "--log", str(path), "-f", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["doc_id"] for r in rows] == ["doc-b", "doc-a"]
    assert rows[1]["result"] == "purpose=weak" and rows[1]["input_tokens"] == 120 and not rows[1]["cached"]
    only = json.loads(runner.invoke(app, ["logs", "--log", str(path), "--doc", "doc-a", "-f", "json"]).stdout)
    assert [r["id"] for r in only] == [1]


def test_logs_shows_one_call_with_its_messages_and_answer(tmp_path: Path) -> None:
    path = _log(tmp_path)
    shown = runner.invoke(app, ["logs", "1", "--log", str(path)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for part in (
        "call 1",
        "doc-a",
        "review-v2",
        "rules",
        "<<<MOU_TEXT clause MOU_TEXT>>>",
        '"status": "weak"',
    ):
        assert part in shown.stdout
    full = json.loads(runner.invoke(app, ["logs", "2", "--log", str(path), "-f", "json"]).stdout)
    assert full["messages"][1]["role"] == "user" and full["parsed"]["verdicts"][0]["status"] == "weak"


def test_logs_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["logs", "--log", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "no LLM log here yet" in missing.output
    assert "Traceback" not in missing.output
    path = _log(tmp_path)
    absent = runner.invoke(app, ["logs", "99", "--log", str(path)])
    assert absent.exit_code == 2 and "no call 99" in absent.output
    bad = runner.invoke(app, ["logs", "--log", str(path), "-f", "xml"])
    assert bad.exit_code == 2 and "'xml'" in bad.output and "--format" in bad.output
    assert "table, json" in bad.output and "Traceback" not in bad.output  # a Typer enum: the choices
