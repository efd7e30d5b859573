"""Title, parties and effective date read from the text, merged with an optional manifest.csv."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .models import DocumentInfo
from .reviewers.matcher import confirm
from .vocabulary import AGENCY_WORDS

_NOT_A_NAME = r"(?!(?:Police|Department|Sheriff'?s?|Office|Between|And|This|Memorandum|Understanding|Agreement|Program|Services|Resource|Officers?|MOU)\b)"
_WORD = rf"{_NOT_A_NAME}(?:[A-Z][a-z][A-Za-z.'&-]*|[A-Z]\.?|St\.)"
_CAP = rf"(?:{_WORD}|of)"
_AGENCY = re.compile(
    rf"(?<![A-Za-z])((?:{_WORD}\s+)(?:{_CAP}\s+){{0,5}}?"
    r"(?:Police\s+Department|Sheriff'?s\s+Office|Sheriff'?s\s+Department|Department\s+of\s+Public\s+Safety|"
    r"Police\s+Bureau|Public\s+Safety\s+Department|Police\s+Division|Division\s+of\s+Police|Police\s+Dept\.?))\b"
)
# "the City of Oxbend, Kansas, by and through its Police Department": the agency named through its city
_AGENCY_THROUGH = re.compile(
    r"\b(?:City|Village|Borough|Town|Township|County)\s+of\s+((?:[A-Z][a-z]+\s+){0,3}[A-Z][a-z]+)"
    r"(?:,\s+[A-Z][a-z]+)?[^.;]{0,40}?\b(?:on\s+behalf\s+of|by\s+and\s+through|acting\s+through|through)\s+its\s+"
    r"(Police\s+Department|Division\s+of\s+Police|Police\s+Division|Sheriff'?s\s+Office)"
)
_DISTRICT = re.compile(
    rf"(?<![A-Za-z])((?:{_WORD}\s+)(?:{_CAP}\s+){{0,6}}?"
    r"(?:Unified\s+School\s+District|School\s+District|Public\s+Schools|Board\s+of\s+Education|"
    r"School\s+Board|School\s+Committee|Charter\s+School|Regional\s+Schools|School\s+Corporation|Schools|Academy)"
    r"(?:\s+No\.\s*\d+)?)(?![A-Za-z])"
)
# "the School District of Corran Lake": the district named after its kind
_DISTRICT_OF = re.compile(r"\b(School\s+District\s+of\s+(?:[A-Z][a-z]+\s+){0,3}[A-Z][a-z]+)")
_LEADING_NOISE = re.compile(
    r"^(?:(?:The|the|This|Between|between|And|and|By|by|Of|of|With|with)\s+"
    r"|School\s+Resource\s+Officers?\s+(?:Program|Services|Agreement)\s+)+"
)
_ALL_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'\u2019]+\b")
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    rf"|the\s+\w+\s+day\s+of\s+{_MONTH},?\s+\d{{4}})"
)
_EFFECTIVE = re.compile(
    rf"(?:(?:become\s+)?effective\s+(?:as\s+of\s+|on\s+|beginning\s+|from\s+)?|take\s+effect\s+(?:on\s+)?|"
    rf"effective\s+date[^.\n]{{0,40}}?(?:is|:|shall\s+be)\s*)({_DATE})"
    rf"|(?:as\s+of|dated|on)\s+({_DATE})[,\s]*\((?:the\s+)?\W*effective\s+date",
    re.IGNORECASE,
)
_PARTY_LINE = re.compile(
    r"^(?:by\s+and\s+)?between\b|^and\b"
    r"|^(?:the\s+)?[A-Z][\w' ]+(?:Department|District|Office|Schools?)$",
    re.I,
)
_TITLE_WORDS = re.compile(r"memorandum|agreement|\bMOU\b|\bMOA\b|contract", re.IGNORECASE)


def extract_metadata(
    text: str, info: DocumentInfo, *, manifest: dict[str, dict[str, str]] | None = None
) -> DocumentInfo:
    """Fill title, parties and effective date from the text, then overlay manifest fields."""
    head = text[:4000]
    parties = [p for p in (_agency(head) or _agency(text), _district(head) or _district(text)) if p]
    effective = confirm(_EFFECTIVE, text)
    updated = info.model_copy(
        update={
            "title": _title(head),
            "parties": parties,
            "effective_date": " ".join((effective.group(1) or effective.group(2)).split())
            if effective
            else None,
        }
    )
    row = (manifest or {}).get(Path(info.path).name)
    return _merge_manifest(updated, row) if row else updated


def _agency(text: str) -> str | None:
    through = confirm(_AGENCY_THROUGH, text)
    named = (through.start(), f"{_squash(through.group(1))} {_squash(through.group(2))}") if through else None
    return _party(_AGENCY, text, named)


def _district(text: str) -> str | None:
    named_of = confirm(_DISTRICT_OF, text)
    return _party(_DISTRICT, text, (named_of.start(), _squash(named_of.group(1))) if named_of else None)


def _party(pattern: re.Pattern[str], text: str, phrased: tuple[int, str] | None) -> str | None:
    """The first name `pattern` finds (in all-caps text too), unless a name phrased another way
    ("the City of X, through its Police Department") comes earlier."""
    found = _first(pattern, text) or _first(pattern, _title_case(text))
    if phrased and (found is None or phrased[0] <= text.find(found.split()[0])):
        return phrased[1]
    return found


def _squash(name: str) -> str:
    return " ".join(name.split())


def _title_case(text: str) -> str:
    """LEGACY ALL-CAPS NAMES as Title Case (same length, so positions still line up)."""
    return _ALL_CAPS_WORD.sub(lambda m: m.group(0)[0] + m.group(0)[1:].lower(), text)


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    for m in pattern.finditer(text):
        name = _LEADING_NOISE.sub("", " ".join(m.group(1).split()))
        if len(name.split()) >= 2:
            return name
    return None


def _title(head: str) -> str | None:
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    for i, line in enumerate(lines[:15]):
        if _TITLE_WORDS.search(line) and len(line) <= 160:
            parts = [line]
            for nxt in lines[i + 1 : i + 4]:
                if _PARTY_LINE.match(nxt) and len(nxt) <= 120:
                    parts.append(nxt)
                else:
                    break
            return " ".join(parts)
    return lines[0][:160] if lines else None


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """manifest.csv beside the files, keyed by file name (empty when there is none)."""
    path = folder / "manifest.csv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {row["file"]: row for row in csv.DictReader(fh) if row.get("file")}


def _merge_manifest(info: DocumentInfo, row: dict[str, str]) -> DocumentInfo:
    year = row.get("year", "").strip()
    agency = next((p for p in info.parties if AGENCY_WORDS.search(p)), None) or row.get("agency")
    district = next((p for p in info.parties if not AGENCY_WORDS.search(p)), None) or row.get("district")
    parties = [p for p in (agency, district) if p]  # a role the text does not name comes from the manifest
    return info.model_copy(
        update={
            "district": row.get("district") or info.district,
            "state": row.get("state") or info.state,
            "year": int(year) if year.isdigit() else info.year,
            "split": row.get("split") or info.split,
            "nces_id": (row.get("nces_id") or "").strip() or info.nces_id,
            "title": info.title or row.get("title"),
            "parties": parties,
        }
    )
