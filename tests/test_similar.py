"""`similar`: corpus-wide clause search grouped by district, every hit located in its document."""

from __future__ import annotations

from mou_review.similar import district_of, similar
from mou_review.store import ClauseStore

QUERY = "SRO shall not enforce school rules"


def test_hits_are_ranked_grouped_by_district_and_located(corpus_store: ClauseStore) -> None:
    groups = similar(corpus_store, QUERY, 10)

    hits = [hit for group in groups for hit in group.hits]
    assert sorted(h.rank for h in hits) == list(range(1, 11))
    assert [g.hits[0].rank for g in groups] == sorted(g.hits[0].rank for g in groups), "groups by best hit"
    assert len({g.district for g in groups}) == len(groups) > 1
    infos = {d.info.doc_id: d.info for d in corpus_store.list_documents()}
    for group in groups:
        for hit in group.hits:
            assert district_of(infos[hit.doc_id], hit.doc_id) == group.district
            document = corpus_store.get_document(hit.doc_id)
            assert document is not None and document.text[hit.start : hit.end] == hit.text
    best = groups[0].hits[0].text.lower()
    assert "school rules" in best or "discipline" in best


def test_k_limits_the_hits(corpus_store: ClauseStore) -> None:
    groups = similar(corpus_store, "FERPA education records", 3)
    assert sum(len(g.hits) for g in groups) == 3
    assert any("ferpa" in h.text.lower() for g in groups for h in g.hits)
