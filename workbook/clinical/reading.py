"""``workbook progress``: read filled trackers and goal rating sheets back.

Each PDF says what it holds in its ``/GoalWorkbooks`` document information
(see :mod:`workbook.formdata`), so a filled tracker is read without the
project that made it. What happens to what was filled in:

* A file that cannot be read, is not one of ours, or whose tracker cannot be
  put on one timeline with the others is an **error**: every such problem is
  listed, nothing is written, exit 1.
* A value that cannot be used ("lots" in a count, 12 on a 0-10 scale) is a
  **warning** (``file.pdf: week 2, Wed Jan 13: ...; left out``). It is still
  in ``progress.csv`` (as written, with the reason) and listed in the report
  under "Not used", so nothing filled in is silently dropped.

How trackers of one goal combine: when every tracker has a start date (from
a packet, or written on its start-date line) days are placed by date; two
files with different values for the same day and measure keep the tracker
that started later and report the other value. When none has a start date
they are read one after another in the order given, each starting the week
after the last week filled in on the one before. Trackers of one goal made
from different measure definitions (a changed goal) cannot be combined.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from babel import Locale
from babel.dates import format_skeleton, parse_date

from workbook.clinical import gas
from workbook.errors import Problem, WorkbookError
from workbook.model.formdata import FORMAT, INFO_KEY

SHEET_KINDS = {"worksheet": "a worksheet", "session-prep": "a session-prep sheet",
               "tracker": "a tracker", "gas": "a goal rating sheet"}


# --------------------------------------------------------------------------- model


@dataclass
class Measure:
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
class Entry:
    """One thing filled in: a measure's value, a ticked strategy, a note."""

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
    measures: list[Measure]
    strategies: list[str]
    start: datetime.date | None
    entries: list[Entry]
    language: str
    site: dict
    offset: int = 0  # days before this tracker's day 1 on the goal's timeline
    client: str = ""  # the name line, for the report only (never printed)

    @property
    def filled_days(self) -> set[int]:
        return {e.day for e in self.entries if e.day is not None}

    @property
    def last_week(self) -> int:
        return max((e.week for e in self.entries), default=0)


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


@dataclass
class Reading:
    """Everything read from the files, before combining."""

    trackers: list[Tracker] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    site: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def read_files(paths: list[tuple[Path, str]]) -> Reading:
    """Read every file; raise WorkbookError listing every file that cannot be used."""
    reading = Reading()
    errors: list[Problem] = []
    for order, (path, shown) in enumerate(paths):
        try:
            _read_one(path, shown, reading, order)
        except WorkbookError as error:
            errors.extend(error.problems)
    if errors:
        raise WorkbookError(errors)
    return reading


def _fail(shown: str, message: str) -> WorkbookError:
    return WorkbookError([Problem(shown, None, message)])


def _read_one(path: Path, shown: str, reading: Reading, order: int) -> None:
    if not path.exists():
        raise _fail(shown, "no such file")
    if path.is_dir():
        raise _fail(shown, "is a folder; give the PDF files in it")
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise _fail(shown, "is protected with a password; save a copy without one and read "
                           "that") from None
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        reason = getattr(exc, "strerror", None)
        raise _fail(shown, f"cannot be read: {reason}" if reason else
                    "is not a PDF, or it is damaged; ask for the file again") from None
    with pdf:
        raw = pdf.docinfo.get(INFO_KEY) if pdf.trailer.get("/Info") is not None else None
        fields = _field_values(pdf)
    if raw is None:
        if any(re.search(r"_tracker_w\d\d_", name) for name in fields):
            raise _fail(shown, "has tracker fields but not the description Goal Workbooks puts "
                               "in its PDFs (it was made by an older version, or saved by a "
                               "program that removes it); fill in a tracker downloaded again")
        raise _fail(shown, "is not a tracker or goal rating sheet made by Goal Workbooks")
    try:
        data = json.loads(str(raw))
        version = int(data.get("format", 0))
        sheets = list(data["sheets"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _fail(shown, "has a damaged Goal Workbooks description; fill in a tracker "
                           "downloaded again") from None
    if version > FORMAT:
        raise _fail(shown, f"was made by a newer version of Goal Workbooks (format {version}); "
                           "update this program to read it")
    site = data.get("site") or {}
    reading.site = reading.site or site
    readable = [s for s in sheets if s.get("kind") in ("tracker", "gas") and s.get("goal")]
    if not readable:
        kinds = sorted({SHEET_KINDS.get(s.get("kind"), "a sheet") for s in sheets})
        what = " and ".join(kinds) if kinds else "no sheets"
        raise _fail(shown, f"holds {what}, not a tracker or goal rating sheet; progress "
                           "reads trackers and goal rating sheets")
    language = site.get("language", "en")
    for sheet in readable:
        try:
            if sheet["kind"] == "tracker":
                reading.trackers.append(_read_tracker(sheet, fields, shown, language, site,
                                                      reading.warnings))
            else:
                rating = _read_rating(sheet, fields, shown, language, reading.warnings)
                rating.order = order
                reading.ratings.append(rating)
        except (KeyError, TypeError, ValueError):
            raise _fail(shown, "has a damaged Goal Workbooks description; fill in a tracker "
                               "downloaded again") from None


def _field_values(pdf: pikepdf.Pdf) -> dict[str, str]:
    """Field name → value as text; a ticked box reads as its state name ('on', '-1')."""
    acroform = pdf.Root.get("/AcroForm")
    values: dict[str, str] = {}
    if acroform is None:
        return values

    def walk(node, prefix: str, kind) -> None:
        name = str(node.get("/T", "")) if "/T" in node else ""
        full = f"{prefix}.{name}" if prefix and name else (name or prefix)
        kind = node.get("/FT", kind)
        value = node.get("/V")
        if value is not None and full:
            text = _text(value)
            if kind == pikepdf.Name.Btn:  # a tick box or radio group: its state's name
                text = text.lstrip("/")
                text = "" if text == "Off" else text
            values[full] = text
        for kid in node.get("/Kids", []):
            if "/T" in kid:
                walk(kid, full, kind)

    for item in acroform.get("/Fields", []):
        walk(item, "", None)
    return values


def _text(value: Any) -> str:
    if isinstance(value, pikepdf.Name):
        text = str(value)[1:]
        return "" if text == "Off" else text
    if isinstance(value, pikepdf.String):
        return str(value)
    if isinstance(value, pikepdf.Array):
        return " ".join(_text(v) for v in value)
    return str(value)


def _ticked(value: str | None) -> bool:
    return bool(value) and value not in ("Off", "off", "No", "no", "false")


# ---- trackers


def _read_tracker(sheet: dict, fields: dict[str, str], shown: str, language: str, site: dict,
                  warnings: list[Problem]) -> Tracker:
    measures = [Measure(m["id"], m["label"], m["kind"], m.get("every", "day"), m.get("min"),
                        m.get("max"), m.get("target")) for m in sheet["measures"]]
    p = sheet["prefix"]
    locale = _locale(language)
    tracker = Tracker(shown, sheet["goal"], sheet.get("title", sheet["goal"]), sheet["version"],
                      sheet["per"], int(sheet["days"]), measures, list(sheet.get("strategies", [])),
                      None, [], language, site)
    tracker.client = fields.get(f"{p}_name", "").strip()
    tracker.start = _start_date(sheet, fields.get(f"{p}_date", ""), shown, locale, warnings)
    daily = [m for m in measures if m.every == "day"]
    weekly = [m for m in measures if m.every == "week"]
    strategies = [(f"s{i}", text) for i, text in enumerate(tracker.strategies, start=1)]
    weeks = math.ceil(tracker.days / 7)
    for w in range(1, weeks + 1):
        wk = f"w{w:02d}"
        if tracker.per == "day":
            for d in range(1, min(7, tracker.days - (w - 1) * 7) + 1):
                day = (w - 1) * 7 + d
                _read_row(tracker, fields, f"{p}_{wk}_d{d}", daily, strategies, w, day)
            for m in weekly:
                _read_cell(tracker, m, fields.get(f"{p}_{wk}_{m.id}", ""), w, None, "",
                           row_filled=any(e.week == w for e in tracker.entries))
        else:
            _read_row(tracker, fields, f"{p}_{wk}", weekly, strategies, w, None)
    for entry in tracker.entries:
        if entry.problem:
            warnings.append(Problem(shown, None, f"{position(tracker, entry)}: {entry.problem}"))
    return tracker


def _read_row(tracker: Tracker, fields, key: str, measures: list[Measure],
              strategies: list[tuple[str, str]], week: int, day: int | None) -> None:
    cells = {m.id: fields.get(f"{key}_{m.id}", "") for m in measures}
    ticks = {sid: fields.get(f"{key}_{sid}", "") for sid, _ in strategies}
    notes = fields.get(f"{key}_notes", "").strip()
    filled = (any(v.strip() for m, v in ((m, cells[m.id]) for m in measures) if m.kind != "yes-no")
              or any(_ticked(cells[m.id]) for m in measures if m.kind == "yes-no")
              or any(_ticked(v) for v in ticks.values()) or bool(notes))
    if not filled:
        return
    written = fields.get(f"{key}_date", "").strip()
    for m in measures:
        _read_cell(tracker, m, cells[m.id], week, day, written, row_filled=True)
    for sid, text in strategies:
        if _ticked(ticks[sid]):
            tracker.entries.append(Entry(sid, text, "strategy", week, day, "ticked", 1.0,
                                         date_written=written))
    if notes:
        tracker.entries.append(Entry("notes", "Notes", "notes", week, day, notes,
                                     date_written=written))


def _read_cell(tracker: Tracker, m: Measure, raw: str, week: int, day: int | None,
               written: str, row_filled: bool) -> None:
    if m.kind == "yes-no":
        if _ticked(raw):
            tracker.entries.append(Entry(m.id, m.label, m.kind, week, day, "ticked", 1.0,
                                         date_written=written))
        elif row_filled:  # an empty box on a day with other entries means "no"
            tracker.entries.append(Entry(m.id, m.label, m.kind, week, day, "", 0.0,
                                         date_written=written))
        return
    text = raw.strip()
    if not text:
        return
    value, problem = parse_value(m, text)
    tracker.entries.append(Entry(m.id, m.label, m.kind, week, day, text, value, problem,
                                 date_written=written))


_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?\Z")
_MINUTES = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:m|min|mins|minutes?)?\.?\Z", re.I)


def parse_value(m: Measure, text: str) -> tuple[float | None, str | None]:
    """A written value as a number, or the reason it cannot be used."""
    shown = text if len(text) <= 30 else text[:27] + "..."
    if m.kind == "text":
        return None, None
    if m.kind == "count":
        if re.fullmatch(r"\d+", text):
            return float(text), None
        return None, f"'{m.label}' is '{shown}', not a whole number; left out"
    if m.kind == "minutes":
        match = _MINUTES.match(text)
        if match:
            return float(match[1].replace(",", ".")), None
        return None, f"'{m.label}' is '{shown}', not a number of minutes; left out"
    if m.kind == "scale":
        number = text
        fraction = re.fullmatch(r"(.+?)\s*/\s*(\d+)", text)
        if fraction and int(fraction[2]) == m.max:
            number = fraction[1]  # "7/10" on a 0-10 scale
        if not _NUMBER.match(number.strip()):
            return None, (f"'{m.label}' is '{shown}', not a number from {m.min} to {m.max}; "
                          "left out")
        value = float(number.strip().replace(",", "."))
        if not m.min <= value <= m.max:
            return None, f"'{m.label}' is {shown}, outside the scale {m.min}–{m.max}; left out"
        return value, None
    return None, None  # pragma: no cover - yes-no is read as a tick box


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, Exception):  # noqa: BLE001 - an unknown code: English dates
        return Locale.parse("en")


def _start_date(sheet: dict, written: str, shown: str, locale: Locale,
                warnings: list[Problem]) -> datetime.date | None:
    planned = datetime.date.fromisoformat(sheet["start"]) if sheet.get("start") else None
    written = written.strip()
    if not written:
        return planned
    day = parse_written_date(written, locale)
    if day is None:
        use = f"; used the packet's start date, {planned.isoformat()}" if planned else \
            "; days are numbered instead of dated"
        warnings.append(Problem(shown, None, f"the start date line says '{written[:40]}', which "
                                             f"is not a date I can read (write it like "
                                             f"2027-01-04){use}"))
        return planned
    return day


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
            month = month or _month(word, locale) or _month(word, _locale("en"))
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


def _month(word: str, locale: Locale) -> int | None:
    word = word.strip(".")
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months[context][width].items():
                if name.lower().strip(".") == word:
                    return number
    return None


# ---- goal ratings


def _read_rating(sheet: dict, fields: dict[str, str], shown: str, language: str,
                 warnings: list[Problem]) -> Rating:
    p = sheet["prefix"]
    raw = fields.get(f"{p}_level", "").strip()
    level = None
    if raw:
        try:
            level = int(raw)
        except ValueError:
            level = None
        if level not in gas.LEVELS:
            warnings.append(Problem(shown, None, f"the goal rating for '{sheet['title']}' is "
                                                 f"'{raw[:20]}', not one of -2, -1, 0, +1, +2; "
                                                 "left out"))
            level = None
    date_text = fields.get(f"{p}_date", "").strip()
    return Rating(shown, sheet["goal"], sheet.get("title", sheet["goal"]),
                  float(sheet.get("weight", 1)), dict(sheet.get("levels", {})), level, date_text,
                  parse_written_date(date_text, _locale(language)) if date_text else None,
                  fields.get(f"{p}_evidence", "").strip(), sheet.get("version", ""),
                  client=fields.get(f"{p}_name", "").strip())


# --------------------------------------------------------------------------- positions


def day_date(tracker: Tracker, day: int) -> datetime.date | None:
    return tracker.start + datetime.timedelta(days=day - 1) if tracker.start else None


def position(tracker: Tracker, entry: Entry) -> str:
    """Where an entry is on its tracker, as the client sees it: 'week 2, Wed Jan 13'."""
    if entry.day is None:
        return f"week {entry.week}"
    date = day_date(tracker, entry.day)
    if date is None:
        return f"week {entry.week}, day {entry.day}"
    return f"week {entry.week}, " + format_skeleton("MMMEd", date, locale=_locale(
        tracker.language)).replace("\u2009", " ").replace(",", "", 1)


# --------------------------------------------------------------------------- combining


@dataclass
class Point:
    """One usable or unusable value on a goal's timeline."""

    tracker: Tracker
    entry: Entry
    day: int | None  # on the goal's timeline
    week: int
    date: datetime.date | None
    used: bool = True
    note: str | None = None  # why not used, beyond entry.problem


@dataclass
class GoalSeries:
    goal: str
    title: str
    trackers: list[Tracker]
    measures: list[Measure]
    start: datetime.date | None
    points: list[Point]
    conflicts: list[Problem] = field(default_factory=list)

    @property
    def last_day(self) -> int:
        return max((p.day for p in self.points if p.day is not None), default=0)

    @property
    def last_week(self) -> int:
        return max((p.week for p in self.points), default=0)


def combine(trackers: list[Tracker]) -> tuple[list[GoalSeries], list[Problem]]:
    """Put each goal's trackers on one timeline. Returns the series and warnings; raises
    WorkbookError when trackers of one goal cannot be combined."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    by_goal: dict[str, list[Tracker]] = {}
    for tracker in trackers:
        by_goal.setdefault(tracker.goal, []).append(tracker)
    series = []
    for goal, group in by_goal.items():
        first = group[0]
        for other in group[1:]:
            if other.version != first.version:
                errors.append(Problem(other.file, None, (
                    f"its tracker for '{other.title}' was made from a changed version of the "
                    f"goal ({_difference(first, other)}), so it cannot be combined with "
                    f"{first.file}; run progress on them separately")))
        dated = [t for t in group if t.start]
        if dated and len(dated) != len(group):
            undated = next(t for t in group if not t.start)
            errors.append(Problem(undated.file, None, (
                f"its tracker for '{undated.title}' has no start date but {dated[0].file}'s "
                "has one; write the start date on its start date line so the two can be "
                "put in order")))
        if errors:
            continue
        if dated:
            start = min(t.start for t in group)
            for t in group:
                t.offset = (t.start - start).days
            order = sorted(group, key=lambda t: (t.start, group.index(t)))
        else:
            start = None
            offset = 0
            for t in group:
                t.offset = offset
                offset += 7 * t.last_week if t.per == "day" else 7 * t.last_week
            order = group
        points = _points(order, start, warnings)
        series.append(GoalSeries(goal, first.title, order, _union_measures(order), start, points))
    if errors:
        raise WorkbookError(errors)
    return series, warnings


def _difference(a: Tracker, b: Tracker) -> str:
    old = {m.id: m for m in a.measures}
    new = {m.id: m for m in b.measures}
    parts = []
    for mid in new.keys() - old.keys():
        parts.append(f"'{mid}' was added")
    for mid in old.keys() - new.keys():
        parts.append(f"'{mid}' was removed")
    for mid in sorted(old.keys() & new.keys()):
        x, y = old[mid], new[mid]
        if x.kind != y.kind:
            parts.append(f"'{mid}' is now a {y.kind}, was a {x.kind}")
        elif (x.min, x.max) != (y.min, y.max):
            parts.append(f"'{mid}' is now {y.min}–{y.max}, was {x.min}–{x.max}")
        elif x.every != y.every:
            parts.append(f"'{mid}' is now {'daily' if y.every == 'day' else 'weekly'}")
    return "; ".join(sorted(parts)) or "its measures changed"


def _union_measures(trackers: list[Tracker]) -> list[Measure]:
    """The goal's measures, labels and targets as the latest tracker has them."""
    return list(trackers[-1].measures)


def _points(trackers: list[Tracker], start: datetime.date | None,
            warnings: list[Problem]) -> list[Point]:
    points: list[Point] = []
    seen: dict[tuple, Point] = {}
    for tracker in trackers:  # earliest start first: a later tracker wins a clash
        for entry in tracker.entries:
            if entry.day is not None:
                day = tracker.offset + entry.day
                week = (day - 1) // 7 + 1
            else:
                day = None
                week = tracker.offset // 7 + entry.week
            if start is None:
                date = None
            elif day is not None:
                date = start + datetime.timedelta(days=day - 1)
            else:  # a weekly value: the week's first day
                date = start + datetime.timedelta(days=7 * (week - 1))
            point = Point(tracker, entry, day, week, date, used=entry.problem is None)
            key = (entry.measure, day, week if day is None else None)
            earlier = seen.get(key)
            if earlier is not None and earlier.used and point.used and entry.kind not in (
                    "notes",):
                if earlier.entry.value != entry.value or earlier.entry.text != entry.text:
                    earlier.used = False
                    earlier.note = f"{tracker.file} has {entry.text or 'no tick'} for this day"
                    warnings.append(Problem(earlier.tracker.file, None, (
                        f"{position(earlier.tracker, earlier.entry)}: '{entry.label}' is "
                        f"{earlier.entry.text or 'not ticked'} here and "
                        f"{entry.text or 'not ticked'} in {tracker.file}; used "
                        f"{tracker.file}'s (it started later)")))
                else:
                    earlier.used = False
                    earlier.note = f"the same as in {tracker.file}"
            if point.used:
                seen[key] = point
            points.append(point)
    return points


# --------------------------------------------------------------------------- summaries


@dataclass
class MeasureSummary:
    measure: Measure
    weekly: dict[int, float]  # week → weekly value (mean, or % of days for yes-no)
    daily: list[tuple[int, float]]  # (day, value) of usable daily values
    first: tuple[int, float] | None
    latest: tuple[int, float] | None
    filled: int  # days (or weeks) with a usable value
    span: int  # days (or weeks) from the start to the last filled one
    unit: str  # "days" or "weeks"

    @property
    def change(self) -> float | None:
        if self.first is None or self.latest is None or self.first[0] == self.latest[0]:
            return None
        return self.latest[1] - self.first[1]

    @property
    def target_met(self) -> bool | None:
        target = self.measure.target
        if not target or self.latest is None:
            return None
        if target["direction"] == "lower":
            return self.latest[1] <= target["value"]
        return self.latest[1] >= target["value"]

    @property
    def better(self) -> bool | None:
        """Whether the change goes the way the target points."""
        change = self.change
        target = self.measure.target
        if change is None or not target or change == 0:
            return None
        return (change < 0) == (target["direction"] == "lower")


def summarise(series: GoalSeries) -> list[MeasureSummary]:
    summaries = []
    span_days = series.last_day
    span_weeks = series.last_week
    for m in series.measures:
        if m.kind == "text":
            continue
        points = [p for p in series.points if p.used and p.entry.measure == m.id
                  and p.entry.value is not None]
        if m.every == "day":
            daily = sorted((p.day, p.entry.value) for p in points if p.day is not None)
            by_week: dict[int, list[float]] = {}
            for day, value in daily:
                by_week.setdefault((day - 1) // 7 + 1, []).append(value)
            if m.kind == "yes-no":
                weekly = {w: 100 * sum(v) / len(v) for w, v in by_week.items()}
            else:
                weekly = {w: sum(v) / len(v) for w, v in by_week.items()}
            filled, span, unit = len(daily), span_days, "days"
        else:
            daily = []
            weekly = {p.week: p.entry.value for p in points}
            filled, span, unit = len(weekly), span_weeks, "weeks"
        weeks = sorted(weekly)
        summaries.append(MeasureSummary(
            m, {w: weekly[w] for w in weeks}, daily,
            (weeks[0], weekly[weeks[0]]) if weeks else None,
            (weeks[-1], weekly[weeks[-1]]) if weeks else None,
            filled, span, unit))
    return summaries


def strategy_counts(series: GoalSeries) -> list[tuple[str, int]]:
    """Strategies by how many days (or weeks) they were ticked, most used first."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for p in series.points:
        if p.entry.kind == "strategy" and p.used:
            counts[p.entry.label] += 1
            order.setdefault(p.entry.label, int(p.entry.measure[1:]))
    return sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))


def notes(series: GoalSeries) -> list[tuple[Point, str]]:
    """What the client wrote in words: notes and text measures, in time order."""
    found = []
    for p in series.points:
        if p.entry.kind in ("notes", "text"):
            label = "" if p.entry.kind == "notes" else p.entry.label
            found.append((p, label))
    return sorted(found, key=lambda item: (item[0].day or item[0].week * 7, item[1]))


def latest_ratings(ratings: list[Rating]) -> tuple[list[Rating], list[Rating]]:
    """The latest rating of each goal (by the date written on it, then file order), and the
    earlier ones."""
    by_goal: dict[str, list[Rating]] = {}
    for rating in ratings:
        if rating.level is not None:
            by_goal.setdefault(rating.goal, []).append(rating)
    latest, earlier = [], []
    for goal, group in by_goal.items():
        group.sort(key=lambda r: (r.date or datetime.date.min, r.order))
        latest.append(group[-1])
        earlier.extend(group[:-1])
    return latest, earlier
