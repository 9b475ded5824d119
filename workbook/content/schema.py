"""The shape of every content file, as pydantic models.

Pydantic checks keys and types; :mod:`workbook.content.validation` turns its
errors into ``file:line: message`` problems using the line map from
:mod:`workbook.content.source`. Rules that need more than one field or other
files (a scale's min below its max, a guidance slug that exists) live in
:mod:`workbook.content.rules`.
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

MEASURE_KINDS = ("count", "scale", "yes-no", "minutes", "text")
SHEET_KINDS = ("worksheet", "session-prep", "tracker")
GOAL_SHEETS = ("worksheet", "tracker", "session-prep")
#: The Goal Attainment Scaling rating sheet: only goals with ``gas:`` have one.
GAS_SHEET = "gas"
GAS_LEVELS = (-2, -1, 0, 1, 2)
BLOCK_KINDS = ("text", "scale", "prompt", "checklist", "list", "table")

DEFAULT_AREAS = {
    "personal-growth": "Personal growth",
    "emotional-wellbeing": "Emotional well-being",
    "relationships": "Relationships",
    "behaviour-change": "Behaviour change",
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- workbook.yaml


class Config(Model):
    title: Label
    organization: Label
    support_note: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] = "en"
    paper: Literal["letter", "a4"] = "letter"
    accent_color: Annotated[
        str, StringConstraints(pattern=r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
    ] = "#2f6f73"
    logo: Label | None = None
    areas: dict[Slug, Label] = Field(
        default_factory=lambda: dict(DEFAULT_AREAS), min_length=1, max_length=20
    )
    site_url: Label | None = None
    markdown_html: bool = False
    #: the questionnaires the site shows (the others are for packets only)
    questionnaires: list[Slug] = Field(default_factory=list, max_length=50)


# --------------------------------------------------------------------------- goals


class Timeframe(typing.NamedTuple):
    count: int
    unit: str  # day | week | month

    @property
    def days(self) -> int:
        per_unit = {"day": 1, "week": 7, "month": 365.25 / 12, "year": 365.25}[self.unit]
        return round(self.count * per_unit)

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


_TIMEFRAME = re.compile(r"^\s*(\d{1,6})\s+(day|week|month|year)s?\s*$")


def parse_timeframe(value: Any) -> Timeframe:
    match = _TIMEFRAME.match(value) if isinstance(value, str) else None
    if not match:
        shown = f"'{value}'" if isinstance(value, str) else str(value)
        raise PydanticCustomError(
            "workbook", "timeframe must look like '8 weeks', got {shown}", {"shown": shown}
        )
    return Timeframe(int(match[1]), match[2])


class Smart(Model):
    specific: Text
    measurable: Text
    achievable: Text
    relevant: Text
    time_bound: Text


class Target(Model):
    direction: Literal["lower", "higher"]
    value: float


class Measure(Model):
    id: Slug
    label: Label
    kind: Literal["count", "scale", "yes-no", "minutes", "text"]
    every: Literal["day", "week"] = "day"
    target: Target | None = None
    min: int | None = None
    max: int | None = None
    anchors: dict[int, Label] = Field(default_factory=dict)


class Step(Model):
    by: Label
    text: Text


class Gas(Model):
    """Goal Attainment Scaling: what each level from -2 to +2 looks like for this goal."""

    levels: dict[int | str, Any]  # level → description; checked in content.py
    weight: float = 1


class Goal(Model):
    title: Label
    area: Slug
    summary: Text
    smart: Smart
    timeframe: Annotated[Timeframe, PlainValidator(parse_timeframe)]
    measures: list[Measure] = Field(min_length=1)
    strategies: list[Label] = Field(default_factory=list, max_length=12)  # tracker columns
    steps: list[Step] = Field(default_factory=list, max_length=20)
    prompts: list[Text] = Field(default_factory=list, max_length=20)
    guidance: list[Slug] = Field(default_factory=list, max_length=20)
    gas: Gas | None = None
    questionnaires: list[Slug] = Field(default_factory=list, max_length=10)
    order: int = 0


# --------------------------------------------------------------------------- guidance


class GuidanceMeta(Model):
    title: Label
    summary: Text
    tags: list[Slug] = Field(default_factory=list, max_length=20)
    order: int = 0


# --------------------------------------------------------------------------- sheets


class TextBlock(Model):
    kind: Literal["text"]
    text: LongText


class ScaleBlock(Model):
    kind: Literal["scale"]
    id: Slug | None = None
    label: Label
    min: int = 0
    max: int = 10
    anchors: dict[int, Label] = Field(default_factory=dict)


class PromptBlock(Model):
    kind: Literal["prompt"]
    id: Slug | None = None
    label: Label
    hint: Text | None = None
    lines: int = 3


class ChecklistBlock(Model):
    kind: Literal["checklist"]
    id: Slug | None = None
    label: Label
    items: list[Label] = Field(min_length=1)


class ListBlock(Model):
    kind: Literal["list"]
    id: Slug | None = None
    label: Label
    lines: int = 3


class TableBlock(Model):
    kind: Literal["table"]
    id: Slug | None = None
    label: Label
    columns: list[Label] = Field(min_length=1)
    rows: int = 5


Block = Annotated[
    TextBlock | ScaleBlock | PromptBlock | ChecklistBlock | ListBlock | TableBlock,
    Field(discriminator="kind"),
]


class Sheet(Model):
    title: Label
    kind: Literal["worksheet", "session-prep", "tracker"]
    summary: Text | None = None
    intro: LongText | None = None
    blocks: list[Block] = Field(min_length=1, max_length=100)
    order: int = 0


# --------------------------------------------------------------------------- workbooks


class WorkbookItem(Model):
    """One item of a workbook's contents: a guide, a free sheet, or a goal's sheets."""

    guidance: Slug | None = None
    sheet: Slug | None = None
    goal: Slug | None = None
    questionnaire: Slug | None = None
    sheets: list[Literal["worksheet", "tracker", "session-prep", "gas"]] | None = None


class Workbook(Model):
    title: Label
    subtitle: Label | None = None
    intro: LongText | None = None
    contents: list[WorkbookItem] = Field(min_length=1, max_length=200)
    order: int = 0


# --------------------------------------------------------------------------- questionnaires

QUESTIONNAIRE_KIND = "questionnaire"
Score = Annotated[int, Field(ge=-100, le=100)]


class AnswerOption(Model):
    label: Label
    score: Score


class Item(Model):
    id: Slug
    text: Text
    options: list[AnswerOption] | None = Field(default=None, min_length=2, max_length=11)


class Scoring(Model):
    method: Literal["sum", "mean"] = "sum"
    multiply: Annotated[float, Field(gt=0, le=100)] = 1
    max_missing: Annotated[int, Field(ge=0, le=99)] = 0
    prorate: bool = False


class ScoreBand(Model):
    min: Annotated[float, Field(ge=-10000, le=10000)]
    max: Annotated[float, Field(ge=-10000, le=10000)]
    label: Label


class ReliabilityIndex(Model):
    """The Jacobson–Truax reliable change index: the scale's SD and its reliability."""

    sd: Annotated[float, Field(gt=0, le=10000)]
    reliability: Annotated[float, Field(gt=0, lt=1)]


class RiskRule(Model):
    item: Slug
    at_least: Score
    message: Text | None = None


class Questionnaire(Model):
    title: Label
    preset: Slug | None = None
    licence: Text
    citation: Text
    summary: Text | None = None
    period: Text | None = None
    every: Annotated[Timeframe, PlainValidator(parse_timeframe)] = Timeframe(2, "week")
    options: list[AnswerOption] | None = Field(default=None, min_length=2, max_length=11)
    items: list[Item] = Field(min_length=1, max_length=100)
    scoring: Scoring | None = None
    bands: list[ScoreBand] | None = Field(default=None, min_length=1, max_length=12)
    caseness: Annotated[float, Field(ge=-10000, le=10000)] | None = None
    reliable_change: Annotated[float, Field(gt=0, le=10000)] | ReliabilityIndex | None = None
    higher_is: Literal["worse", "better"] | None = None
    risk: list[RiskRule] | None = Field(default=None, max_length=20)
    order: int = 0

    #: keys a preset decides; a file that names a preset leaves them out
    PRESET_KEYS: typing.ClassVar[tuple[str, ...]] = (
        "scoring",
        "bands",
        "caseness",
        "reliable_change",
        "higher_is",
        "risk",
    )
