"""``workbook progress``, first step: read filled trackers and goal rating sheets.

Each PDF says what it holds in its ``/GoalWorkbooks`` document information
(see :mod:`workbook.model.formdata`), so a filled tracker is read without the
project that made it; its field names are taken apart with the same codec
that made them (:mod:`workbook.model.fields`). What happens to what was
filled in:

* A file that cannot be read, is not one of ours, or whose description is
  damaged is an **error**: every such problem is listed, nothing is written,
  exit 1.
* A value that cannot be used ("lots" in a count, 12 on a 0-10 scale) is a
  **warning** (``file.pdf: week 2, Wed Jan 13: ...; left out``). It is still
  in ``progress.csv`` (as written, with the reason) and listed in the report
  under "Not used", so nothing filled in is silently dropped. Warnings are
  written in the language the file was made in.

Putting several trackers of one goal on one timeline is
:mod:`workbook.report.timeline`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from workbook.clinical import gas, instruments
from workbook.clinical.wording import position_text
from workbook.content.i18n import Catalogue, catalogue_named_by
from workbook.errors import Problem, WorkbookError
from workbook.model.fields import (
    DATE,
    DATE_COLUMN,
    NAME,
    NOTES_COLUMN,
    day_row,
    field_name,
    header_field,
    is_tracker_cell,
    strategy_part,
    week_row,
)
from workbook.model.formdata import DESCRIPTION_FORMAT, INFO_KEY
from workbook.project import default_theme
from workbook.returned import description
from workbook.returned.form import MAX_FIELDS
from workbook.returned.intake import MAX_DESCRIPTION_CHARS, fail, take_in
from workbook.returned.values import parse_value, parse_written_date

#: The longest note or text answer used (longer ones are cut, with a warning).
MAX_TEXT_CHARS = 2000
KIND_WORDS = {
    "worksheet": "a worksheet",
    "session-prep": "a session-prep sheet",
    "tracker": "a tracker",
    "gas": "a goal rating sheet",
}


# --------------------------------------------------------------------------- what was read


@dataclass
class TrackedMeasure:
    """A measure as a returned tracker describes it (not the project's own goal)."""

    id: str
    label: str
    kind: str  # count | scale | yes-no | minutes | text
    every: str  # day | week
    min: int | None = None
    max: int | None = None
    target: dict | None = None  # {"direction": "lower"|"higher", "value": float}

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "scale", "minutes", "yes-no")


@dataclass
class FilledValue:
    """One thing filled in on a tracker: a measure's value, a ticked strategy, a note."""

    measure: str  # measure id, "s1"… for strategies, "notes"
    label: str
    kind: str  # a measure kind, "strategy" or "notes"
    week: int  # 1-based, on this tracker
    day: int | None  # 1-based day on this tracker; None for a weekly value
    text: str  # as written ("ticked" for a tick box)
    value: float | None = None
    problem: str | None = None
    date_written: str = ""  # what the row's date column says


@dataclass
class Tracker:
    file: str
    goal: str
    title: str
    version: str
    per: str
    days: int
    measures: list[TrackedMeasure]
    strategies: list[str]
    start: datetime.date | None
    entries: list[FilledValue]
    t: Catalogue  # the language the tracker was made in
    site: dict
    offset: int = 0  # days before this tracker's day 1 on the goal's timeline
    client: str = ""  # the name line, for the report only (never printed)
    cut: list[tuple[int, int | None, str]] = field(default_factory=list)  # texts cut short

    @property
    def last_week(self) -> int:
        return max((e.week for e in self.entries), default=0)

    def day_date(self, day: int) -> datetime.date | None:
        return self.start + datetime.timedelta(days=day - 1) if self.start else None

    def position(self, entry: FilledValue) -> str:
        """Where an entry is on this tracker, as the client sees it: 'week 2, Wed Jan 13'."""
        date = self.day_date(entry.day) if entry.day is not None else None
        return position_text(entry.week, entry.day, date, self.t.locale, self.t)


@dataclass
class Rating:
    file: str
    goal: str
    title: str
    weight: float
    levels: dict[str, str]
    level: int | None
    date_text: str
    date: datetime.date | None
    evidence: str
    version: str
    order: int = 0
    client: str = ""
    warned: bool = False  # a warning already says why its level is not used


@dataclass
class Administration:
    """One filled questionnaire: its answers (item id → score, None when unanswered)."""

    file: str
    instrument: str
    title: str
    preset: str | None
    version: str
    rules: instruments.Rules
    answers: dict[str, int | None]
    date: datetime.date | None  # the date line, else the day a packet's copy was for
    t: Catalogue
    order: int = 0
    client: str = ""

    @property
    def answered(self) -> int:
        return sum(1 for value in self.answers.values() if value is not None)


@dataclass
class Reading:
    """Everything read from the files, before combining."""

    trackers: list[Tracker] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # the first file's checked settings (description.DescribedSite): paper, accent, language...
    site: dict = field(default_factory=lambda: description.DescribedSite().model_dump())
    seen: dict[str, str] = field(default_factory=dict)  # digest of what a file holds → file
    files: list[str] = field(default_factory=list)  # every file read, as the user named it


# --------------------------------------------------------------------------- reading


def read_files(paths: list[tuple[Path, str]]) -> Reading:
    """Read every file; raise WorkbookError listing every file that cannot be used."""
    reading = Reading(files=[shown for _, shown in paths])
    errors: list[Problem] = []
    for order, (path, shown) in enumerate(paths):
        try:
            _read_one(path, shown, reading, order)
        except WorkbookError as error:
            errors.extend(error.problems)
    if errors:
        raise WorkbookError(errors)
    return reading


def _read_one(path: Path, shown: str, reading: Reading, order: int) -> None:
    taken = take_in(path, shown, INFO_KEY)
    fields = taken.fields
    digest = hashlib.sha256(
        json.dumps([taken.description, sorted(fields.items())]).encode("utf-8", "surrogatepass")
    ).hexdigest()

    if taken.description is None:
        if any(is_tracker_cell(name) for name in fields):
            raise fail(
                shown,
                "has tracker fields but not the description Goal Workbooks puts "
                "in its PDFs (it was made by an older version, or saved by a "
                "program that removes it); fill in a tracker downloaded again",
            )
        raise fail(shown, "is not a tracker or goal rating sheet made by Goal Workbooks")
    if len(taken.description) > MAX_DESCRIPTION_CHARS:
        raise fail(
            shown,
            "has a damaged Goal Workbooks description (it is far too long); "
            "fill in a tracker downloaded again",
        )
    try:
        found = description.parse(taken.description, DESCRIPTION_FORMAT)
    except description.Damaged as damaged:
        raise fail(
            shown,
            f"has a damaged Goal Workbooks description ({damaged.reason}); fill "
            "in a tracker downloaded again",
        ) from None
    except ValueError as newer:
        raise fail(
            shown,
            f"was made by a newer version of Goal Workbooks (format {newer}); "
            "update this program to read it",
        ) from None
    site = found.site.model_dump()
    if not reading.seen:  # the first file read decides the report's settings
        reading.site = site
    readable = [
        s
        for s in found.sheets
        if isinstance(
            s,
            (
                description.DescribedTracker,
                description.DescribedRating,
                description.DescribedQuestionnaire,
            ),
        )
    ]
    if not readable:
        kinds = sorted({KIND_WORDS[s.kind] for s in found.sheets})
        what = " and ".join(kinds) if kinds else "no sheets"
        raise fail(
            shown,
            f"holds {what}, not a tracker, goal rating sheet or questionnaire; "
            "progress reads trackers, goal rating sheets and questionnaires",
        )
    t = catalogue_named_by(found.site.language, [default_theme()])
    if digest in reading.seen:  # the same file twice, or two copies of one filled sheet
        reading.warnings.append(
            Problem(
                shown,
                None,
                t("holds the same filled sheets as {file}; read once", file=reading.seen[digest]),
            )
        )
        return
    reading.seen[digest] = shown
    if taken.fields_cut:
        reading.warnings.append(
            Problem(
                shown,
                None,
                t("has more than {n} form fields; the rest were not read", n=f"{MAX_FIELDS:,}"),
            )
        )
    for sheet in readable:
        if isinstance(sheet, description.DescribedQuestionnaire):
            administration = read_administration(sheet, fields, shown, t, reading.warnings)
            administration.order = order
            reading.administrations.append(administration)
            continue
        read = read_sheet(sheet, fields, shown, t, site, reading.warnings)
        if isinstance(read, Tracker):
            reading.trackers.append(read)
        else:
            read.order = order
            reading.ratings.append(read)


def read_sheet(
    sheet: description.DescribedTracker | description.DescribedRating,
    fields: dict[str, str],
    shown: str,
    t: Catalogue,
    site: dict,
    warnings: list[Problem],
) -> Tracker | Rating:
    """One tracker or goal rating sheet of a file: ``sheet`` is its checked entry in the
    file's description, ``fields`` the file's field values by name."""
    if isinstance(sheet, description.DescribedTracker):
        return _read_tracker(sheet, fields, shown, t, site, warnings)
    return _read_rating(sheet, fields, shown, t, warnings)


def _ticked(value: str | None) -> bool:
    return bool(value) and value not in ("Off", "off", "No", "no", "false")


# ---- trackers


def _read_tracker(
    sheet: description.DescribedTracker,
    fields: dict[str, str],
    shown: str,
    t: Catalogue,
    site: dict,
    warnings: list[Problem],
) -> Tracker:
    measures = [
        TrackedMeasure(
            m.id,
            m.label,
            m.kind,
            m.every,
            m.min,
            m.max,
            m.target.model_dump() if m.target else None,
        )
        for m in sheet.measures
    ]
    p = sheet.prefix
    tracker = Tracker(
        shown,
        sheet.goal,
        sheet.title or sheet.goal,
        sheet.version,
        sheet.per,
        sheet.days,
        measures,
        list(sheet.strategies),
        None,
        [],
        t,
        site,
    )
    tracker.client = fields.get(header_field(p, NAME), "").strip()
    tracker.start = _start_date(sheet, fields.get(header_field(p, DATE), ""), shown, t, warnings)
    daily = [m for m in measures if m.every == "day"]
    weekly = [m for m in measures if m.every == "week"]
    strategies = [(strategy_part(i), text) for i, text in enumerate(tracker.strategies, start=1)]
    for w in range(1, math.ceil(tracker.days / 7) + 1):
        if tracker.per == "day":
            for d in range(1, min(7, tracker.days - (w - 1) * 7) + 1):
                _read_row(tracker, fields, day_row(p, w, d), daily, strategies, w, (w - 1) * 7 + d)
            for m in weekly:
                _read_cell(
                    tracker,
                    m,
                    fields.get(field_name(week_row(p, w), m.id), ""),
                    w,
                    None,
                    "",
                    row_filled=any(e.week == w for e in tracker.entries),
                )
        else:
            _read_row(tracker, fields, week_row(p, w), weekly, strategies, w, None)
    for entry in tracker.entries:
        if entry.problem:
            warnings.append(Problem(shown, None, f"{tracker.position(entry)}: {entry.problem}"))
    for week, day, label in tracker.cut:
        where = tracker.position(FilledValue("", label, "", week, day, ""))
        warnings.append(
            Problem(
                shown,
                None,
                t(
                    "{where}: '{label}' is longer than {n} characters; only the first {n} are used",
                    where=where,
                    label=label,
                    n=f"{MAX_TEXT_CHARS:,}",
                ),
            )
        )
    return tracker


def _read_row(
    tracker: Tracker,
    fields: dict[str, str],
    row: str,
    measures: list[TrackedMeasure],
    strategies: list[tuple[str, str]],
    week: int,
    day: int | None,
) -> None:
    cells = {m.id: fields.get(field_name(row, m.id), "") for m in measures}
    ticks = {sid: fields.get(field_name(row, sid), "") for sid, _ in strategies}
    notes = _bounded(
        tracker, fields.get(field_name(row, NOTES_COLUMN), "").strip(), week, day, "Notes"
    )
    filled = (
        any(cells[m.id].strip() for m in measures if m.kind != "yes-no")
        or any(_ticked(cells[m.id]) for m in measures if m.kind == "yes-no")
        or any(_ticked(v) for v in ticks.values())
        or bool(notes)
    )
    if not filled:
        return
    written = fields.get(field_name(row, DATE_COLUMN), "").strip()
    for m in measures:
        _read_cell(tracker, m, cells[m.id], week, day, written, row_filled=True)
    for sid, text in strategies:
        if _ticked(ticks[sid]):
            tracker.entries.append(
                FilledValue(sid, text, "strategy", week, day, "ticked", 1.0, date_written=written)
            )
    if notes:
        tracker.entries.append(
            FilledValue("notes", "Notes", "notes", week, day, notes, date_written=written)
        )


def _bounded(tracker: Tracker, text: str, week: int, day: int | None, label: str) -> str:
    """Text as long as a report can show: longer is cut, and the cut is said."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    tracker.cut.append((week, day, label))
    return text[:MAX_TEXT_CHARS] + "…"


def _read_cell(
    tracker: Tracker,
    m: TrackedMeasure,
    raw: str,
    week: int,
    day: int | None,
    written: str,
    row_filled: bool,
) -> None:
    if m.kind == "yes-no":
        if _ticked(raw):
            tracker.entries.append(
                FilledValue(m.id, m.label, m.kind, week, day, "ticked", 1.0, date_written=written)
            )
        elif row_filled:  # an empty box on a day with other entries means "no"
            tracker.entries.append(
                FilledValue(m.id, m.label, m.kind, week, day, "", 0.0, date_written=written)
            )
        return
    text = raw.strip()
    if not text:
        return
    text = _bounded(tracker, text, week, day, m.label)
    value, problem = parse_value(m, text, tracker.t)
    tracker.entries.append(
        FilledValue(m.id, m.label, m.kind, week, day, text, value, problem, date_written=written)
    )


def _start_date(
    sheet: description.DescribedTracker,
    written: str,
    shown: str,
    t: Catalogue,
    warnings: list[Problem],
) -> datetime.date | None:
    planned = sheet.start
    written = written.strip()
    if not written:
        return planned
    day = parse_written_date(written[:100], t.locale)
    if day is not None and not 1900 <= day.year <= 2200:
        day = None  # "4 January 9999": not a start anyone means
    if day is None:
        message = t(
            "the start date line says '{written}', which is not a date I can read "
            "(write it like 2027-01-04)",
            written=written[:40],
        )
        use = (
            t("used the packet's start date, {date}", date=planned.isoformat())
            if planned
            else t("days are numbered instead of dated")
        )
        warnings.append(Problem(shown, None, f"{message}; {use}"))
        return planned
    return day


# ---- goal ratings


def _read_rating(
    sheet: description.DescribedRating,
    fields: dict[str, str],
    shown: str,
    t: Catalogue,
    warnings: list[Problem],
) -> Rating:
    p = sheet.prefix
    raw = fields.get(field_name(p, "level"), "").strip()
    level = None
    if raw:
        try:
            level = int(raw)
        except ValueError:
            level = None
        if level not in gas.LEVELS:
            warnings.append(
                Problem(
                    shown,
                    None,
                    t(
                        "the goal rating for '{title}' is '{value}', not one of -2, -1, 0, +1, +2; "
                        "left out",
                        title=sheet.title,
                        value=raw[:20],
                    ),
                )
            )
            level = None
    warned = bool(raw) and level is None
    date_text = fields.get(header_field(p, DATE), "").strip()
    date = parse_written_date(date_text[:100], t.locale) if date_text else None
    return Rating(
        shown,
        sheet.goal,
        sheet.title or sheet.goal,
        sheet.weight,
        {str(level): text for level, text in sheet.levels.items()},
        level,
        date_text[:100],
        date if date is not None and 1900 <= date.year <= 2200 else None,
        fields.get(field_name(p, "evidence"), "").strip()[:MAX_TEXT_CHARS],
        sheet.version,
        client=fields.get(header_field(p, NAME), "").strip()[:200],
        warned=warned,
    )


# ---- questionnaires


def read_administration(
    sheet: description.DescribedQuestionnaire,
    fields: dict[str, str],
    shown: str,
    t: Catalogue,
    warnings: list[Problem],
) -> Administration:
    """A filled questionnaire: each item's chosen score (an answer that is not one of the
    item's scores is left out, with a warning), and the day it was filled in."""
    p = sheet.prefix
    rules = sheet.rules.rules()
    title = sheet.title or sheet.instrument
    answers: dict[str, int | None] = {}
    for number, (item, scores) in enumerate(rules.items, start=1):
        raw = fields.get(field_name(p, item), "").strip()
        value = None
        if raw and raw not in ("Off", "off"):
            try:
                value = int(raw)
            except ValueError:
                value = None
            if value not in scores:
                warnings.append(
                    Problem(
                        shown,
                        None,
                        t(
                            "{title}, item {n}: the answer '{value}' is not one of its answers; "
                            "left out",
                            title=title,
                            n=number,
                            value=raw[:20],
                        ),
                    )
                )
                value = None
        answers[item] = value
    date_text = fields.get(header_field(p, DATE), "").strip()[:100]
    date = parse_written_date(date_text, t.locale) if date_text else None
    if date is not None and not 1900 <= date.year <= 2200:
        date = None
    if date_text and date is None:
        use = (
            t("used the day it was meant for, {date}", date=sheet.due.isoformat())
            if sheet.due
            else t("it is placed by the order of the files")
        )
        warnings.append(
            Problem(
                shown,
                None,
                t(
                    "{title}: the date line says '{written}', which is not a date I can read "
                    "(write it like 2027-01-04); {use}",
                    title=title,
                    written=date_text[:40],
                    use=use,
                ),
            )
        )
    return Administration(
        shown,
        sheet.instrument,
        title,
        sheet.preset,
        sheet.version,
        rules,
        answers,
        date or sheet.due,
        t,
        client=fields.get(header_field(p, NAME), "").strip()[:200],
    )
