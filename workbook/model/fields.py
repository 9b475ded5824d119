"""Form fields, and the one codec for their names.

A field keeps one name everywhere: in the HTML page (``name``/``id`` and the
browser's stored answers), in the PDF's AcroForm, in a client packet that
fills it in, and in ``workbook progress`` that reads it back. So the names
are made and taken apart here and nowhere else.

A name is ``<prefix>_<part>_<part>...``: the prefix is the free sheet's slug or
``<goal>_<kind>`` (``ease-anxiety_tracker``); the parts are block ids, ``w03``
(week 3), ``d2`` (its second day), measure ids, ``s1`` (strategy 1),
``notes``, ``r2``/``c3`` (table cells). Slugs and ids only use ``[a-z0-9-]``,
so ``_`` splits a name unambiguously, and no name contains ``.``, the PDF
field-hierarchy separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = "_"
#: The lines every sheet starts with: ``<prefix>_name`` and ``<prefix>_date``.
NAME, DATE = "name", "date"
#: Tracker columns that are not measures.
DATE_COLUMN, NOTES_COLUMN = "date", "notes"

_TRACKER_CELL = re.compile(r"_tracker_w\d\d_")


# --------------------------------------------------------------------------- the codec


def field_name(prefix: str, *parts: str) -> str:
    """``prefix`` and ``parts`` joined into one field name."""
    return SEPARATOR.join((prefix, *parts))


def goal_prefix(goal: str, kind: str) -> str:
    """The prefix of a goal's sheet: ``ease-anxiety_tracker``."""
    return field_name(goal, kind)


def week_part(week: int) -> str:
    return f"w{week:02d}"


def day_part(day_of_week: int) -> str:
    return f"d{day_of_week}"


def strategy_part(number: int) -> str:
    """Strategy ``number`` (1-based) as a tracker column or checklist part: ``s1``."""
    return f"s{number}"


def cell_parts(row: int, column: int) -> tuple[str, str]:
    """A table cell's parts: ``r2``, ``c3`` (both 1-based)."""
    return f"r{row}", f"c{column}"


def header_field(prefix: str, line: str) -> str:
    """The name or date line of a sheet (``line`` is :data:`NAME` or :data:`DATE`)."""
    return field_name(prefix, line)


def day_row(prefix: str, week: int, day_of_week: int) -> str:
    """The start of every cell name in a daily tracker row (add the column with
    :func:`field_name`)."""
    return field_name(prefix, week_part(week), day_part(day_of_week))


def week_row(prefix: str, week: int) -> str:
    """The start of every cell name in a weekly tracker row, and of the weekly values
    under a daily week."""
    return field_name(prefix, week_part(week))


def cover_name_field(workbook: str) -> str:
    """The "this workbook belongs to" line on a workbook's cover."""
    return field_name(workbook, "cover-name")


def is_tracker_cell(name: str) -> bool:
    """Whether ``name`` looks like a tracker cell (to recognise a tracker whose
    description was stripped)."""
    return bool(_TRACKER_CELL.search(name))


def option_key(name: str, export: str) -> str:
    """The key of one radio option's accessible name among a PDF's field labels (``=``
    never occurs in a field name)."""
    return f"{name}={export}"


def option_id(name: str, value: int) -> str:
    """The HTML id of one radio option: ``-1`` becomes ``m1`` (ids have no ``--``)."""
    return f"{name}-{value}".replace("--", "-m")


# --------------------------------------------------------------------------- the fields


@dataclass(slots=True)
class Field:
    """One form control (a six-month tracker has over a thousand: kept lean)."""

    name: str
    label: str  # the accessible name; also the PDF tooltip
    kind: str  # text | textarea | checkbox | radio
    lines: int = 1  # textarea height in lines
    numeric: bool = False  # a number is expected (inputmode=numeric)
    options: list[Option] | None = None  # radio choices
    value: str | None = None  # pre-filled value (client packets)

    @property
    def id(self) -> str:
        return self.name


@dataclass
class Option:
    value: int
    anchor: str | None
    description: str | None = None  # a longer text under the anchor (goal rating levels)
    spoken: str = ""  # its accessible name in a PDF: "3 of 10, halfway", "+1: More than expected"

    @property
    def signed(self) -> str:
        """The value as a rating level is written: -2, -1, 0, +1, +2."""
        return f"{self.value:+d}" if self.value else "0"

    def id(self, name: str) -> str:
        return option_id(name, self.value)
