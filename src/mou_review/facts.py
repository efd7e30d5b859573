"""Facts as data: dates, renewal, review cycle, cost, officers and training hours read from the text.

Each fact carries what the text says (`value`), a comparable form (`normalized`: ISO dates, USD
amounts, months, counts) and the sentence it came from, located in the document (offsets, page).
A fact the text does not state is None: nothing here guesses or computes a value the text lacks.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date

from .models import Document, Evidence, Fact, Facts, FactValue
from .numbers import MONTHS, NUMBER_WORD, number_value, parse_date
from .reviewers.matcher import Screen, confirm
from .vocabulary import AGENCY_WORDS, sentence_spans

FACT_NAMES = tuple(Facts.model_fields)
# CSV headers for the facts: the district named in the text gets its own header, so it neither
# repeats nor overwrites the manifest's `district` column.
FACT_COLUMNS = tuple("district_in_text" if name == "district" else name for name in FACT_NAMES)
DATE_FACTS = ("effective_date", "term_end")
AMOUNT_FACTS = ("district_share_percent", "district_annual_cost")

# --- sentences ------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


class _Finder:
    """A document's sentences, searched by pattern; builds located facts."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.spans = sentence_spans(document.text)
        # each sentence with its whitespace squashed, once per document rather than per pattern
        self.sentences = [(_squash(document.text[start:end]), start, end) for start, end in self.spans]
        self._screen = Screen(sentence for sentence, _, _ in self.sentences)

    def candidates(self, pattern: re.Pattern[str]) -> Iterator[tuple[str, int, int]]:
        """The sentences `pattern` may match; the others hold none of the words every match needs."""
        for i in self._screen.candidates(pattern):
            yield self.sentences[i]

    def matches(self, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], int, int]]:
        for sentence, start, end in self.candidates(pattern):
            m = confirm(pattern, sentence)
            if m:
                yield m, start, end

    def fact(self, value: str, normalized: FactValue, start: int, end: int) -> Fact:
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        quote = Evidence(
            quote=text[start:end], start=start, end=end, page=self.document.page_at(start), match="exact"
        )
        return Fact(value=_squash(value), normalized=normalized, quote=quote)


# --- patterns -------------------------------------------------------------------------------

_DATE = (
    rf"(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+day\s+of\s+(?:{MONTHS}),?\s+\d{{4}})"
)
_EFFECTIVE = re.compile(
    rf"\b(?:effective|takes?\s+effect|took\s+effect|in\s+effect|commenc\w*|beginning|begins|runs|entered\s+into|made|period)"
    rf"(?:\s+(?:on|as\s+of|from|beginning|commencing|effective))*\s+({_DATE})"
    rf"|\beffective\s+date\b[^.;]{{0,40}}?(?:\bis|:|\bshall\s+be)\s*({_DATE})"
    rf"|({_DATE})\s*\((?:the\s+)?\W*effective\s+date",
    re.I,
)
_END = re.compile(
    rf"\b(?:through|thru|until|ending(?:\s+on)?|ends\s+on|expires?(?:\s+on)?|terminates?\s+on|to)\s+({_DATE})",
    re.I,
)
_TERM_WORDS = re.compile(
    r"\b(term|effect|effective|expire|terminat|extend|renew|period|remain|runs?|continues?)", re.I
)
_AUTO_YES = re.compile(
    r"renew\w*\s+automatically|automatic(ally)?\s+(renew|extend)|automatic\s+renewal"
    r"|(continue|renew\w*)\s+(from\s+)?year\s+to\s+year|successive\s+(one-year\s+)?terms?\s+unless",
    re.I,
)
_AUTO_NO = re.compile(
    r"(may|shall|will|can)\s+(only\s+)?be\s+(renewed|extended)[^.;]{0,80}(written|mutual|both\s+parties|amendment)"
    r"|renew\w*\s+(only\s+)?by\s+(written|mutual)|not\s+(be\s+)?renew\w*\s+automatically|no\s+automatic\s+renewal"
    r"|expires?\s+(on|at)\s+[^.;]{0,40}unless\s+renewed\s+in\s+writing"
    r"|\b(vote|decide|determine)\w*\b[^.;]{0,40}\bwhether\s+to\s+renew",
    re.I,
)
_REVIEW = re.compile(
    r"\breview\w*\s+(?:(?:together|jointly)\s+)?(?:the\s+operation\s+of\s+(?:the\s+[\w\s]{0,20}?program\s+and\s+)?)?"
    r"(?:this|the)\s+(?:mou|memorandum|agreement|contract)\b"
    r"|\b(?:mou|memorandum|agreement)\s+(?:shall|will|must)\s+be\s+reviewed"
    r"|\b(?:annual|yearly)\s+review\s+of\s+(?:this|the)\s+(?:mou|memorandum|agreement)",
    re.I,
)
_CYCLE = (
    (re.compile(r"every\s+(two|2)\s+years|biennial|every\s+other\s+year", re.I), 24),
    (re.compile(r"every\s+(three|3)\s+years", re.I), 36),
    (re.compile(r"every\s+six\s+months|twice\s+(a|each)\s+year|each\s+semester|semi-?annual", re.I), 6),
    (
        re.compile(
            rf"annual|\bevery\s+year|each\s+year|once\s+a\s+year|yearly|each\s+(school\s+)?year"
            rf"|(each|every)\s+(?:{MONTHS}|spring|summer|fall|autumn|winter)\b",
            re.I,
        ),
        12,
    ),
)
_DISTRICT_PAYS = re.compile(
    r"\b(district|board|academy|schools?|committee|division|corporation|school\s+system)\b[^.;]{0,40}?"
    r"\b(shall|will|agrees?\s+to|must)\s+(also\s+)?(pay|reimburse|contribute|fund|bear|be\s+responsible)",
    re.I,
)
_PERCENT = re.compile(
    rf"\((\d{{1,3}})\s*%\)|(\d{{1,3}}(?:\.\d+)?)\s*(?:%|percent\b)|((?:{NUMBER_WORD})(?:[\s-](?:{NUMBER_WORD}))?)\s+percent\b"
    r"|\b(one-half|one\s+half|half)\b(?:\s+\(1/2\))?\s+of",
    re.I,
)
_MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\s*(?:per|an|/)\s*hour)")
_TOTAL = re.compile(r"\btotal\s+(?:of\s+)?(?:[^$]{0,80})\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{2})?", re.I)
_NO_COST = re.compile(
    r"\b(?:at\s+)?no\s+cost\s+to\s+the\s+(?:school\s+)?(?:district|board|academy|school)", re.I
)
_NOT_ANNUAL_COST = re.compile(r"overtime|extra-duty|hourly|per\s+hour|an\s+hour|increase", re.I)
_OFFICERS = rf"(?:(?:{NUMBER_WORD})|(?<![\d.])\d+)(?:\s+\((?:\d+)\))?"
_OFFICER_WORDS = r"(?:(?:full-time|part-time|sworn|certified|police|new|uniformed|additional|commissioned|licensed|grant-funded)\s+){0,3}"
_COUNT = re.compile(
    rf"\b({_OFFICERS})\s+{_OFFICER_WORDS}(?:school\s+resource\s+officers?|SROs?|campus\s+officers?|deput(?:y|ies)|officers?)\b",
    re.I,
)
_PER_PLACE = re.compile(r"[^,.;]{0,40}?\b(?:to|at|for|in)\s+each\b|\s+per\b", re.I)
_THE_COUNT = re.compile(
    rf"\bthe\s+(?:{NUMBER_WORD})\s+(?:SROs|school\s+resource\s+officers|deputies|officers)\b", re.I
)
_COUNT_CONTEXT = re.compile(
    r"\b(assign|provide|station|keep|maintain|furnish|supply|employ|post|deploy|fund)", re.I
)
_HOURS = re.compile(
    rf"\b(?:at\s+least|a\s+minimum\s+of|no\s+(?:fewer|less)\s+than|minimum\s+of)?\s*((?:{NUMBER_WORD})|\d+)"
    rf"(?:\s+\(\d+\))?\s+(?:additional\s+|related\s+|school-related\s+)?hours\s+of\s+(?:[\w-]+\s+){{0,3}}?"
    r"(?:training|instruction)",
    re.I,
)
_YEARLY = re.compile(
    r"each\s+(school\s+)?year|every\s+(school\s+)?year|annual|yearly|per\s+year|in-service", re.I
)
_BASIC = re.compile(r"\bbasic\b|before\s+(beginning|assignment|the\s+assignment|a\s+\w+\s+begins)", re.I)


# --- extractors -----------------------------------------------------------------------------


def _effective_date(find: _Finder) -> Fact | None:
    for m, start, end in find.matches(_EFFECTIVE):
        raw = m.group(1) or m.group(2) or m.group(3)
        parsed = parse_date(raw)
        if parsed:
            return find.fact(raw, parsed.isoformat(), start, end)
    return None


def _term_end(find: _Finder) -> Fact | None:
    """The latest end date any term sentence gives (a renewal's end, not the recited old one)."""
    best: tuple[date, str, int, int] | None = None
    for sentence, start, end in find.candidates(_TERM_WORDS):
        if not _TERM_WORDS.search(sentence):
            continue
        for m in _END.finditer(sentence):
            parsed = parse_date(m.group(1))
            if parsed and (best is None or parsed > best[0]):
                best = (parsed, m.group(1), start, end)
    return find.fact(best[1], best[0].isoformat(), best[2], best[3]) if best else None


def _auto_renews(find: _Finder) -> Fact | None:
    for pattern, value in ((_AUTO_YES, True), (_AUTO_NO, False)):
        for m, start, end in find.matches(pattern):
            if value and re.search(r"\bnot\b[^.]{0,20}$", m.string[: m.start()]):
                continue
            return find.fact(m.group(0), value, start, end)
    return None


def _review_cycle(find: _Finder) -> Fact | None:
    """How often the MOU itself is reviewed: a sentence whose review is of this MOU and says when."""
    for m, start, end in find.matches(_REVIEW):
        sentence = m.string
        for pattern, months in _CYCLE:
            cycle = pattern.search(sentence)
            if cycle:
                return find.fact(cycle.group(0), months, start, end)
    return None


def _no_cost(find: _Finder) -> Fact | None:
    """'there is no cost to the school district': the text states a share and a cost of zero."""
    for m, start, end in find.matches(_NO_COST):
        return find.fact(m.group(0), 0, start, end)
    return None


def _share_percent(find: _Finder) -> Fact | None:
    if free := _no_cost(find):
        return free
    for m, start, end in find.matches(_DISTRICT_PAYS):
        after = m.string[m.start() :]
        if not re.search(r"salar|wage|cost|benefit|compensation", after, re.I):
            continue
        for p in _PERCENT.finditer(after):
            if re.search(r"increase\w*\s+(by\s+)?$", after[: p.start()], re.I):
                continue
            value = _percent_value(p)
            if value is not None:
                return find.fact(p.group(0).removesuffix(" of"), value, start, end)
    return None


def _percent_value(p: re.Match[str]) -> float | int | None:
    if p.group(1) or p.group(2):
        number = float(p.group(1) or p.group(2))
        return int(number) if number.is_integer() else number
    if p.group(3):
        return number_value(p.group(3))
    return 50


def _annual_cost(find: _Finder) -> Fact | None:
    if free := _no_cost(find):
        return free
    for m, start, end in find.matches(_DISTRICT_PAYS):
        after = m.string[m.start() :]
        total = _TOTAL.search(after)
        money = total or _MONEY.search(after)
        if money is None or _NOT_ANNUAL_COST.search(after[: money.start()]):
            continue
        digits = money.group(1).replace(",", "")
        amount = float(digits) if len(digits) >= 3 else None
        if amount:
            shown = money.group(0)[money.group(0).index("$") :]
            return find.fact(shown, int(amount) if amount.is_integer() else amount, start, end)
    return None


def _sro_count(find: _Finder) -> Fact | None:
    """'assign two SROs', 'the three SROs'; 'one SRO to X and one SRO to Y' counts both."""
    for sentence, start, end in find.candidates(_COUNT):  # a sentence without a count has no match
        found = [m for m in _COUNT.finditer(sentence) if not _PER_PLACE.match(sentence, m.end())]
        if not found or not (_COUNT_CONTEXT.search(sentence) or _THE_COUNT.search(sentence)):
            continue
        values = [number_value(m.group(1)) or 0 for m in found]
        value = len(values) if len(values) > 1 and set(values) == {1} else values[0]
        if 0 < value < 100:
            return find.fact(found[0].group(0), value, start, end)
    return None


def _training_hours(find: _Finder) -> Fact | None:
    for sentence, start, end in find.sentences:
        if "hour" not in sentence.lower():  # _HOURS needs the word; its search is slow everywhere
            continue
        for m in _HOURS.finditer(sentence):
            if _YEARLY.search(sentence) and not (
                _BASIC.search(sentence) and not _YEARLY.search(sentence[m.start() :])
            ):
                value = number_value(m.group(1))
                if value:
                    return find.fact(m.group(0).strip(), value, start, end)
    return None


def _party(find: _Finder, name: str | None) -> Fact | None:
    """A party name from the document's metadata, located where the text first names it."""
    if not name:
        return None
    name = _TITLE_PREFIX.sub("", name)
    words = [re.escape(w) for w in name.split()]
    m = re.search(r"\s+".join(words), find.document.text, re.I)
    if m is None:
        return None
    for start, end in find.spans:
        if start <= m.start() < end:
            return find.fact(name, _squash(name), start, end)
    return None


_TITLE_PREFIX = re.compile(r"^(?:(?:Superintendent|Chief|Director|Dr\.|Re:)\s+)+")
EXTRACTORS: dict[str, Callable[[_Finder], Fact | None]] = {
    "effective_date": _effective_date,
    "term_end": _term_end,
    "auto_renews": _auto_renews,
    "review_cycle_months": _review_cycle,
    "district_share_percent": _share_percent,
    "district_annual_cost": _annual_cost,
    "sro_count": _sro_count,
    "training_hours": _training_hours,
}


def review_due(facts: Facts | None) -> date | None:
    """The first date the text schedules a look at the MOU: the end of its term, or its first review
    (effective date plus the review cycle), whichever comes first; None when it schedules neither."""
    if facts is None:
        return None
    values = facts.normalized()
    due = []
    if isinstance(values["term_end"], str):
        due.append(date.fromisoformat(values["term_end"]))
    effective, months = values["effective_date"], values["review_cycle_months"]
    if isinstance(effective, str) and isinstance(months, int) and not isinstance(months, bool):
        start = date.fromisoformat(effective)
        month = start.month - 1 + months
        year, month = start.year + month // 12, month % 12 + 1
        due.append(date(year, month, min(start.day, calendar.monthrange(year, month)[1])))
    return min(due) if due else None


def extract_facts(document: Document) -> Facts:
    """Every fact the text states, each located; parties come from the document's metadata."""
    find = _Finder(document)
    found = {name: extract(find) for name, extract in EXTRACTORS.items()}
    parties = document.info.parties
    agency = next((p for p in parties if AGENCY_WORDS.search(p)), None)
    district = next((p for p in parties if not AGENCY_WORDS.search(p)), None)
    return Facts(**found, agency=_party(find, agency), district=_party(find, district))
