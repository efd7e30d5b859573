"""The clause library: model language per requirement, filled with the agreement's own parties.

Party names come from the document's metadata and text, but only when they check out (found in
the text, not a generic phrase): a suggestion that names the wrong party is worse than one that says
"the Police Department", so a doubtful name falls back to the agreement's defined term or a generic
role ("the Police Department" or "the Sheriff's Office", "the District").
"""

from __future__ import annotations

import datetime as dt
import re
import string
from functools import lru_cache

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from ..config import DEFAULT_CHECKLIST
from ..errors import ConfigError
from ..models import Document, DocumentInfo
from ..prompt_templates import prompts_dir
from ..vocabulary import AGENCY_WORDS, DISTRICT_WORDS

KNOWN_PLACEHOLDERS = frozenset(
    {
        "agency",
        "district",
        "agency_short",
        "district_short",
        "chief_title",
        "superintendent",
        "effective_date",
    }
)


class ModelClause(BaseModel):
    """One requirement's model language and the checklist source a comment cites."""

    id: str
    heading: str
    text: str
    source: str
    headings: list[str] = Field(
        default_factory=list, description="patterns for an agreement's own heading on this topic"
    )
    contradicts: list[str] = Field(
        default_factory=list, description="language the clause contradicts, struck besides the checklist's"
    )

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        unknown = placeholders_in(text) - KNOWN_PLACEHOLDERS
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; known: {sorted(KNOWN_PLACEHOLDERS)}")
        return text


class ClauseLibrary(BaseModel):
    checklist: str
    version: int = 1
    placeholders: dict[str, str] = Field(default_factory=dict)
    clauses: list[ModelClause] = Field(min_length=1)

    def get(self, requirement_id: str) -> ModelClause | None:
        return next((c for c in self.clauses if c.id == requirement_id), None)


class Parties(BaseModel):
    """How a suggested clause names the agreement's parties and officials."""

    agency: str = "the Agency"
    district: str = "the District"
    agency_short: str = "the Agency"
    district_short: str = "the District"
    chief_title: str = "Chief of Police"
    superintendent: str = "Superintendent"
    effective_date: str = Field(default_factory=lambda: f"[July 1, {dt.date.today().year}]")


def placeholders_in(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@lru_cache(maxsize=8)
def load_library(checklist_id: str = DEFAULT_CHECKLIST) -> ClauseLibrary:
    """The packaged clause library for a checklist id, validated."""
    path = prompts_dir() / "redlines" / f"{checklist_id}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"no redline clause library for checklist {checklist_id!r}",
            hint=f"add prompts/redlines/{checklist_id}.yaml",
        )
    try:
        return ClauseLibrary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: invalid clause library ({exc})") from exc


def fill(clause: ModelClause, parties: Parties) -> str:
    """The clause text with every placeholder replaced; "the" that opens a sentence is capitalised."""
    text = clause.text.format(**parties.model_dump())
    return _SENTENCE_THE.sub(lambda m: m.group(1) + "The", text)


_SENTENCE_THE = re.compile(r"(^|(?<!e\.g)(?<!i\.e)[.!?]\s+|\n)the\b", re.MULTILINE)


# --- who the parties are -------------------------------------------------------------------------

_GENERIC = frozenset(
    [
        "the",
        "of",
        "and",
        "no",
        "no.",
        "unified",
        "independent",
        "consolidated",
        "school",
        "schools",
        "district",
        "public",
        "city",
        "county",
        "board",
        "education",
        "community",
        "area",
        "local",
        "central",
        "regional",
        "isd",
        "usd",
        "police",
        "department",
        "sheriff's",
        "sheriffs",
        "office",
        "village",
        "town",
        "borough",
        "township",
    ]
)
_NOT_A_FIRST_WORD = frozenset(
    [
        "school",
        "resource",
        "officer",
        "officers",
        "program",
        "services",
        "superintendent",
        "memorandum",
        "agreement",
        "between",
    ]
)
_DEFINED = re.compile(
    r"\(([^()]{2,60})\)|hereinafter\s+(?:called|referred\s+to\s+as)\s+(?:the\s+)?[\"“]?([A-Za-z][A-Za-z' ]{1,28}?)[\"”]?(?=[,.;:)]|\s+and\b)",
    re.I,
)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,28})[\"“”]")
# Preferred first: a party's own kind of name beats the city or village that signs for it.
_AGENCY_TERMS = ("department", "sheriff's office", "office", "agency", "city", "village", "borough", "town")
_DISTRICT_TERMS = (
    "district",
    "board",
    "academy",
    "school system",
    "school corporation",
    "schools",
    "school district",
)
_ACRONYM = re.compile(r"^[A-Z]{1,5}(?:PD|SO)$")
_SCHOOL_OFFICIALS = ("Superintendent", "Director of Schools", "Head of School", "Executive Director")


def parties_from(document: Document, manifest_row: dict[str, str] | None = None) -> Parties:
    """Parties and officials for `document`: checked names, else defined terms, else generic roles."""
    text = document.text
    info = document.info
    row = manifest_row or {}
    agency_short, district_short = _defined_terms(text[:6000])
    agency = _checked_name(
        [row.get("agency"), *[p for p in info.parties if AGENCY_WORDS.search(p)]], text, AGENCY_WORDS
    )
    district = _checked_name(
        [info.district, row.get("district"), *[p for p in info.parties if not AGENCY_WORDS.search(p)]],
        text,
        DISTRICT_WORDS,
    )
    chief = _chief_title(agency or "", text)
    agency_short = (
        agency_short or agency or ("the Sheriff's Office" if chief == "Sheriff" else "the Police Department")
    )
    district_short = district_short or district or "the District"
    return Parties(
        agency=_with_article(agency) if agency else agency_short,
        district=_with_article(district) if district else district_short,
        agency_short=agency_short,
        district_short=district_short,
        chief_title=chief,
        superintendent=next((t for t in _SCHOOL_OFFICIALS if re.search(t, text, re.I)), "Superintendent"),
        effective_date=_effective_date(info),
    )


def _effective_date(info: DocumentInfo) -> str:
    """The agreement's own effective date, else a blank for the drafter that still names a year."""
    if info.effective_date and re.search(r"\b(19|20)\d\d\b", info.effective_date):
        return info.effective_date
    year = info.year or dt.date.today().year
    return f"[July 1, {year}]"


def _with_article(name: str) -> str:
    """ "the Calder Ridge Police Department": how an agreement names a party mid-sentence."""
    return name if name.lower().startswith("the ") or _ACRONYM.match(name) else f"the {name}"


def _checked_name(candidates: list[str | None], text: str, kind: re.Pattern[str]) -> str | None:
    """The first candidate (or part of one, e.g. of "X Schools, ISD 927") written in the text as a name."""
    flat = " ".join(text.split()).lower()
    pieces = [piece for c in candidates if c for piece in (c, *re.split(r"\s*[,;()]\s*", c))]
    for candidate in pieces:
        name = " ".join(candidate.split())
        words = name.lower().split()
        if not words or words[0] in _NOT_A_FIRST_WORD or not kind.search(name):
            continue
        if all(w in _GENERIC or w.isdigit() for w in words):
            continue
        if name.lower() in flat:
            return name if not name.isupper() else name.title()
    return None


def _defined_terms(head: str) -> tuple[str | None, str | None]:
    """The short names the agreement defines for itself, e.g. (the "Department"), ("RVPD")."""
    terms = []
    for match in _DEFINED.finditer(head):
        inner = match.group(1)
        if inner is None:
            terms.append(match.group(2))
        else:
            quoted = _QUOTED.findall(inner)
            terms.extend(quoted or [re.sub(r"^(?:the|hereinafter)\s+", "", inner.strip(), flags=re.I)])
    cleaned = [" ".join(re.sub(r"^the\s+", "", t.strip(), flags=re.I).split()) for t in terms]
    acronym = next((t for t in cleaned if _ACRONYM.match(t)), None)
    agency = acronym or _best_term(cleaned, _AGENCY_TERMS)
    return agency, _best_term(cleaned, _DISTRICT_TERMS)


def _best_term(terms: list[str], preferred: tuple[str, ...]) -> str | None:
    found = {t.lower(): t for t in terms}
    key = next((k for k in preferred if k in found), None)
    return f"the {_title(found[key])}" if key else None


def _title(term: str) -> str:
    return term.title().replace("'S", "'s") if term.isupper() or term.islower() else term


def _chief_title(agency: str, text: str) -> str:
    if re.search(r"sheriff", agency, re.I):
        return "Sheriff"
    if not agency and re.search(r"\bsheriff\b", text, re.I) and not re.search(r"chief of police", text, re.I):
        return "Sheriff"
    return "Chief of Police"
