"""The clinical words the sheets, the site and the progress report share.

A target ("2 or fewer a day"), the names of the Goal Attainment Scaling
levels, "12 days" and "week 3, Wed Jan 13" are written here once, in English,
and translated through the theme's catalogue (``t``), so a sheet, its goal
page and the progress report made from it say the same thing in the same
language. Sentences only the report uses live with the report
(:mod:`workbook.report.document`), each of them a ``t(...)`` message too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from workbook.formats import shown_number, skeleton_text

if TYPE_CHECKING:
    from babel import Locale


class MeasureWithTarget(Protocol):
    """A goal's measure as a target is worded from it (the content schema's is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def every(self) -> str: ...

    @property
    def target(self) -> TargetValue | None: ...


class TargetValue(Protocol):
    @property
    def direction(self) -> str: ...

    @property
    def value(self) -> float: ...


#: A message in the reader's language: ``t("{n} days", n=3)``.
Translate = Callable[..., str]


class Language(Protocol):
    """What the words here need of the theme's catalogue: its messages, and its locale for
    the numbers and dates among them (:class:`workbook.content.i18n.Catalogue` is one)."""

    def __call__(self, message: str, /, **values: object) -> str: ...

    @property
    def locale(self) -> Locale: ...


#: Goal Attainment Scaling levels, best first, as rating sheets list them.
GAS_LEVELS_DOWN = (2, 1, 0, -1, -2)


def target_words(kind: str, every: str, direction: str, value: float, t: Language) -> str:
    """A measure's target in words: "2 or fewer a day", "7 or higher a week", "2,5 o
    menos al día" (the number in the language's own way)."""
    shown = shown_number(value, t.locale, places=3)
    per = t("a day") if every == "day" else t("a week")
    if direction == "lower":
        return (
            t("{value} or fewer {per}", value=shown, per=per)
            if kind == "count"
            else t("{value} or lower {per}", value=shown, per=per)
        )
    return (
        t("{value} or more {per}", value=shown, per=per)
        if kind == "count"
        else t("{value} or higher {per}", value=shown, per=per)
    )


def target_text(measure: MeasureWithTarget, t: Language) -> str:
    """The target of a goal's measure (a :class:`~workbook.content.schema.Measure`), or ''."""
    if measure.target is None:
        return ""
    return target_words(
        measure.kind, measure.every, measure.target.direction, measure.target.value, t
    )


def gas_level_names(t: Translate) -> dict[int, str]:
    """What each Goal Attainment Scaling level means, -2 to +2."""
    return {
        2: t("Much more than expected"),
        1: t("More than expected"),
        0: t("The expected outcome"),
        -1: t("Less than expected"),
        -2: t("Much less than expected"),
    }


def signed_level(level: int) -> str:
    """A rating level as it is written: -2, -1, 0, +1, +2."""
    return f"{level:+d}" if level else "0"


def count_text(n: int, unit: str, t: Translate) -> str:
    """``n`` days or weeks: "1 day", "12 days", "3 weeks" (``unit``: day | week)."""
    if unit == "day":
        return t("1 day") if n == 1 else t("{n} days", n=n)
    return t("1 week") if n == 1 else t("{n} weeks", n=n)


def day_text(day: datetime.date, locale: Locale | str) -> str:
    """A day as a tracker row shows it: "Wed, Jan 13" (en), "mié, 13 ene" (es)."""
    return skeleton_text(day, "MMMEd", locale)


def position_text(
    week: int, day: int | None, date: datetime.date | None, locale: Locale | str, t: Translate
) -> str:
    """Where a value is on a tracker, as the client sees it: "week 2, Wed Jan 13",
    "week 2, day 10" without a start date, "week 2" for a weekly value."""
    if day is None:
        return t("week {week}", week=week)
    if date is None:
        return t("week {week}, day {day}", week=week, day=day)
    return t("week {week}, {date}", week=week, date=day_text(date, locale).replace(",", "", 1))
