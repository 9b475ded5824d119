"""What a client wrote in a cell or on a date line, as a number or a date.

People write "7/10" on a 0-10 scale, "20 min" for minutes, "4 January 2027",
"4 de enero de 2027" or "1/4/2027" for a date. These are read here, in the
language the tracker was made in, with English month names accepted too;
anything else is a reason ("not a whole number; left out"), never a guess.
"""

from __future__ import annotations

import datetime
import re
from typing import Protocol

from babel import Locale
from babel.dates import parse_date

from workbook.clinical.wording import Translate
from workbook.content.i18n import Catalogue


class Measured(Protocol):
    """What reading a written value needs of its measure (a returned tracker's)."""

    kind: str  # count | scale | yes-no | minutes | text
    label: str
    every: str  # day | week
    min: int | None
    max: int | None


#: Messages when no language is given: the English text itself.
_ENGLISH_MESSAGES = Catalogue("en")

#: The largest values read (a bigger one is left out, with a warning).
MAX_COUNT = 100_000
MAX_MINUTES_A_DAY = 1440

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?\Z")
_MINUTES = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:m|min|mins|minutes?)?\.?\Z", re.I)


def parse_value(
    m: Measured, text: str, t: Translate = _ENGLISH_MESSAGES
) -> tuple[float | None, str | None]:
    """A written value as a number, or the reason it cannot be used."""
    shown = text if len(text) <= 30 else text[:27] + "..."
    if m.kind == "text":
        return None, None
    if m.kind == "count":
        if re.fullmatch(r"\d{1,9}", text):
            if int(text) <= MAX_COUNT:
                return float(text), None
            return None, t(
                "'{label}' is {value}, more than {max} (a count goes up to {max}); left out",
                label=m.label,
                value=shown,
                max=f"{MAX_COUNT:,}",
            )
        return None, t(
            "'{label}' is '{value}', not a whole number; left out", label=m.label, value=shown
        )
    if m.kind == "minutes":
        match = _MINUTES.match(text)
        if match and len(match[1]) <= 9:
            most = MAX_MINUTES_A_DAY if m.every == "day" else 7 * MAX_MINUTES_A_DAY
            minutes = float(match[1].replace(",", "."))
            if minutes <= most:
                return minutes, None
            if m.every == "day":
                return None, t(
                    "'{label}' is {value} minutes, more than there are in a day ({max}); left out",
                    label=m.label,
                    value=shown,
                    max=f"{most:,}",
                )
            return None, t(
                "'{label}' is {value} minutes, more than there are in a week ({max}); left out",
                label=m.label,
                value=shown,
                max=f"{most:,}",
            )
        return None, t(
            "'{label}' is '{value}', not a number of minutes; left out", label=m.label, value=shown
        )
    if m.kind == "scale" and m.min is not None and m.max is not None:  # (a scale has both)
        number = text
        fraction = re.fullmatch(r"(.+?)\s*/\s*(\d+)", text)
        if fraction and int(fraction[2]) == m.max:
            number = fraction[1]  # "7/10" on a 0-10 scale
        if not _NUMBER.match(number.strip()):
            return None, t(
                "'{label}' is '{value}', not a number from {min} to {max}; left out",
                label=m.label,
                value=shown,
                min=m.min,
                max=m.max,
            )
        value = float(number.strip().replace(",", "."))
        if not m.min <= value <= m.max:
            return None, t(
                "'{label}' is {value}, outside the scale {min}–{max}; left out",
                label=m.label,
                value=shown,
                min=m.min,
                max=m.max,
            )
        return value, None
    return None, None  # pragma: no cover - yes-no is read as a tick box


def parse_written_date(text: str, locale: Locale) -> datetime.date | None:
    """A date as people write it: 2027-01-04, January 4, 2027, 4 Jan 2027, 1/4/2027."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        words = re.findall(r"[^\W\d_]+", text.lower())
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        month = None
        for word in words:
            month = month or _month(word, locale) or _month(word, _ENGLISH)
        if month:
            years = [n for n in numbers if n > 31]
            days = [n for n in numbers if 1 <= n <= 31]
            if len(years) == 1 and len(days) == 1:
                return datetime.date(years[0], month, days[0])
            return None
        if len(numbers) == 3 and not words:
            found = parse_date(text, locale=locale)
            return found if found.year > 1900 else None
    except (ValueError, IndexError):
        return None
    return None


_ENGLISH = Locale.parse("en")


def _month(word: str, locale: Locale) -> int | None:
    word = word.strip(".")
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months[context][width].items():
                if name.lower().strip(".") == word:
                    return number
    return None
