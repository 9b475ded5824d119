"""Every sheet of a project, built as blocks of named form fields.

A goal gets a worksheet, a tracker and a session-prep sheet (and a goal rating
sheet when it has ``gas:``), all generated here from its YAML; a free-standing
sheet in ``content/sheets/`` is built from its typed blocks. What they are made
of is :mod:`workbook.model.blocks`; how their fields are named is
:mod:`workbook.model.fields`, the one codec that packets and ``workbook
progress`` use too.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

from markupsafe import escape

from workbook.clinical.instruments import rules_data
from workbook.clinical.wording import GAS_LEVELS_DOWN, gas_level_names, signed_level, target_text
from workbook.content import schema
from workbook.content.files import GoalFile, QuestionnaireFile, SheetFile
from workbook.content.i18n import Catalogue
from workbook.content.load import Content
from workbook.content.markdown import link_targets
from workbook.model.blocks import (
    ChecklistBlock,
    Column,
    ExampleBlock,
    LineBlock,
    ListBlock,
    PromptBlock,
    QuestionBlock,
    RatingBlock,
    Row,
    ScaleBlock,
    ScoreBlock,
    SheetDoc,
    TableBlock,
    TextBlock,
    TrackerBlock,
    Week,
)
from workbook.model.fields import (
    DATE,
    DATE_COLUMN,
    NAME,
    NOTES_COLUMN,
    Field,
    Option,
    cell_parts,
    day_row,
    field_name,
    goal_prefix,
    header_field,
    strategy_part,
    week_row,
)

SMART_PARTS = ("specific", "measurable", "achievable", "relevant", "time_bound")


def header_lines(prefix: str, t: Catalogue, date_label: str | None = None) -> LineBlock:
    """The name and date lines every sheet starts with."""
    return LineBlock(
        [
            Field(header_field(prefix, NAME), t("Name"), "text"),
            Field(header_field(prefix, DATE), date_label or t("Date"), "text"),
        ]
    )


# ----------------------------------------------------------------- building


def all_sheets(content: Content) -> list[SheetDoc]:
    """Every sheet of the project: each goal's three, then the free sheets."""
    docs: list[SheetDoc] = []
    for slug in sorted(content.goals):
        goal = content.goals[slug]
        docs.append(goal_worksheet(goal, content.t))
        docs.append(goal_tracker(goal, content.t))
        docs.append(goal_session_prep(goal, content.t))
        if goal.data.gas is not None:
            docs.append(goal_gas(goal, content.t))
    for slug in sorted(content.sheets):
        docs.append(free_sheet(content.sheets[slug], content.t))
    for questionnaire in content.published:
        docs.append(questionnaire_sheet(questionnaire, content.t))
    return docs


def part_title(doc: SheetDoc) -> str:
    """A sheet's name in running headers, bookmarks and contents: "Goal: Tracker"."""
    return f"{doc.title}: {doc.kind_label}" if doc.goal else doc.title


def sheet_links(doc: SheetDoc) -> list[str]:
    """Where the sheet's Markdown links and images point (site paths)."""
    html = [doc.intro_html or ""] + [b.html for b in doc.blocks if isinstance(b, TextBlock)]
    return [target for text in html for target in link_targets(text)]


def kind_label(kind: str, t: Callable[..., str]) -> str:
    return {
        "worksheet": t("Worksheet"),
        "tracker": t("Tracker"),
        "session-prep": t("Session prep"),
        "gas": t("Goal rating"),
        "questionnaire": t("Questionnaire"),
    }[kind]


def goal_sheet_kinds(goal: GoalFile) -> tuple[str, ...]:
    """The sheets a goal has: the three, and a goal rating sheet when it has 'gas:'."""
    return schema.GOAL_SHEETS + ((schema.GAS_SHEET,) if goal.data.gas is not None else ())


def _goal_doc(
    goal: GoalFile, kind: str, t: Catalogue, blocks: list, landscape: bool = False
) -> SheetDoc:
    return SheetDoc(
        key=f"goals/{goal.slug}/{kind}",
        title=goal.data.title,
        kind=kind,
        kind_label=kind_label(kind, t),
        prefix=goal_prefix(goal.slug, kind),
        blocks=blocks,
        source_rel=goal.rel,
        goal=goal,
        landscape=landscape,
    )


def smart_labels(t: Catalogue) -> dict[str, str]:
    return {
        "specific": t("Specific"),
        "measurable": t("Measurable"),
        "achievable": t("Achievable"),
        "relevant": t("Relevant"),
        "time_bound": t("Time-bound"),
    }


def smart_questions(t: Catalogue) -> dict[str, str]:
    return {
        "specific": t("Specific: what exactly will I do or change?"),
        "measurable": t("Measurable: how will I know, and what will I count?"),
        "achievable": t("Achievable: why is this within my reach right now?"),
        "relevant": t("Relevant: why does this matter to me?"),
        "time_bound": t("Time-bound: by when, and when will I check in?"),
    }


def timeframe_text(timeframe: schema.Timeframe, t: Catalogue) -> str:
    """'12 weeks' in the site's language (content always writes it in English)."""
    n = timeframe.amount
    if n == 1:
        return {"day": t("1 day"), "week": t("1 week"), "month": t("1 month")}[timeframe.unit]
    return {"day": t("{n} days", n=n), "week": t("{n} weeks", n=n), "month": t("{n} months", n=n)}[
        timeframe.unit
    ]


def measure_hint(measure: schema.Measure, t: Catalogue) -> str:
    return {
        "count": t("number"),
        "scale": f"{measure.min}–{measure.max}",
        "yes-no": t("tick = yes"),
        "minutes": t("minutes"),
        "text": t("a few words"),
    }[measure.kind]


def column_hint(measure: schema.Measure, t: Catalogue) -> str:
    """The hint under a tracker column label, unless the label already says it."""
    hint = measure_hint(measure, t)
    if (
        measure.kind == "scale"
        and f"{measure.min}" in measure.label
        and f"{measure.max}" in measure.label
    ):
        return ""
    return hint


def goal_worksheet(goal: GoalFile, t: Catalogue) -> SheetDoc:
    g = goal.data
    p = goal_prefix(goal.slug, "worksheet")
    labels = smart_labels(t)
    questions = smart_questions(t)
    blocks: list = [
        header_lines(p, t),
        TextBlock(f"<p>{_escape(g.summary)}</p>"),
        ExampleBlock(
            t("An example written the SMART way"),
            [(labels[part], getattr(g.smart, part)) for part in SMART_PARTS],
        ),
        TextBlock(
            "<p>"
            + _escape(
                t(
                    "Now write your own version. Borrow from the example "
                    "where it fits; change what does not."
                )
            )
            + "</p>"
        ),
    ]
    for part in SMART_PARTS:
        blocks.append(
            PromptBlock(
                questions[part],
                Field(field_name(p, part.replace("_", "-")), questions[part], "textarea", 2),
            )
        )
    if g.steps:
        blocks.append(
            ExampleBlock(
                t("Steps along the way (example)"), [(step.by, step.text) for step in g.steps]
            )
        )
    columns = [t("By when"), t("My step")]
    rows = max(3, len(g.steps))
    label = t("My steps")
    blocks.append(
        TableBlock(
            label,
            columns,
            [
                [
                    Field(
                        field_name(p, "steps", *cell_parts(r, c)),
                        t(
                            "{label}, row {row}: {column}",
                            label=label,
                            row=r,
                            column=columns[c - 1],
                        ),
                        "text",
                    )
                    for c in (1, 2)
                ]
                for r in range(1, rows + 1)
            ],
        )
    )
    for key, text in (
        ("obstacles", t("What might get in the way?")),
        ("supports", t("Who or what can help me keep going?")),
    ):
        blocks.append(PromptBlock(text, Field(field_name(p, key), text, "textarea", 3)))
    for index, prompt in enumerate(g.prompts, start=1):
        blocks.append(
            PromptBlock(prompt, Field(field_name(p, f"prompt{index}"), prompt, "textarea", 3))
        )
    return _goal_doc(goal, "worksheet", t, blocks)


def goal_tracker(goal: GoalFile, t: Catalogue) -> SheetDoc:
    g = goal.data
    p = goal_prefix(goal.slug, "tracker")
    daily = [m for m in g.measures if m.every == "day"]
    weekly = [m for m in g.measures if m.every == "week"]
    strategies = [(f"S{i}", text) for i, text in enumerate(g.strategies, start=1)]
    per = "day" if daily else "week"
    row_measures = daily if daily else weekly
    columns = [Column(DATE_COLUMN, t("Date"), t("Date"), "date")]
    columns += [
        Column(m.id, m.label, m.label, m.kind, column_hint(m, t), m.min, m.max)
        for m in row_measures
    ]
    columns += [
        Column(strategy_part(i), key, text, "strategy")
        for i, (key, text) in enumerate(strategies, start=1)
    ]
    columns += [Column(NOTES_COLUMN, t("Notes"), t("Notes"), "notes")]

    days = tracker_days(g.timeframe)
    weeks: list[Week] = []
    for w in range(1, math.ceil(days / 7) + 1):
        if per == "day":
            first, last = (w - 1) * 7 + 1, min(w * 7, days)
            rows = [
                _tracker_row(
                    day_row(p, w, d - first + 1),
                    t("Day {n}", n=d),
                    t("Week {week}, day {day}", week=w, day=d),
                    columns,
                )
                for d in range(first, last + 1)
            ]
            summary = [
                Field(
                    field_name(week_row(p, w), m.id),
                    t("Week {week}: {label}", week=w, label=m.label),
                    "checkbox" if m.kind == "yes-no" else "text",
                    numeric=m.kind in ("count", "scale", "minutes"),
                )
                for m in weekly
            ]
            caption = t("Week {week} · days {first}–{last}", week=w, first=first, last=last)
        else:
            rows = [
                _tracker_row(week_row(p, w), t("Week {n}", n=w), t("Week {week}", week=w), columns)
            ]
            summary = []
            caption = t("Week {week}", week=w)
        weeks.append(Week(w, caption, rows, summary))
    tracker = TrackerBlock(
        columns,
        weeks if per == "day" else _one_block(weeks, t),
        strategies,
        weekly if per == "day" else [],
        per,
    )
    blocks: list = [header_lines(p, t, t("Start date"))]
    targets = [(m.label, target_text(m, t)) for m in g.measures if m.target]
    info = [(t("Goal"), g.summary)] + [
        (t("Target: {label}", label=label), text) for label, text in targets
    ]
    blocks.append(ExampleBlock(t("What I am tracking"), info))
    blocks.append(tracker)
    return _goal_doc(goal, "tracker", t, blocks, landscape=_too_wide(columns))


#: Narrowest readable width of each kind of tracker column, in inches (pdf.css).
COLUMN_INCHES = {
    "date": 0.7,
    "count": 0.8,
    "scale": 0.8,
    "minutes": 0.8,
    "yes-no": 0.6,
    "strategy": 0.32,
    "text": 1.5,
    "notes": 1.3,
}
PORTRAIT_INCHES = 7.0  # A4 portrait (8.27 in) less 0.6 in margins, rounded down


def _too_wide(columns: list[Column]) -> bool:
    """A tracker that cannot stay readable in portrait is printed landscape."""
    return 0.55 + sum(COLUMN_INCHES[c.kind] for c in columns) > PORTRAIT_INCHES


def tracker_days(timeframe: schema.Timeframe) -> int:
    """Days a daily tracker covers: the timeframe, in whole weeks for months."""
    if timeframe.unit in ("month", "year"):
        return max(1, round(timeframe.days / 7)) * 7
    return timeframe.days


def _one_block(weeks: list[Week], t: Catalogue) -> list[Week]:
    """A weekly tracker is one table: all week rows under one header."""
    rows = [row for week in weeks for row in week.rows]
    return [Week(0, t("Weeks 1–{n}", n=len(weeks)), rows, [])]


def _tracker_row(row: str, label: str, full: str, columns: list[Column]) -> Row:
    """One tracker row: ``row`` starts every cell's name (see :func:`fields.day_row`)."""
    return Row(
        label,
        [
            Field(
                field_name(row, column.key),
                f"{full}: {column.full}",
                "checkbox" if column.kind in ("yes-no", "strategy") else "text",
                1,
                column.kind in ("count", "scale", "minutes"),
            )
            for column in columns
        ],
    )


def goal_session_prep(goal: GoalFile, t: Catalogue) -> SheetDoc:
    g = goal.data
    p = goal_prefix(goal.slug, "session-prep")
    blocks: list = [
        header_lines(p, t, t("Date of my next session")),
        ExampleBlock(
            t("My goal"),
            [(t("Goal"), g.summary)]
            + [
                (t("Target: {label}", label=m.label), target_text(m, t))
                for m in g.measures
                if m.target
            ],
        ),
    ]
    q = t("What progress have I noticed since my last session?")
    blocks.append(
        PromptBlock(
            q,
            Field(field_name(p, "progress"), q, "textarea", 3),
            hint=t("Look at your tracker: what changed in the numbers?"),
        )
    )
    label = t("How close does my goal feel right now?")
    blocks.append(
        ScaleBlock(
            label,
            Field(
                field_name(p, "closeness"),
                label,
                "radio",
                options=scale_options(
                    t, 0, 10, {0: t("not started"), 5: t("halfway"), 10: t("goal reached")}
                ),
            ),
        )
    )
    for key, text in (("helped", t("What helped?")), ("obstacles", t("What got in the way?"))):
        blocks.append(PromptBlock(text, Field(field_name(p, key), text, "textarea", 3)))
    if g.strategies:
        label = t("Strategies I used")
        blocks.append(
            ChecklistBlock(
                label,
                [
                    Field(field_name(p, strategy_part(i)), text, "checkbox")
                    for i, text in enumerate(g.strategies, start=1)
                ],
            )
        )
    label = t("What I want to bring up")
    blocks.append(
        ListBlock(
            label,
            [
                Field(
                    field_name(p, f"bring-up{i}"), t("{label}, line {n}", label=label, n=i), "text"
                )
                for i in range(1, 4)
            ],
        )
    )
    return _goal_doc(goal, "session-prep", t, blocks)


def goal_gas(goal: GoalFile, t: Catalogue) -> SheetDoc:
    """The Goal Attainment Scaling sheet: the level reached at follow-up, from +2 down to -2."""
    g = goal.data
    gas = g.gas
    assert gas is not None  # only a goal with gas: has a rating sheet
    p = goal_prefix(goal.slug, "gas")
    names = gas_level_names(t)
    label = t("Where am I with this goal now?")
    blocks: list = [
        header_lines(p, t, t("Date of rating")),
        ExampleBlock(t("My goal"), [(t("Goal"), g.summary)]),
        TextBlock(
            "<p>"
            + _escape(
                t(
                    "Read all five levels, then tick the one that best describes where you are "
                    "today. Level 0 is the outcome you and your therapist expected; the levels "
                    "above and below it are better or less than that."
                )
            )
            + "</p>"
        ),
        RatingBlock(
            label,
            Field(
                field_name(p, "level"),
                label,
                "radio",
                options=[
                    Option(
                        level,
                        names[level],
                        gas.levels[level],
                        f"{signed_level(level)}: {names[level]}",
                    )
                    for level in GAS_LEVELS_DOWN
                ],
            ),
        ),
    ]
    q = t("What tells me I am at this level?")
    blocks.append(
        PromptBlock(
            q,
            Field(field_name(p, "evidence"), q, "textarea", 3),
            hint=t("Think of the last two weeks: what happened, what did you notice?"),
        )
    )
    return _goal_doc(goal, "gas", t, blocks)


def scale_options(t: Catalogue, low: int, high: int, anchors: dict[int, str]) -> list[Option]:
    """The options of a rating scale, each with its spoken name: "3 of 10", and its
    anchor when it has one ("10 of 10, goal reached")."""
    options = []
    for value in range(low, high + 1):
        spoken = t("{value} of {top}", value=value, top=high)
        if anchors.get(value):
            spoken = f"{spoken}, {anchors[value]}"
        options.append(Option(value, anchors.get(value), None, spoken))
    return options


def questionnaire_sheet(
    questionnaire: QuestionnaireFile, t: Catalogue, copy: datetime.date | None = None
) -> SheetDoc:
    """A questionnaire: name and date lines, its period, one question per item (a radio
    group ``<slug>_<item>`` whose values are the answers' scores), its source.

    ``copy``: a packet's dated copy; its fields are ``<slug>_<YYYY-MM-DD>_<item>`` so that
    several copies share one PDF."""
    q = questionnaire.data
    slug = questionnaire.slug
    prefix = slug if copy is None else field_name(slug, copy.isoformat())
    rules = q.rules(t)
    blocks: list = [header_lines(prefix, t)]
    if q.period:
        blocks.append(TextBlock(f'<p class="period">{_escape(q.period)}</p>'))
    risks: dict[str, list[tuple[int, str]]] = {}
    for risk in rules.risk:
        risks.setdefault(risk.item, []).append((risk.at_least, risk.message))
    for number_, item in enumerate(q.items, start=1):
        answers = item.options or q.options or []  # (checked: one of the two is given)
        options = [Option(o.score, o.label, None, o.label) for o in answers]
        blocks.append(
            QuestionBlock(
                number_,
                item.text,
                Field(
                    field_name(prefix, item.id), f"{number_}. {item.text}", "radio", options=options
                ),
                risks.get(item.id, []),
            )
        )
    blocks.append(ScoreBlock(rules_data(rules)))
    blocks.append(
        TextBlock(
            '<p class="source">'
            + _escape(
                t(
                    "Source: {citation} Licence: {licence}",
                    citation=_sentence(q.citation),
                    licence=_sentence(q.licence),
                )
            )
            + "</p>"
        )
    )
    return SheetDoc(
        key=f"questionnaires/{slug}",
        title=q.title,
        kind=schema.QUESTIONNAIRE_KIND,
        kind_label=kind_label(schema.QUESTIONNAIRE_KIND, t),
        prefix=prefix,
        blocks=blocks,
        source_rel=questionnaire.rel,
        intro_html=f"<p>{_escape(q.summary)}</p>" if q.summary else None,
        questionnaire=questionnaire,
        due=copy,
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def free_sheet(sheet: SheetFile, t: Catalogue) -> SheetDoc:
    s = sheet.data
    blocks: list = [header_lines(sheet.slug, t)]
    for index, block in enumerate(s.blocks):
        if block.kind == "text":
            blocks.append(TextBlock(sheet.texts[index].html))
            continue
        base = field_name(sheet.slug, block.id or f"b{index + 1}")
        if block.kind == "scale":
            blocks.append(
                ScaleBlock(
                    block.label,
                    Field(
                        base,
                        block.label,
                        "radio",
                        options=scale_options(t, block.min, block.max, block.anchors),
                    ),
                )
            )
        elif block.kind == "prompt":
            blocks.append(
                PromptBlock(
                    block.label, Field(base, block.label, "textarea", block.lines), hint=block.hint
                )
            )
        elif block.kind == "checklist":
            blocks.append(
                ChecklistBlock(
                    block.label,
                    [
                        Field(field_name(base, str(i)), item, "checkbox")
                        for i, item in enumerate(block.items, 1)
                    ],
                )
            )
        elif block.kind == "list":
            blocks.append(
                ListBlock(
                    block.label,
                    [
                        Field(
                            field_name(base, str(i)),
                            t("{label}, line {n}", label=block.label, n=i),
                            "text",
                        )
                        for i in range(1, block.lines + 1)
                    ],
                )
            )
        elif block.kind == "table":
            blocks.append(
                TableBlock(
                    block.label,
                    list(block.columns),
                    [
                        [
                            Field(
                                field_name(base, *cell_parts(r, c)),
                                t(
                                    "{label}, row {row}: {column}",
                                    label=block.label,
                                    row=r,
                                    column=column,
                                ),
                                "text",
                            )
                            for c, column in enumerate(block.columns, 1)
                        ]
                        for r in range(1, block.rows + 1)
                    ],
                )
            )
    return SheetDoc(
        key=f"sheets/{sheet.slug}",
        title=s.title,
        kind=s.kind,
        kind_label=kind_label(s.kind, t),
        prefix=sheet.slug,
        blocks=blocks,
        source_rel=sheet.source.rel,
        intro_html=sheet.intro.html if sheet.intro else None,
        sheet=sheet,
    )


def _escape(text: str) -> str:
    return str(escape(text))
