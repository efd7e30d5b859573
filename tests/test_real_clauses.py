"""The real-clause set (evals/real/clauses.jsonl) is well formed and split by source document."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = ROOT / "evals" / "real" / "clauses.jsonl"
CHECKLIST = ROOT / "src" / "mou_review" / "checklists" / "cops-nasro.yaml"
REQUIRED = {"id", "text", "source", "source_group", "query", "labels", "split"}
QUALITIES = {"explicit", "partial", "vague", "contrary"}


def _script():
    spec = importlib.util.spec_from_file_location("real_clauses", ROOT / "scripts" / "real_clauses.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in CLAUSES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_schema_and_known_requirements(rows):
    known = {item["id"] for item in yaml.safe_load(CHECKLIST.read_text())["requirements"]}
    for row in rows:
        assert REQUIRED <= set(row) <= REQUIRED | {"note"}, row["id"]
        assert row["id"][0] == "r" and row["id"][1:].isdigit(), row["id"]
        assert row["text"].strip() and row["source"].startswith("http") and row["query"], row["id"]
        assert row["split"] in ("dev", "test"), row["id"]
        assert isinstance(row["labels"], dict), row["id"]
        assert set(row["labels"]) <= known, (row["id"], set(row["labels"]) - known)
        assert set(row["labels"].values()) <= QUALITIES, row["id"]


def test_ids_and_texts_are_unique(rows):
    assert len({row["id"] for row in rows}) == len(rows)
    texts = Counter(" ".join(row["text"].split()).lower() for row in rows)
    assert [t[:60] for t, n in texts.items() if n > 1] == []


def test_every_source_group_is_in_one_split(rows):
    splits: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        splits[row["source_group"]].add(row["split"])
    assert {g: s for g, s in splits.items() if len(s) > 1} == {}
    assert {"dev", "test"} <= {row["split"] for row in rows}


def test_split_follows_the_hash_unless_overridden(rows):
    overrides = _script().SPLIT_OVERRIDES
    for row in rows:
        group = row["source_group"]
        hashed = "dev" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "test"
        assert row["split"] == overrides.get(group, hashed), row["id"]


def test_pages_of_one_document_share_a_group():
    group = _script().source_group
    pages = [f"http://weblink.cityofpleasantonca.gov/WebLink/0/doc/296416/Page{n}.aspx" for n in (6, 17)]
    assert group(pages[0]) == group(pages[1]) == "weblink.cityofpleasantonca.gov:doc296416"
    assert group("https://lawinsider.com/clause/sro/_1") != group("https://lawinsider.com/clause/sro/_2")
    docview = "https://records.lexingtonma.gov/WebLink/DocView.aspx?dbid=0&id={}&repo=TownOfLexington"
    assert group(docview.format(421632)) != group(docview.format(421633))


def test_seed_rows_are_all_present(rows):
    seed = [row for row in rows if row["query"] == "shared/real_clauses.jsonl"]
    assert len(seed) == 107
    assert [row["id"] for row in seed] == [f"r{n:04d}" for n in range(1, 108)]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i : i + 6]) for i in range(len(words) - 5)}


def test_no_near_duplicate_text_across_splits(rows):
    """Versions of one agreement share wording; they must share a group, hence a split."""
    shingled = [(row, _shingles(row["text"])) for row in rows]
    leaks = []
    for i, (a, sa) in enumerate(shingled):
        for b, sb in shingled[i + 1 :]:
            if a["split"] != b["split"] and sa and sb and len(sa & sb) / min(len(sa), len(sb)) > 0.5:
                leaks.append((a["id"], b["id"]))
    assert leaks == []
