"""One pipeline: review, triage and eval see the same document the same way, even after the code
that builds the stored index changes, and a store is never read with the wrong embedding model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from typer.testing import CliRunner

import mou_review.evaluate as evaluate
import mou_review.segment as segment_module
import mou_review.versions as versions
from mou_review.cli import app
from mou_review.config import Settings
from mou_review.models import DocumentReview
from mou_review.store import ClauseStore

ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}
NAME = "calder_ridge_wa_2022"


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def _findings(review: DocumentReview) -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    return [
        (f.requirement_id, f.status.value, [(e.quote, e.start, e.end) for e in f.evidence])
        for f in review.findings
    ]


def _three_ways(tmp_path: Path, folder: Path, store: Path, gold: Path) -> list[DocumentReview]:
    """The same file through `review`, `triage` (indexing into `store`) and `eval`."""
    file = folder / f"{NAME}.docx"
    review = DocumentReview.model_validate_json(
        run("review", file, "-f", "json", "-b", "offline", "--store", store)
    )
    out = tmp_path / f"triage-{len(list(tmp_path.glob('triage-*')))}"
    run("triage", folder, "--out", out, "--store", store, "-b", "offline", "-j", "1")
    (triaged,) = [
        DocumentReview.model_validate_json(p.read_bytes()) for p in (out / "reviews").glob("*.json")
    ]
    seen: list[DocumentReview] = []
    original = evaluate.score

    def capture(golds, reviews, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(reviews)
        return original(golds, reviews, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluate, "score", capture)
        run("eval", gold, "-b", "offline", "-f", "json")
    return [review, triaged, *seen]


@pytest.fixture
def corpus_copy(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / f"{NAME}.docx", folder)
    shutil.copy(ROOT / "corpus" / "manifest.csv", folder)
    gold = tmp_path / "gold"
    gold.mkdir()
    text = (ROOT / "evals" / "gold" / f"{NAME}.yaml").read_text(encoding="utf-8")
    (gold / f"{NAME}.yaml").write_text(text.replace("corpus/", f"{folder}/"), encoding="utf-8")
    return folder, gold


def test_review_triage_and_eval_agree_before_and_after_a_segmenter_change(
    tmp_path: Path, corpus_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, gold = corpus_copy
    store = tmp_path / "store"
    before = _three_ways(tmp_path, folder, store, gold)
    assert _findings(before[0]) == _findings(before[1]) == _findings(before[2])
    clauses_before = ClauseStore(Settings(store_dir=store)).clauses.count()

    # a new segmenter: smaller windows (more clauses), and the code digest that names the index moves
    real_digest = versions.source_digest
    monkeypatch.setattr(segment_module, "MAX_CLAUSE_CHARS", 500)
    monkeypatch.setattr(segment_module, "WINDOW_CHARS", 300)
    monkeypatch.setattr(
        versions, "source_digest", lambda names, folders=(): "new-" + real_digest(names, folders)
    )
    after = _three_ways(tmp_path, folder, store, gold)
    assert _findings(after[0]) == _findings(after[1]) == _findings(after[2])
    assert after[0].rules != before[0].rules  # the finished triage review was redone, not reused

    reopened = ClauseStore(Settings(store_dir=store))
    (doc_id,) = reopened.document_ids()
    clauses, _ = reopened.get_clauses(doc_id)
    assert len(clauses) > clauses_before  # the store holds the new segmentation ...
    assert sum(reopened.stale_indexes().values()) == 1  # ... and knows the old index is stale
    hits = json.loads(run("search", "who supervises the SRO", "--store", store, "-f", "json"))
    assert {h["doc_id"] for h in hits} == {doc_id}


class SmallEmbedder:
    """Stands in for a remote embedding API (the network edge): 64-d vectors from word hashes."""

    name = "test-64"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hash(word) % 64] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_switching_the_embedding_model_on_an_existing_store_does_not_crash(
    tmp_path: Path, corpus_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = corpus_copy
    store = tmp_path / "store"
    run("ingest", folder, "--store", store)
    import mou_review.embeddings as embeddings
    import mou_review.ingest as ingest

    real = embeddings.get_embedder

    def fake(name: str = "wordllama") -> object:
        return SmallEmbedder() if name == "openai" else real(name)

    monkeypatch.setattr(embeddings, "get_embedder", fake)
    monkeypatch.setattr(ingest, "get_embedder", fake)
    switched = {**ENV, "MOU_REVIEW_EMBEDDING": "openai"}
    stale = CliRunner().invoke(app, ["search", "supervision", "--store", str(store)], env=switched)
    assert stale.exit_code == 2
    (line,) = [ln for ln in stale.output.splitlines() if ln.startswith("error:")]
    assert "indexed by an older version or another embedding model" in line
    review = CliRunner().invoke(app, ["review", str(folder / f"{NAME}.docx"), "-f", "json"], env=switched)
    assert review.exit_code == 0, review.output
    assert len(json.loads(review.stdout)["findings"]) == 22
    reindexed = CliRunner().invoke(app, ["ingest", str(folder), "--store", str(store)], env=switched)
    assert reindexed.exit_code == 0, reindexed.output
    assert "added 1 document(s)" in reindexed.output and "indexed by an older version" in reindexed.output
    hits = CliRunner().invoke(
        app, ["search", "supervision", "--store", str(store), "-f", "json"], env=switched
    )
    assert hits.exit_code == 0, hits.output
    assert json.loads(hits.stdout)


def test_every_module_named_in_a_version_key_exists() -> None:
    """source_digest skips a file it cannot find, so a misspelt or moved module would silently
    stop moving the key: the index and rules keys must name real files."""
    from importlib import resources

    package = resources.files("mou_review")
    missing = [n for n in (*versions.INDEX_MODULES, *versions.RULE_MODULES) if not (package / n).is_file()]
    assert missing == []
    assert "store_records.py" in versions.INDEX_MODULES  # how records are read back is part of the index
