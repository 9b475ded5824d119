"""What a sheet is made of: blocks of form fields, ready for the templates.

Every sheet (a goal's worksheet, tracker, session-prep and rating sheet, and
every free-standing sheet) becomes a :class:`SheetDoc`: a title and a list of
blocks whose fields already carry their final names (:mod:`workbook.model.fields`)
and labels. The HTML page and the PDF render the same blocks with the same
macros (``templates/macros/blocks.html``, which switches on each block's
``kind``), so a field in the browser and in the PDF share one name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field as dc_field

from workbook.content import schema
from workbook.content.files import GoalFile, QuestionnaireFile, SheetFile
from workbook.model.fields import Field


@dataclass
class TextBlock:
    html: str  # Markdown rendered, with wb: link placeholders
    kind: str = "text"


@dataclass
class ExampleBlock:
    """Read-only facts: the SMART example, the targets, the steps."""

    label: str
    items: list[tuple[str, str]]  # (term, text)
    kind: str = "example"


@dataclass
class ScaleBlock:
    label: str
    field: Field  # kind radio
    kind: str = "scale"


@dataclass
class RatingBlock:
    """One choice from a few described levels, listed top to bottom (a goal rating)."""

    label: str
    field: Field  # kind radio; options carry the level descriptions
    kind: str = "rating"


@dataclass
class QuestionBlock:
    """One item of a questionnaire: its text and one choice among its scored answers."""

    number: int
    label: str
    field: Field  # kind radio; each option's value is its score
    risk: list[tuple[int, str]] = dc_field(default_factory=list)  # (at least, message)
    kind: str = "question"


@dataclass
class ScoreBlock:
    """Where the site shows the total once every item is answered (not on paper)."""

    rules: dict  # the scoring rules, as the PDF's description carries them
    kind: str = "score"


@dataclass
class PromptBlock:
    label: str
    field: Field
    hint: str | None = None
    kind: str = "prompt"


@dataclass
class ChecklistBlock:
    label: str
    fields: list[Field]
    kind: str = "checklist"


@dataclass
class ListBlock:
    label: str
    fields: list[Field]
    kind: str = "list"


@dataclass
class TableBlock:
    label: str
    columns: list[str]
    rows: list[list[Field]]
    kind: str = "table"


@dataclass
class Column:
    key: str  # measure id, "s1", "date" or "notes"
    label: str  # header text
    full: str  # full label for accessible names
    kind: str  # measure kind, "strategy", "date" or "notes"
    hint: str = ""  # e.g. "0-10", "min"
    low: int | None = None  # a scale's ends, for the one-day view on phones
    high: int | None = None


@dataclass
class Row:
    label: str  # "Day 15" or "Week 3"
    fields: list[Field]  # one per column


@dataclass
class Week:
    number: int
    caption: str
    rows: list[Row]
    summary: list[Field]  # weekly measures under a daily week block


@dataclass
class TrackerBlock:
    columns: list[Column]
    weeks: list[Week]
    strategies: list[tuple[str, str]]  # (short key "S1", text)
    weekly_measures: list[schema.Measure]
    per: str  # "day" or "week"
    kind: str = "tracker"

    @property
    def row_count(self) -> int:
        return sum(len(week.rows) for week in self.weeks)


@dataclass
class SheetDoc:
    key: str  # "goals/ease-anxiety/tracker" or "sheets/weekly-check-in"
    title: str
    kind: str  # worksheet | tracker | session-prep
    kind_label: str
    prefix: str  # field-name prefix
    blocks: list
    source_rel: str  # the content file it comes from
    intro_html: str | None = None
    goal: GoalFile | None = None
    sheet: SheetFile | None = None
    landscape: bool = False
    questionnaire: QuestionnaireFile | None = None
    due: datetime.date | None = None  # a packet's copy: the day it is meant to be filled in

    def __fingerprint__(self) -> tuple:
        """A sheet is made from its goal or sheet file (and the theme's text, hashed elsewhere)."""
        return ("doc", self.key, self.goal or self.sheet or self.questionnaire, self.prefix)

    @property
    def fields(self) -> list[Field]:
        """Every form field on the sheet, in reading order."""
        found: list[Field] = []
        for block in self.blocks:
            if isinstance(block, (ScaleBlock, PromptBlock, RatingBlock, QuestionBlock)):
                found.append(block.field)
            elif isinstance(block, (ChecklistBlock, ListBlock)):
                found.extend(block.fields)
            elif isinstance(block, TableBlock):
                found.extend(f for row in block.rows for f in row)
            elif isinstance(block, TrackerBlock):
                for week in block.weeks:
                    found.extend(f for row in week.rows for f in row.fields)
                    found.extend(week.summary)
            elif isinstance(block, LineBlock):
                found.extend(block.fields)
        return found


@dataclass
class LineBlock:
    """Labelled one-line fields side by side, e.g. name and date at the top of a sheet."""

    fields: list[Field]
    kind: str = "lines"
