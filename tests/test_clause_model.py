"""The clause model: its arithmetic, the shipped weights, and the two places the offline reviewer
lets it overrule the words (issue 12)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from mou_review.checklist import load_checklist
from mou_review.clause_eval import load_clauses
from mou_review.documents import document_from_text
from mou_review.embeddings import get_embedder
from mou_review.models import Status
from mou_review.review import review_document
from mou_review.reviewers.clause_model import ClauseModel, parse, shipped_model, sigmoid
from mou_review.reviewers.offline import OfflineReviewer
from mou_review.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def test_probabilities_are_the_logistic_of_the_weighted_vector():
    model = ClauseModel(
        "wordllama", ("a", "b"), np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([0.0, -1.0]), 0.9, 0.1
    )
    p = model.probabilities(np.array([[0.0, 0.0], [1.0, 1.0]]), ["b", "a", "unknown"])
    # by hand: b = sigmoid(0*0 + 2*y - 1), a = sigmoid(x)
    assert p[0, 0] == pytest.approx(1 / (1 + math.e))  # sigmoid(-1) = 0.2689
    assert p[0, 1] == pytest.approx(0.5)
    assert p[1, 0] == pytest.approx(1 / (1 + math.exp(-1)))  # sigmoid(1) = 0.7311
    assert p[1, 1] == pytest.approx(1 / (1 + math.exp(-1)))
    assert np.isnan(p[:, 2]).all()  # not fitted on: no opinion
    assert np.isnan(model.probabilities(np.zeros((2, 3)), ["a"])).all()  # another embedder's vectors


def test_sigmoid_does_not_overflow():
    assert sigmoid(np.array([-1e6, 1e6])).tolist() == [pytest.approx(0.0), pytest.approx(1.0)]


def test_the_json_round_trips():
    model = ClauseModel("wordllama", ("x",), np.array([[0.25, -0.5]]), np.array([1.5]), 0.95, 0.1)
    back = parse(json.loads(model.to_json(fitted_on="test")))
    assert back.ids == ("x",) and (back.boost, back.veto) == (0.95, 0.1)
    assert back.weights.tolist() == [[0.25, -0.5]] and back.bias.tolist() == [1.5]


def test_the_shipped_model_covers_the_checklist_and_separates_dev_clauses():
    model = shipped_model()
    assert model is not None and model.embedding == "wordllama"
    checklist = load_checklist()
    assert set(model.ids) == set(checklist.ids)
    assert 0.5 < model.boost <= 1.01 and 0.0 <= model.veto < 0.5
    rows = load_clauses(ROOT / "evals/real/clauses.jsonl", checklist, "dev")
    p = model.probabilities(get_embedder("wordllama").embed([r.text for r in rows]), checklist.ids)
    addressed = np.array([[rid in r.labels for rid in checklist.ids] for r in rows])
    # fitted on these rows: a clause that addresses a requirement must score far above one that does not
    assert np.median(p[addressed]) > 0.8 > 0.2 > np.median(p[~addressed])


def review(text: str, model: ClauseModel | None, learned: bool = True):
    checklist = load_checklist()
    document = document_from_text(text, "t.txt")
    clauses = segment(document)
    vectors = get_embedder("wordllama").embed([c.context_text() for c in clauses])
    reviewer = OfflineReviewer(model, learned=learned)
    return {
        f.requirement_id: f for f in review_document(document, clauses, vectors, checklist, reviewer).findings
    }


def constant(requirement_id: str, probability: float) -> ClauseModel:
    """A model that gives every clause `probability` for one requirement."""
    logit = math.log(probability / (1 - probability))
    return ClauseModel("wordllama", (requirement_id,), np.zeros((1, 256)), np.array([logit]), 0.9, 0.1)


PARAPHRASE = "Deputy Ruiz answers immediately to the Lieutenant of the Investigations Division."


def test_a_clause_that_reads_like_the_requirement_is_weak_when_the_words_miss_it():
    rules = review(PARAPHRASE, None, learned=False)["community_engagement"]
    assert rules.status is Status.missing
    finding = review(PARAPHRASE, constant("community_engagement", 0.97))["community_engagement"]
    assert finding.status is Status.weak
    assert "learned score 0.97" in finding.rationale
    assert [e.quote for e in finding.evidence] == [PARAPHRASE]


def test_below_the_boost_the_words_decide():
    finding = review(PARAPHRASE, constant("community_engagement", 0.85))["community_engagement"]
    assert finding.status is Status.missing


MENTION = "Visitors must sign in at the front office during business hours."


def test_a_lone_topic_word_in_a_clause_unlike_the_requirement_is_a_passing_mention():
    rules = review(MENTION, None, learned=False)["duty_hours"]
    assert rules.status is Status.weak and "mentions it" in rules.rationale
    finding = review(MENTION, constant("duty_hours", 0.02))["duty_hours"]
    assert finding.status is Status.missing
    assert "passing mention ('hours')" in finding.rationale and "learned score 0.02" in finding.rationale
    assert finding.evidence == []


def test_strong_language_is_never_vetoed():
    text = "The SRO shall not be involved in the enforcement of school rules or school discipline."
    finding = review(text, constant("discipline_carveout", 0.02))["discipline_carveout"]
    assert finding.status is Status.present


def test_a_recital_is_not_boosted():
    text = "WHEREAS, the parties recognise the value of engaging families and community partners;"
    finding = review(text, constant("complaints", 0.99))["complaints"]
    assert finding.status is Status.missing
