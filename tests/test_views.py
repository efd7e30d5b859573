"""The offline reviewer's per-document caches give exactly what the uncached functions give, and
never one document's or one text's answer for another."""

from __future__ import annotations

import re

from conftest import packaged_patterns

from mou_review.checklist import load_checklist
from mou_review.models import Clause, Document, DocumentInfo, Status
from mou_review.reviewers import views
from mou_review.reviewers.matcher import MatchIndex, bounded
from mou_review.reviewers.offline import OfflineReviewer
from mou_review.segment import segment
from mou_review.vocabulary import _aside_sentences, sentence_spans, set_aside

RECITAL = "WHEREAS, the District and the Police Department wish to place an officer in the schools."
TERM = "The SRO shall follow FERPA and shall complete 40 hours of training each year."


def _clause(text: str, heading: list[str] | None = None, clause_id: str = "c1") -> Clause:
    return Clause(
        clause_id=clause_id,
        doc_id="d",
        index=0,
        heading_path=heading or [],
        text=text,
        start=0,
        end=len(text),
        page=1,
    )


def _document(text: str, doc_id: str = "d") -> Document:
    return Document(info=DocumentInfo(doc_id=doc_id, path=f"{doc_id}.txt"), text=text)


def test_same_clause_id_in_two_documents_gets_each_its_own_views() -> None:
    first, second = _clause(RECITAL), _clause(TERM)  # the same clause id, different text
    one = views.views_for(_document(RECITAL), [first])
    assert one.agreed(first, False).text.strip() == ""  # the recital is blanked
    two = views.views_for(_document(TERM), [second])
    assert two is not one
    assert two.agreed(second, False) is second  # nothing blanked: the clause itself, not a copy
    assert two.agreed(second, True) is second
    assert one.agreed(first, True) is first  # a purpose recital counts when the requirement says so


def test_an_edited_clause_is_read_again() -> None:
    clause = _clause(TERM, ["Police Department Responsibilities"])
    cache = views.views_for(_document(TERM, "edited"), [clause])
    assert cache.view(clause) == (
        f"Police Department Responsibilities: {TERM}",
        "Police Department Responsibilities",
    )
    clause.text = RECITAL
    clause.heading_path = ["Definitions"]
    assert cache.view(clause) == (None, "Definitions")
    assert cache.agreed(clause, False).text.strip() == ""


def test_sentence_hits_are_keyed_by_text() -> None:
    pattern = re.compile(r"\bferpa\b", re.I)
    cache = views.views_for(
        _document(TERM + " " + RECITAL, "hits"), [_clause(TERM), _clause(RECITAL, clause_id="c2")]
    )
    assert cache.sentence_hits(pattern, TERM) == {0: (21, 26)}
    assert cache.sentence_hits(pattern, RECITAL) == {}
    other = "Records stay private. FERPA applies."  # not a clause of the document: searched as given
    assert cache.sentence_hits(pattern, other) == {1: (22, 27)}


def test_a_reviewed_document_does_not_change_the_next_ones_findings() -> None:
    """Two documents whose clauses share ids and headings: each document's findings are the same
    whether or not the other was reviewed first (the caches follow the document)."""
    a = _document(
        "1. Student records are protected under the Family Educational Rights and Privacy Act.", "a"
    )
    b = _document("1. Student records shall be kept confidential in accordance with applicable law.", "b")
    checklist = load_checklist()
    reviewer = OfflineReviewer()

    def review(document: Document) -> list[tuple[object, list[str]]]:
        clauses = segment(document)
        return [reviewer.review(document, r, [], clauses) for r in checklist.requirements]

    alone = review(_document(b.text, "b"))
    review(a)
    after = review(b)
    assert [(f.model_dump(), q) for f, q in after] == [(f.model_dump(), q) for f, q in alone]  # type: ignore[attr-defined]
    ferpa = checklist.ids.index("ferpa_privacy")
    assert after[ferpa][0].status is Status.weak  # type: ignore[attr-defined]


def _patterns() -> list[re.Pattern[str]]:
    return [re.compile(p, re.I) for p in packaged_patterns()]


def _corpus_clauses() -> list[str]:
    from pathlib import Path

    from mou_review.documents import load_document

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    texts = [
        "afoo bar. Foo baz",  # a part next to a word character: searched as a slice
        "The SRO shall not enforce school rules.\n\nRecords under FERPA (34 C.F.R. Part 99) stay.",
    ]
    for name in ("calder_ridge_wa_2022.docx", "oxbend_ks_1996.txt"):
        texts += [c.text for c in segment(load_document(corpus / name))]
    return texts


def test_part_spans_are_the_slices_own_matches() -> None:
    """For every checklist pattern on real clauses, the spans `part_spans` gives are those of
    `pattern.search(slice)`, shifted: for the sentences, and for parts that touch a word."""
    texts = _corpus_clauses()
    index = MatchIndex(texts)
    for text in texts:
        sentences = sentence_spans(text)
        odd = [(1, min(4, len(text))), (0, len(text) // 2)]  # parts that may cut a word
        for parts, flag in ((sentences, bounded(text, sentences)), (odd, False)):
            for pattern in _patterns():
                want = {}
                for j, (s, e) in enumerate(parts):
                    if m := pattern.search(text[s:e]):
                        want[j] = (s + m.start(), s + m.end())
                assert index.part_spans(pattern, text, parts, flag) == want, (pattern.pattern, text)


def test_sentences_never_touch_a_word_character() -> None:
    """What `part_spans` and `set_aside` rely on to skip work, on real clauses."""
    assert all(bounded(text, sentence_spans(text)) for text in _corpus_clauses())
    assert not bounded("afoo bar", [(1, 4)])


def test_set_aside_skips_only_texts_with_nothing_to_set_aside() -> None:
    texts = [
        *_corpus_clauses(),
        RECITAL,
        "  WHEREAS, the parties agree.",  # a recital after leading blanks: not one (spans start at 2)
        "The COPS Office recommends that agreements address FERPA. The SRO shall follow it.",
        "This agreement fully complies with state law. The SRO shall follow FERPA.",
    ]
    for text in texts:
        for recitals_count in (False, True):
            kind, spans = set_aside(text, recitals_count)
            if kind is None:
                assert spans == _aside_sentences(text, recitals_count), text
