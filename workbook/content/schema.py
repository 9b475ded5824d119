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

from workbook.clinical import instruments
from workbook.content.i18n import LANGUAGE_CODE
from workbook.formats import Paper

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
#: A language code as workbook.yaml and a returned file may give it (en, es, en-GB, pt-BR).
LanguageCode = Annotated[str, StringConstraints(pattern=f"^{LANGUAGE_CODE.pattern}$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
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
    language: LanguageCode = "en"
    paper: Paper = "letter"
    accent_color: Colour = "#2f6f73"
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
    amount: int
    unit: str  # day | week | month

    @property
    def days(self) -> int:
        per_unit = {"day": 1, "week": 7, "month": 365.25 / 12, "year": 365.25}[self.unit]
        return round(self.amount * per_unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


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


class TextSpec(Model):
    kind: Literal["text"]
    text: LongText


class ScaleSpec(Model):
    kind: Literal["scale"]
    id: Slug | None = None
    label: Label
    min: int = 0
    max: int = 10
    anchors: dict[int, Label] = Field(default_factory=dict)


class PromptSpec(Model):
    kind: Literal["prompt"]
    id: Slug | None = None
    label: Label
    hint: Text | None = None
    lines: int = 3


class ChecklistSpec(Model):
    kind: Literal["checklist"]
    id: Slug | None = None
    label: Label
    items: list[Label] = Field(min_length=1)


class ListSpec(Model):
    kind: Literal["list"]
    id: Slug | None = None
    label: Label
    lines: int = 3


class TableSpec(Model):
    kind: Literal["table"]
    id: Slug | None = None
    label: Label
    columns: list[Label] = Field(min_length=1)
    rows: int = 5


Block = Annotated[
    TextSpec | ScaleSpec | PromptSpec | ChecklistSpec | ListSpec | TableSpec,
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
AnswerScore = Annotated[int, Field(ge=instruments.MIN_SCORE, le=instruments.MAX_SCORE)]
#: Band ends, caseness and the SD of reliable change lie within these (any instrument's)
Bound = Annotated[
    float, Field(ge=-instruments.MAX_NUMBER, le=instruments.MAX_NUMBER, allow_inf_nan=False)
]


class AnswerOption(Model):
    label: Label
    score: AnswerScore


class Item(Model):
    id: Slug
    text: Text
    options: list[AnswerOption] | None = Field(
        default=None, min_length=instruments.MIN_ANSWERS, max_length=instruments.MAX_ANSWERS
    )


class Scoring(Model):
    method: Literal["sum", "mean"] = "sum"
    multiply: Annotated[float, Field(gt=0, le=instruments.MAX_MULTIPLY)] = 1
    max_missing: Annotated[int, Field(ge=0, le=instruments.MAX_MISSING)] = 0
    prorate: bool = False


class ScoreBand(Model):
    min: Bound
    max: Bound
    label: Label


class ReliabilityIndex(Model):
    """The Jacobson–Truax reliable change index: the scale's SD and its reliability."""

    sd: Annotated[float, Field(gt=0, le=instruments.MAX_NUMBER)]
    reliability: Annotated[float, Field(gt=0, lt=1)]


class RiskRule(Model):
    item: Slug
    at_least: AnswerScore
    message: Text | None = None


class Questionnaire(Model):
    title: Label
    preset: Slug | None = None
    licence: Text
    citation: Text
    summary: Text | None = None
    period: Text | None = None
    every: Annotated[Timeframe, PlainValidator(parse_timeframe)] = Timeframe(2, "week")
    options: list[AnswerOption] | None = Field(
        default=None, min_length=instruments.MIN_ANSWERS, max_length=instruments.MAX_ANSWERS
    )
    items: list[Item] = Field(min_length=1, max_length=instruments.MAX_ITEMS)
    scoring: Scoring | None = None
    bands: list[ScoreBand] | None = Field(
        default=None, min_length=1, max_length=instruments.MAX_BANDS
    )
    caseness: Bound | None = None
    reliable_change: (
        Annotated[float, Field(gt=0, le=instruments.MAX_NUMBER)] | ReliabilityIndex | None
    ) = None
    higher_is: Literal["worse", "better"] | None = None
    risk: list[RiskRule] | None = Field(default=None, max_length=instruments.MAX_RISK_RULES)
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

    def item_scores(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each item's id and its answers' scores (its own options, else the shared ones)."""
        return [
            (item.id, tuple(o.score for o in (item.options or self.options or [])))
            for item in self.items
        ]

    def rules(self, t: instruments.Translate) -> instruments.Rules:
        """The rules this file is scored by: its preset's, or its own."""
        if self.preset in instruments.PRESETS:
            preset = instruments.PRESETS[self.preset]
            return instruments.preset_rules(preset, [item.id for item in self.items], t)
        scoring = self.scoring or Scoring()
        rc = self.reliable_change
        index = rc if isinstance(rc, ReliabilityIndex) else None
        return instruments.Rules(
            items=tuple(self.item_scores()),
            method=scoring.method,
            multiply=scoring.multiply,
            max_missing=scoring.max_missing,
            prorate=scoring.prorate,
            bands=tuple(instruments.Band(b.min, b.max, b.label) for b in self.bands or ()),
            caseness=self.caseness,
            rc_points=rc if isinstance(rc, (int, float)) else None,
            rc_sd=index.sd if index else None,
            rc_reliability=index.reliability if index else None,
            higher_is=self.higher_is or "worse",
            risk=tuple(
                instruments.Risk(
                    r.item,
                    r.at_least,
                    r.message or instruments.preset_words(t)[instruments.RISK_MESSAGE],
                )
                for r in self.risk or ()
            ),
        )
