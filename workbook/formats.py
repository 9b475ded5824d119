"""How numbers, dates and paper are written: once, for every stage.

Two kinds of reader, two kinds of number:

* **people** (the site, the sheets, the report) read a number the way their language
  writes it, through Babel and CLDR: ``3.5`` in English, ``3,5`` in Spanish, ``1,500``
  or ``1.500``; :func:`shown_number`, :func:`shown_change`;
* **programs** (``progress.csv``, ``scores.csv``, the FHIR export, and the English
  messages about a file's numbers) read plain data: a dot for decimals, no grouping,
  never an exponent: :func:`data_number`.

Dates shown to people are CLDR patterns and skeletons in the language's own order
(:func:`date_text`, :func:`skeleton_text`, :func:`interval_text`); data dates are ISO
8601. CLDR puts thin and narrow no-break spaces around dashes and in some dates, which
the theme font and many PDF viewers' field fonts lack, so every date comes out with
plain spaces (:func:`plain_spaces`).

The paper sizes the PDFs are made on are here too (:data:`PAPERS`): the settings file,
the command line and a returned file's description all take their choice from this one
list.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from babel import Locale

#: Paper sizes, the default first.
PAPERS: tuple[str, ...] = ("letter", "a4")
Paper = Literal["letter", "a4"]

_THIN_SPACES = str.maketrans({"\u2009": " ", "\u202f": " ", "\u200a": " "})


def plain_spaces(text: str) -> str:
    """``text`` with CLDR's thin and narrow no-break spaces written as plain spaces."""
    return text.translate(_THIN_SPACES)


# --------------------------------------------------------------------------- numbers


def data_number(value: float | None, *, places: int = 2, signed: bool = False) -> str:
    """A number as data: ``3``, ``2.5``, ``-6``, ``+3`` (``signed``), ``1500000``; at
    most ``places`` decimals, rounded half away from zero, never an exponent; ``""`` for
    None."""
    if value is None:
        return ""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{exact:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return f"+{text}" if signed and exact > 0 else text


def shown_number(
    value: float, locale: Locale | str, *, places: int = 1, percent: bool = False
) -> str:
    """A number as a reader of ``locale`` writes it: ``3.5`` / ``3,5``, ``1,500`` /
    ``1.500``; ``percent``: ``value`` is a percentage, written ``40%`` / ``40 %``."""
    from babel.numbers import format_decimal, format_percent

    if percent:
        return plain_spaces(format_percent(round(value) / 100, locale=locale))
    pattern = "#,##0." + "#" * places if places else "#,##0"
    return plain_spaces(format_decimal(round(value, places), format=pattern, locale=locale))


def shown_change(change: float, locale: Locale | str, *, places: int = 1) -> str:
    """A change as the report shows it: ``+3``, ``−2,5`` (a real minus sign), ``±0``."""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + shown_number(abs(change), locale, places=places)


def shown_fixed(value: float, locale: Locale | str, *, places: int = 1) -> str:
    """A number with exactly ``places`` decimals: a T-score of ``53.0`` / ``53,0``."""
    from babel.numbers import format_decimal

    pattern = "0." + "0" * places if places else "0"
    return plain_spaces(format_decimal(round(value, places), format=pattern, locale=locale))


# --------------------------------------------------------------------------- dates


def date_text(day: datetime.date, locale: Locale | str, form: str = "medium") -> str:
    """``day`` in one of CLDR's widths (``short``, ``medium``, ``long``, ``full``) or a
    pattern: "January 4, 2027", "4 de enero de 2027"."""
    from babel.dates import format_date

    return plain_spaces(format_date(day, form, locale=locale))


def skeleton_text(day: datetime.date, skeleton: str, locale: Locale | str) -> str:
    """``day`` from a CLDR skeleton, in the language's own order: "MMMd" is "Jan 4" in
    English and "4 ene" in Spanish; "EEE" is the weekday's short name."""
    from babel.dates import format_skeleton

    return plain_spaces(format_skeleton(skeleton, day, locale=locale))


def interval_text(first: datetime.date, last: datetime.date, locale: Locale | str) -> str:
    """Two days as one span, the way the language writes it: "Jan 4 – 10, 2027"."""
    from babel.dates import format_interval

    return plain_spaces(format_interval(first, last, "yMMMd", locale=locale))
