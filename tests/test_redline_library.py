"""Every model clause of the library passes its own requirement, filled for a test agreement's parties.

Each clause, alone under its heading, is reviewed by the offline reviewer on the branch: a clause
the tool itself would flag is not worth suggesting. Three sets of parties: named ones with defined
terms, a sheriff's office with a board, and the generic roles used when the names are doubtful.
"""

from __future__ import annotations

import pytest

from mou_review.checklist import load_checklist
from mou_review.config import Settings
from mou_review.models import Status
from mou_review.redline import checked_adaptation, make_adapter
from mou_review.redline.check import clause_finding
from mou_review.redline.library import Parties, fill, load_library
from mou_review.reviewers import make_reviewer

CHECKLIST = load_checklist("cops-nasro")
LIBRARY = load_library("cops-nasro")
REVIEWER = make_reviewer("offline")
PARTIES = {
    "named": Parties(
        agency="the Harrow Glen Police Department",
        district="the Harrow Glen School District",
        agency_short="the Department",
        district_short="the District",
        effective_date="July 1, 2021",
    ),
    "sheriff": Parties(
        agency="the Kestrow County Sheriff's Office",
        district="the Kestrow County Board of Education",
        agency_short="the Sheriff's Office",
        district_short="the Board",
        chief_title="Sheriff",
        superintendent="Director of Schools",
    ),
    "generic": Parties(agency="the Police Department", agency_short="the Police Department"),
}


@pytest.mark.parametrize("who", sorted(PARTIES))
@pytest.mark.parametrize("clause", LIBRARY.clauses, ids=[c.id for c in LIBRARY.clauses])
def test_library_clause_passes_its_own_requirement(clause, who: str) -> None:
    finding = clause_finding(CHECKLIST, clause.id, clause.heading, fill(clause, PARTIES[who]), REVIEWER)
    assert finding.status == Status.present, (clause.id, finding.rationale)


def test_a_clause_that_misses_its_requirement_is_not_passed() -> None:
    """The check can fail: a vague clause is not `present`."""
    finding = clause_finding(
        CHECKLIST, "training", "Training", "The SRO will receive appropriate training.", REVIEWER
    )
    assert finding.status == Status.weak


def test_an_llm_rewrite_is_kept_only_when_it_still_passes(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import mou_review.reviewers.llm as llm

    clause = LIBRARY.get("training")
    assert clause is not None
    filled = fill(clause, PARTIES["named"])
    replies = iter(
        [
            filled.replace("Before placement", "Prior to assignment"),  # a faithful rewording
            "The SRO will receive appropriate training.",  # loses what the checklist asks for
        ]
    )
    monkeypatch.setattr(llm, "adapt_clause", lambda settings, title, model_clause, excerpt: next(replies))
    adapter = make_adapter("llm", Settings(llm_cache=tmp_path / "cache.sqlite"), CHECKLIST)
    kept = checked_adaptation(adapter, CHECKLIST, clause, filled, "excerpt", "wordllama")
    assert kept.startswith("Prior to assignment")
    assert checked_adaptation(adapter, CHECKLIST, clause, filled, "excerpt", "wordllama") == filled
