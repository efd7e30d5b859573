"""Facts as data: each fact located in the text it came from; a fact the text lacks stays empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, make_pdf

from mou_review.documents import load_document
from mou_review.evaluate import load_gold
from mou_review.fact_eval import comparable, score_facts
from mou_review.facts import extract_facts
from mou_review.models import DocumentReview, Facts
from mou_review.numbers import number_value, parse_date

ROOT = Path(__file__).resolve().parents[1]

TERMS = [
    "MEMORANDUM OF UNDERSTANDING",
    "Between the Harrow Glen Police Department and the Harrow Glen School District",
    "1.1 This MOU takes effect on August 15, 2022 (the Effective Date).",
    "2.1 The Department shall assign two sworn officers as SROs, one at each secondary school.",
    "3.1 Each SRO shall complete at least sixteen (16) hours of in-service training each year.",
    "4.1 The District shall reimburse the City fifty percent (50%) of the SROs' salary and benefits, "
    "estimated at $91,400 for the 2022-2023 school year. Overtime is billed at $61 per hour.",
    "5.1 This MOU remains in effect from the Effective Date through June 30, 2025, and shall renew "
    "automatically for one-year terms unless either party gives notice.",
    "5.2 The Superintendent and the Chief of Police shall review this MOU each May.",
]


def _facts(tmp_path: Path, paragraphs: list[str], pages: int = 1) -> tuple[Facts, str]:
    document = load_document(make_pdf(tmp_path / "mou.pdf", paragraphs, pages=pages))
    return extract_facts(document), document.text


def test_every_fact_is_normalised_and_quoted_where_the_text_says_it(tmp_path):
    facts, text = _facts(tmp_path, TERMS)
    assert facts.normalized() == {
        "effective_date": "2022-08-15",
        "term_end": "2025-06-30",
        "auto_renews": True,
        "review_cycle_months": 12,
        "district_share_percent": 50,
        "district_annual_cost": 91400,
        "sro_count": 2,
        "training_hours": 16,
        "agency": "Harrow Glen Police Department",
        "district": "Harrow Glen School District",
    }
    for name in Facts.model_fields:
        fact = getattr(facts, name)
        assert fact.quote is not None and text[fact.quote.start : fact.quote.end] == fact.quote.quote
    assert "$91,400" in facts.district_annual_cost.quote.quote
    assert facts.effective_date.value == "August 15, 2022"


def test_a_fact_the_text_does_not_state_is_empty_not_guessed(tmp_path):
    facts, _ = _facts(
        tmp_path,
        [
            "AGREEMENT between the Harrow Glen Police Department and the Harrow Glen School District",
            "The SRO will receive appropriate training. This agreement will be reviewed periodically.",
            "The costs of the program will be shared between the City and the District.",
        ],
    )
    values = facts.normalized()
    assert {k: v for k, v in values.items() if v is not None} == {
        "agency": "Harrow Glen Police Department",
        "district": "Harrow Glen School District",
    }


def test_quotes_carry_the_page_they_are_on(tmp_path):
    facts, _ = _facts(tmp_path, TERMS, pages=2)
    assert facts.review_cycle_months.quote.page == 1  # the first statement wins
    assert facts.review_cycle_months.quote.start < facts.review_cycle_months.quote.end


def test_renewal_by_written_agreement_is_not_automatic_and_per_hour_rates_are_not_costs(tmp_path):
    facts, _ = _facts(
        tmp_path,
        [
            "This MOU is effective from July 1, 2019 through June 30, 2020, and may be renewed for "
            "additional one-year terms by written agreement of both parties.",
            "The Academy shall pay the City at the extra-duty rate of $58.00 per hour for events.",
        ],
    )
    assert facts.auto_renews.normalized is False
    assert facts.district_annual_cost is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("September 1, 2021", "2021-09-01"),
        ("the 1st day of July, 2016", "2016-07-01"),
        ("7/1/2016", "2016-07-01"),
    ],
)
def test_dates_as_contracts_write_them(text, value):
    assert parse_date(text).isoformat() == value


def test_dates_that_do_not_exist_are_not_dates():
    assert parse_date("February 30, 2021") is None


@pytest.mark.parametrize(
    ("text", "value"), [("sixteen", 16), ("seventy-five", 75), ("three (3)", 3), ("forty", 40)]
)
def test_numbers_as_contracts_write_them(text, value):
    assert number_value(text) == value


def _review(facts: Facts) -> DocumentReview:
    from mou_review.models import DocumentInfo

    return DocumentReview(
        document=DocumentInfo(doc_id="x", path="x.txt"),
        checklist="c",
        backend="b",
        findings=[],
        risk_score=0,
        facts=facts,
    )


def test_fact_scores_count_null_gold_and_accept_any_listed_name(tmp_path):
    facts, _ = _facts(tmp_path, TERMS)
    gold = {
        "effective_date": "2022-08-15",
        "term_end": None,  # gold says not stated; the extractor found one: wrong
        "agency": ["Police Department of Harrow Glen", "Harrow Glen Police Department"],
    }
    scores = score_facts([("a.yaml", gold, _review(facts))])
    assert scores["effective_date"].accuracy == 1.0
    assert scores["term_end"].accuracy == 0.0 and scores["term_end"].failures
    assert scores["agency"].accuracy == 1.0
    assert "sro_count" not in scores  # not labelled, not scored


def test_comparable_forms_match_across_yaml_types():
    import datetime

    assert comparable(datetime.date(2021, 9, 1)) == comparable("2021-09-01")
    assert comparable(50) == comparable(50.0) == comparable("50")
    assert comparable("The Harrow Glen  Police Department") == comparable("harrow glen police department")
    assert comparable(False) != comparable(None)


def test_gold_facts_cover_both_splits_of_the_corpus():
    golds = [g for g in load_gold(ROOT / "evals" / "gold") if g.facts]
    assert len(golds) >= 15
    assert {g.split for g in golds} == {"dev", "test"}


def test_a_corpus_amendment_states_its_own_dates_not_the_recited_old_ones():
    facts = extract_facts(load_document(CORPUS / "cadwell_springs_tx_2020.txt"))
    assert facts.effective_date.normalized == "2020-08-01"
    assert facts.term_end.normalized == "2023-07-31"  # the 2015 agreement ended July 31, 2020
    assert facts.district_annual_cost.normalized == 184200  # the stated total, not the per-SRO rate


def test_csv_headers_are_unique_so_the_manifest_district_is_not_overwritten() -> None:
    """The text's district name has its own header beside the manifest's `district`."""
    from mou_review.facts import FACT_COLUMNS
    from mou_review.render.tables import TRIAGE_FIELDS as CSV_FIELDS

    assert len(CSV_FIELDS) == len(set(CSV_FIELDS))
    assert "district" in CSV_FIELDS and "district_in_text" in FACT_COLUMNS
