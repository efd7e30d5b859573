"""State checklist packs: package data in the checklist format, each requirement citing its statute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from mou_review.checklist import load_checklist, pack_for_state, packaged_ids, resolve_checklist
from mou_review.cli import app
from mou_review.errors import ConfigError

PACKS = ["il", "wa", "va", "ny", "ma", "ct", "oh", "tx", "mn"]
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


@pytest.mark.parametrize("pack", PACKS)
def test_every_pack_loads_and_cites_a_statute_for_each_requirement(pack):
    cl = load_checklist(pack)
    assert cl.state == pack.upper() and cl.statute
    assert cl.requirements and all(r.statute for r in cl.requirements)


def test_a_requirement_that_extends_cops_nasro_keeps_its_signals_and_adds_its_own():
    base = load_checklist("cops-nasro").get("discipline_carveout")
    ma = load_checklist("ma").get("not_disciplinarian")
    assert ma.extends == "cops-nasro/discipline_carveout"
    assert ma.signals.strong == base.signals.strong and ma.signals.contrary == base.signals.contrary
    assert ma.statute == "M.G.L. c.71 §37P(c)" and ma.queries == base.queries
    selection = load_checklist("ma").get("selection_criteria")
    base_selection = load_checklist("cops-nasro").get("sro_selection")
    assert selection.signals.contrary  # its own: selection by seniority
    assert selection.signals.topic == base_selection.signals.topic  # inherited
    assert selection.signals.strong != base_selection.signals.strong  # replaced: criteria alone suffice


def test_extending_a_requirement_that_does_not_exist_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\ntitle: Bad\nrequirements:\n  - extends: cops-nasro/no_such_thing\n    statute: X\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="no_such_thing"):
        load_checklist(str(path))


def test_auto_picks_the_state_pack_and_falls_back_to_cops_nasro():
    assert resolve_checklist("auto", "MA").id == "ma"
    assert resolve_checklist("auto", "KS").id == "cops-nasro"
    assert resolve_checklist("auto", None).id == "cops-nasro"
    assert pack_for_state("tx") == "tx" and pack_for_state("ZZ") is None
    assert set(PACKS) <= set(packaged_ids())


def test_checklist_json_lists_a_packs_requirements_with_their_statute():
    result = CliRunner().invoke(app, ["checklist", "--checklist", "wa", "--format", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == "wa"
    assert {r["id"] for r in data["requirements"]} >= {"staff_requests", "joint_hiring", "complaints"}
    assert all(r["statute"].startswith("RCW 28A.320.124") for r in data["requirements"])


def test_review_with_the_massachusetts_pack_on_a_massachusetts_mou(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "review",
            str(CORPUS / "wexcombe_ma_2022.docx"),
            "--checklist",
            "auto",
            "--format",
            "json",
            "--store",
            str(tmp_path),
        ],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    review = json.loads(result.output[result.output.index("{") :])
    assert review["checklist"] == "ma"  # the manifest says MA
    status = {f["requirement_id"]: f["status"] for f in review["findings"]}
    assert status["chief_assigns"] == "present"  # 'The Chief shall invite the Superintendent to take part'
    assert status["not_disciplinarian"] == "present"
    assert set(status) == set(load_checklist("ma").ids)
    assert review["facts"]["effective_date"]["normalized"] == "2022-09-01"


@pytest.mark.parametrize("pack", ["ma", "tx"])
def test_each_pack_gold_set_labels_every_requirement_and_the_offline_rules_mostly_agree(pack):
    from mou_review.evaluate import load_gold

    folder = Path(__file__).resolve().parents[1] / "evals" / "packs" / pack
    golds = load_gold(folder)
    assert len(golds) >= 3 and all(set(g.labels) == set(load_checklist(pack).ids) for g in golds)
    args = ["eval", str(folder), "--checklist", pack, "--backend", "offline", "--format", "json"]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["checklist"] == pack and report["documents"] == len(golds)
    assert report["status_accuracy"] >= 0.9, report["per_requirement"]


def test_auto_in_a_batch_is_a_one_line_error_naming_the_packs(tmp_path):
    args = [
        "triage",
        str(CORPUS / "wexcombe_ma_2022.docx"),
        "--out",
        str(tmp_path / "o"),
        "--checklist",
        "auto",
    ]
    result = CliRunner().invoke(app, [*args, "--no-index"], env=ENV)
    assert result.exit_code == 2
    assert (
        "only review and diff" in result.output and "ma" in result.output and "Traceback" not in result.output
    )
