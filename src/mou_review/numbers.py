"""Numbers and dates as contracts write them: 'sixteen (16)', 'one-half', 'the 1st day of July, 2016'."""

from __future__ import annotations

import re
from datetime import date

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTHS = (
    "|".join(m.capitalize() for m in _MONTH_NAMES) + "|" + "|".join(m[:3].capitalize() for m in _MONTH_NAMES)
)
_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORD_VALUE["hundred"] = 100
NUMBER_WORD = "|".join(sorted(_WORD_VALUE, key=len, reverse=True))


def number_value(text: str) -> int | None:
    """'16', 'sixteen', 'seventy-five', 'one hundred', 'three (3)' as an int; None if not a number."""
    text = text.strip().lower()
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group(0))
    total = 0
    for word in re.split(r"[\s-]+", text):
        if word not in _WORD_VALUE:
            return None
        value = _WORD_VALUE[word]
        total = total * 100 if value == 100 and total else total + value
    return total or None


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")[:3]
    return next((i + 1 for i, m in enumerate(_MONTH_NAMES) if m[:3] == key), None)


def parse_date(text: str) -> date | None:
    """'September 1, 2021', '9/1/2021' or 'the 1st day of July, 2016' as a date (None if invalid)."""
    text = " ".join(text.split())
    named = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text)
    day_of = re.fullmatch(
        r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+day\s+of\s+([A-Za-z]+),?\s+(\d{4})", text, re.I
    )
    slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if named and (month := _month(named.group(1))):
            return date(int(named.group(3)), month, int(named.group(2)))
        if day_of and (month := _month(day_of.group(2))):
            return date(int(day_of.group(3)), month, int(day_of.group(1)))
        if slashed:
            return date(int(slashed.group(3)), int(slashed.group(1)), int(slashed.group(2)))
    except ValueError:
        return None
    return None
