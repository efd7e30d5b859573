"""`review --backend llm|auto` through Typer's CliRunner: JSON with usage, one-line config errors."""

from __future__ import annotations

import json
from pathlib import Path

from llm_scenarios import NORMAL_DOC, REPLAY_BASE_URL, ROOT, SCENARIOS, cassette, llm_settings
from typer.testing import CliRunner

from mou_review.cli import app

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


def test_review_backend_llm_prints_findings_prompt_version_and_usage(tmp_path: Path) -> None:
    scenario = SCENARIOS["cli_review"]
    settings = llm_settings(REPLAY_BASE_URL, tmp_path / "cache.sqlite", **scenario.overrides)
    with cassette("cli_review") as cass:
        result = scenario.run(settings)
        assert cass.play_count == 1  # 22 requirements in one grouped call
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)
    assert review["backend"] == "llm" and review["prompt_version"] == "review-v2"
    assert len(review["findings"]) == 22
    assert review["usage"]["calls"] == 1 and review["usage"]["input_tokens"] > 0
    assert "review-v2: 1 call(s)" in result.stderr


def test_review_backend_llm_without_configuration_is_one_line_error(tmp_path: Path) -> None:
    args = ["review", str(ROOT / NORMAL_DOC), "--store", str(tmp_path), "--backend", "llm"]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 2
    assert "error: the llm backend needs an API key or a base URL" in result.stderr
    assert "hint:" in result.stderr


def test_review_backend_auto_says_it_fell_back_to_offline(tmp_path: Path) -> None:
    args = ["review", str(ROOT / NORMAL_DOC), "--store", str(tmp_path), "--backend", "auto", "-f", "json"]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    assert "backend auto: using offline (no LLM key or base URL configured)" in result.stderr
    assert json.loads(result.stdout)["backend"] == "offline"
