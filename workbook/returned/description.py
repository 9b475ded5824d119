"""The ``/GoalWorkbooks`` description a returned PDF carries, checked like any input.

The build writes it (:mod:`workbook.model.formdata`), but a returned file can say
anything, so before it is used every value is checked against this versioned
schema, with bounds on every number, string and list: names are slugs, the
language is a language code, the paper one of two, the colour a hex colour, a
tracker has at most 12 measures over at most :data:`MAX_DAYS` days, a scale at
most 101 points, a weight is a finite number above 0 and at most 100, a questionnaire has 1-100 items of
2-11 distinct whole scores in -100..100, at most 12 bands and 20 risk rules naming its own
items, every number finite. Nothing
from it ever becomes a path, a file name, CSS or a template: chart names are
made from its slugs, which are checked to be ``[a-z0-9-]``. A description that
does not fit is "damaged", and the file is refused with that message.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from workbook.clinical import instruments
from workbook.content.schema import AnswerScore, Bound, Colour, LanguageCode, Slug
from workbook.formats import Paper

MAX_DAYS = 400  # a 12-month tracker is 364 days
MAX_SHEETS = 500  # a big workbook has a few hundred
Prefix = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(_[a-z0-9-]+)?$", max_length=130)
]
Words = Annotated[str, StringConstraints(max_length=200)]
LongWords = Annotated[str, StringConstraints(max_length=2000)]


def _finite(value: object) -> float:
    """A JSON number as a float: not true/false, not text, not NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


class _Model(BaseModel):
    # unknown keys are ignored: a later format may add some (its number says what it needs)
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class DescribedSite(_Model):
    organization: Words = ""
    language: LanguageCode = "en"
    paper: Paper = "letter"
    accent_color: Colour = "#2f6f73"


class DescribedTarget(_Model):
    direction: Literal["lower", "higher"]
    value: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]

    _number = field_validator("value", mode="before")(lambda cls, value: _finite(value))


class DescribedMeasure(_Model):
    id: Slug
    label: Words
    kind: Literal["count", "scale", "yes-no", "minutes", "text"]
    every: Literal["day", "week"] = "day"
    min: Annotated[int, Field(ge=-1000, le=1000)] | None = None
    max: Annotated[int, Field(ge=-1000, le=1000)] | None = None
    target: DescribedTarget | None = None

    @model_validator(mode="after")
    def _scale(self):
        if self.kind == "scale" and (
            self.min is None or self.max is None or not 0 < self.max - self.min <= 100
        ):
            raise ValueError("a scale needs a min below its max, at most 100 apart")
        return self


class DescribedTracker(_Model):
    kind: Literal["tracker"]
    goal: Slug
    title: Words = ""
    prefix: Prefix
    version: Annotated[str, StringConstraints(pattern=r"^m-[0-9a-f]{12}$")]
    per: Literal["day", "week"]
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)]
    start: datetime.date | None = None
    measures: Annotated[list[DescribedMeasure], Field(min_length=1, max_length=12)]
    strategies: Annotated[list[Words], Field(max_length=12)] = []

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: object) -> datetime.date | None:
        if value is None:
            return None
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError("not a date")
        day = datetime.date.fromisoformat(value)
        if not 1900 <= day.year <= 2200:
            raise ValueError("a year far from now")
        return day

    @model_validator(mode="after")
    def _unique(self):
        if len({m.id for m in self.measures}) != len(self.measures):
            raise ValueError("measure ids repeat")
        return self


class DescribedRating(_Model):
    kind: Literal["gas"]
    goal: Slug
    title: Words = ""
    prefix: Prefix
    version: Annotated[str, StringConstraints(pattern=r"^g-[0-9a-f]{12}$")] = ""
    weight: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = 1.0
    levels: dict[Literal["-2", "-1", "0", "1", "2"], LongWords]

    _weight = field_validator("weight", mode="before")(lambda cls, value: _finite(value))


def _number(value: object) -> float | None:
    return None if value is None else _finite(value)


#: Reliable change in points, or its SD: above 0, within the bound of every number
Positive = Annotated[float, Field(gt=0, le=instruments.MAX_NUMBER, allow_inf_nan=False)]


class DescribedItem(_Model):
    id: Slug
    scores: Annotated[
        list[AnswerScore],
        Field(min_length=instruments.MIN_ANSWERS, max_length=instruments.MAX_ANSWERS),
    ]

    @model_validator(mode="after")
    def _unique(self):
        if len(set(self.scores)) != len(self.scores):
            raise ValueError("an item's scores repeat")
        return self


class DescribedBand(_Model):
    min: Bound
    max: Bound
    label: Words

    _numbers = field_validator("min", "max", mode="before")(lambda cls, v: _finite(v))


class DescribedRisk(_Model):
    item: Slug
    at_least: AnswerScore
    message: LongWords = ""


class DescribedRules(_Model):
    items: Annotated[list[DescribedItem], Field(min_length=1, max_length=instruments.MAX_ITEMS)]
    method: Literal["sum", "mean"]
    multiply: Annotated[float, Field(gt=0, le=instruments.MAX_MULTIPLY, allow_inf_nan=False)] = 1.0
    max_missing: Annotated[int, Field(ge=0, le=instruments.MAX_MISSING)] = 0
    prorate: bool = False
    bands: Annotated[list[DescribedBand], Field(max_length=instruments.MAX_BANDS)] = []
    caseness: Bound | None = None
    rc_points: Positive | None = None
    rc_sd: Positive | None = None
    rc_reliability: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] | None = None
    higher_is: Literal["worse", "better"] = "worse"
    risk: Annotated[list[DescribedRisk], Field(max_length=instruments.MAX_RISK_RULES)] = []

    _numbers = field_validator(
        "multiply", "caseness", "rc_points", "rc_sd", "rc_reliability", mode="before"
    )(lambda cls, v: _number(v))

    def rules(self) -> instruments.Rules:
        """The rules as :mod:`workbook.clinical.instruments` scores by them."""
        return instruments.Rules(
            items=tuple((item.id, tuple(item.scores)) for item in self.items),
            method=self.method,
            multiply=self.multiply,
            max_missing=self.max_missing,
            prorate=self.prorate,
            bands=tuple(instruments.Band(b.min, b.max, b.label) for b in self.bands),
            caseness=self.caseness,
            rc_points=self.rc_points,
            rc_sd=self.rc_sd,
            rc_reliability=self.rc_reliability,
            higher_is=self.higher_is,
            risk=tuple(instruments.Risk(r.item, r.at_least, r.message) for r in self.risk),
        )

    @model_validator(mode="after")
    def _items(self):
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids repeat")
        if any(risk.item not in ids for risk in self.risk):
            raise ValueError("a risk rule names an unknown item")
        return self


class DescribedQuestionnaire(_Model):
    kind: Literal["questionnaire"]
    instrument: Slug
    preset: Slug | None = None
    title: Words = ""
    prefix: Prefix
    version: Annotated[str, StringConstraints(pattern=r"^q-[0-9a-f]{12}$")]
    due: datetime.date | None = None
    rules: DescribedRules

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: object) -> datetime.date | None:
        return DescribedTracker._start(value)


class DescribedOther(_Model):
    """A worksheet or session-prep sheet: read by nobody, only named in messages."""

    kind: Literal["worksheet", "session-prep"]


DescribedSheet = Annotated[
    DescribedTracker | DescribedRating | DescribedQuestionnaire | DescribedOther,
    Field(discriminator="kind"),
]


class Description(_Model):
    format: Annotated[int, Field(ge=1)]
    site: DescribedSite = DescribedSite()
    sheets: Annotated[list[DescribedSheet], Field(max_length=MAX_SHEETS)]


class Damaged(ValueError):
    """The description is not one this program made; ``reason`` says where, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse(text: str, newest: int) -> Description:
    """The description in ``text``; Damaged when it does not fit the schema, or a
    ``format`` newer than ``newest`` (ValueError with the number)."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise Damaged("it is not valid JSON") from None
    if not isinstance(data, dict):
        raise Damaged("it is not a JSON object")
    version = data.get("format")
    if isinstance(version, int) and not isinstance(version, bool) and version > newest:
        raise ValueError(version)
    sheets = data.get("sheets")
    if isinstance(sheets, list):  # sheets of kinds this program does not know are left out
        data = {
            **data,
            "sheets": [
                s
                for s in sheets
                if not isinstance(s, dict)
                or s.get("kind") in ("tracker", "gas", "worksheet", "session-prep", "questionnaire")
            ],
        }
    try:
        return Description.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"][:4])
        raise Damaged(f"{where or 'the description'}: {first['msg'][:80]}") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
