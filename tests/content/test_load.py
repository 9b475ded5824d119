"""Loading and validating content: every kind loads; every mistake is file:line: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import GOAL, problems, run, write
from workbook.content.load import load_content
from workbook.project import open_project


def test_sample_loads_every_kind(project: Path) -> None:
    content = load_content(open_project(project))
    assert len(content.goals) >= 8
    assert len(content.guidance) >= 5
    assert len(content.sheets) >= 3
    assert len(content.workbooks) >= 1
    goal = content.goals["ease-anxiety"]
    assert goal.data.timeframe.days == 84
    assert [m.id for m in goal.data.measures] == ["spells", "peak"]
    assert content.guidance["smart-goals"].data.title == "Setting SMART goals"
    assert content.sheets["weekly-check-in"].data.kind == "session-prep"
    assert content.workbooks["getting-started"].data.contents[0].guidance == "first-session"


def test_new_goal_loads(project: Path) -> None:
    write(project / "content/goals/sleep.yaml", GOAL)
    content = load_content(open_project(project))
    assert content.goals["sleep"].data.measures[0].target.value == 20


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "timeframe: 8 weeks",
            "timeframe: soon",
            "content/goals/sleep.yaml:10: timeframe must look like '8 weeks', got 'soon'",
        ),
        (
            "timeframe: 8 weeks",
            "timeframe: 40 years",
            "content/goals/sleep.yaml:10: timeframe must be between 1 day and 12 months, "
            "got '40 years'",
        ),
        (
            "timeframe: 8 weeks",
            "timeframe: 0 days",
            "content/goals/sleep.yaml:10: timeframe must be between 1 day and 12 months, got '0 days'",
        ),
        (
            "kind: minutes",
            "kind: hours",
            "content/goals/sleep.yaml:14: kind must be one of count, scale, yes-no, minutes, text; "
            "got 'hours'",
        ),
        (
            "area: behaviour-change",
            "area: sleep",
            "content/goals/sleep.yaml:2: unknown area 'sleep'; areas are: personal-growth, "
            "emotional-wellbeing, relationships, behaviour-change (areas are set in workbook.yaml)",
        ),
        (
            "area: behaviour-change",
            "area: behavior-change",
            "content/goals/sleep.yaml:2: unknown area 'behavior-change'; did you mean "
            "'behaviour-change'? (areas are set in workbook.yaml)",
        ),
        (
            "guidance: [smart-goals]",
            "guidance: [smart-goals, smart-goal]",
            "content/goals/sleep.yaml:17: unknown guidance page 'smart-goal' "
            "(no content/guidance/smart-goal.md); did you mean 'smart-goals'?",
        ),
        (
            "summary: Fall asleep sooner.",
            "sumary: Fall asleep sooner.",
            "content/goals/sleep.yaml:3: unknown key 'sumary'; did you mean 'summary'?",
        ),
        (
            "    every: day",
            "    evry: day",
            "content/goals/sleep.yaml:15: unknown key 'evry'; did you mean 'every'?",
        ),
        (
            "    target: {direction: lower, value: 20}",
            "    target: {direction: down, value: 20}",
            "content/goals/sleep.yaml:16: direction must be one of lower, higher; got 'down'",
        ),
        (
            "  - id: minutes",
            "  - id: Minutes",
            "content/goals/sleep.yaml:12: id must be a slug (lower-case letters, digits and single "
            "hyphens, like 'sleep-well'), got 'Minutes'",
        ),
        ("title: Sleep better\n", "", "content/goals/sleep.yaml:1: missing required key 'title'"),
        (
            "    kind: minutes",
            "    kind: yes-no",
            "content/goals/sleep.yaml:16: a yes-no measure cannot have a target; use a count "
            "measure (e.g. days per week) to set one",
        ),
        (
            "summary: Fall asleep sooner.",
            "summary: Fall asleep sooner.\nsummary: again",
            "content/goals/sleep.yaml:4: duplicate key 'summary' (first on line 3); keep only one",
        ),
        (
            "summary: Fall asleep sooner.",
            "summary: Fall asleep: sooner.",
            "content/goals/sleep.yaml:3: YAML syntax error: a value contains ': ' — put the whole "
            "value in quotes",
        ),
        (
            "smart:\n",
            "smart:\n\tspecific: x\n",
            "content/goals/sleep.yaml:5: tab character in YAML indentation; indent with spaces",
        ),
    ],
)
def test_goal_errors(project: Path, old: str, new: str, expected: str) -> None:
    assert old in GOAL
    write(project / "content/goals/sleep.yaml", GOAL.replace(old, new, 1))
    assert problems(project) == [expected]


def test_scale_measure_rules(project: Path) -> None:
    goal = GOAL.replace(
        """    kind: minutes
    every: day
    target: {direction: lower, value: 20}""",
        """    kind: scale
    min: 5
    max: 1
    anchors: {0: none}""",
    )
    write(project / "content/goals/sleep.yaml", goal)
    assert problems(project) == [
        "content/goals/sleep.yaml:16: max (1) must be greater than min (5)"
    ]


def test_every_problem_is_reported_at_once(project: Path) -> None:
    write(
        project / "content/goals/sleep.yaml",
        GOAL.replace("timeframe: 8 weeks", "timeframe: soon").replace(
            "area: behaviour-change", "area: nowhere"
        ),
    )
    write(project / "content/sheets/bad.yaml", "title: Bad\nkind: quiz\nblocks: []\n")
    write(project / "content/guidance/notes.md", "no front matter here\n")
    found = problems(project)
    assert found == [
        "content/goals/sleep.yaml:2: unknown area 'nowhere'; areas are: personal-growth, "
        "emotional-wellbeing, relationships, behaviour-change (areas are set in workbook.yaml)",
        "content/goals/sleep.yaml:10: timeframe must look like '8 weeks', got 'soon'",
        "content/guidance/notes.md:1: missing front matter: start the file with a '---' line, "
        "then 'title:' and 'summary:', then another '---' line",
        "content/sheets/bad.yaml:2: kind must be one of worksheet, session-prep, tracker; got 'quiz'",
        "content/sheets/bad.yaml:3: blocks needs at least 1 item",
    ]


def test_bad_file_names(project: Path) -> None:
    write(project / "content/goals/Sleep Well.yaml", GOAL)
    write(project / "content/goals/sleep.yml", GOAL)
    assert problems(project) == [
        "content/goals/Sleep Well.yaml: file name 'Sleep Well.yaml' is not a valid slug: use "
        "lower-case letters, digits and single hyphens, like 'sleep-well.yaml'",
        "content/goals/sleep.yml: files in content/goals/ must end in '.yaml'; rename it (other "
        "files, such as images, may sit beside them)",
    ]


def test_guidance_links(project: Path) -> None:
    write(
        project / "content/guidance/extra.md",
        """---
title: Extra
summary: More.
---
See [SMART goals](smart-goals.md) and [the tracker](../goals/ease-anxiety.yaml).

A broken one: [nothing](no-such-page.md), and [a typo](journalling.md).
""",
    )
    assert problems(project) == [
        "content/guidance/extra.md:7: link 'journalling.md' points at no guidance page "
        "(no content/guidance/journalling.md); did you mean 'journaling.md'?",
        "content/guidance/extra.md:7: link 'no-such-page.md' points at no guidance page "
        "(no content/guidance/no-such-page.md)",
    ]


def test_guidance_link_becomes_relative_url(project: Path) -> None:
    content = load_content(open_project(project))
    html = content.guidance["smart-goals"].body.html
    assert 'href="wb:guidance/miracle-question.html"' in html


def test_unsafe_links_and_images_are_refused(project: Path) -> None:
    write(
        project / "content/guidance/extra.md",
        """---
title: Extra
summary: More.
---
[click](javascript:alert(1))

![tracker](https://example.org/pixel.png)
""",
    )
    assert problems(project) == [
        "content/guidance/extra.md:5: link 'javascript:alert(1)' uses 'javascript:', which is "
        "not allowed; use an http(s), mailto or tel link",
        "content/guidance/extra.md:7: image 'https://example.org/pixel.png' is not a file in the "
        "project; save it under content/ and refer to it by its path",
    ]


def test_raw_html_is_escaped_by_default(project: Path) -> None:
    write(
        project / "content/guidance/extra.md",
        """---
title: Extra
summary: More.
---
<b>bold?</b> and {{ config.title }}
""",
    )
    html = load_content(open_project(project)).guidance["extra"].body.html
    assert "<b>" not in html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "{{ config.title }}" in html


def test_sheet_errors(project: Path) -> None:
    write(
        project / "content/sheets/check.yaml",
        """\
title: Check
kind: worksheet
blocks:
  - kind: scale
    id: mood
    label: Mood
    min: 3
    max: 3
  - kind: prompt
    id: mood
    lable: Why?
  - kind: quiz
    label: Q
  - label: No kind
""",
    )
    assert problems(project) == [
        # the scale block is well-formed, so its rule is checked in the same pass
        "content/sheets/check.yaml:8: max (3) must be greater than min (3)",
        "content/sheets/check.yaml:11: unknown key 'lable'; did you mean 'label'?",
        "content/sheets/check.yaml:12: kind must be one of text, scale, prompt, checklist, list, "
        "table; got 'quiz'",
        "content/sheets/check.yaml:14: blocks item 4 needs a 'kind:' (text, scale, prompt, "
        "checklist, list, table)",
    ]


def test_sheet_rules(project: Path) -> None:
    write(
        project / "content/sheets/check.yaml",
        """\
title: Check
kind: worksheet
blocks:
  - kind: scale
    id: mood
    label: Mood
    min: 3
    max: 3
  - kind: prompt
    id: mood
    label: Why?
""",
    )
    assert problems(project) == [
        "content/sheets/check.yaml:8: max (3) must be greater than min (3)",
        "content/sheets/check.yaml:10: block id 'mood' is used twice (also blocks item 1)",
    ]


def test_workbook_references(project: Path) -> None:
    write(
        project / "content/workbooks/mine.yaml",
        """\
title: Mine
contents:
  - {guidance: smart-goals}
  - {sheet: weekly-checkin}
  - {goal: ease-anxiety, sheets: [tracker, diary]}
  - {goal: no-goal}
  - {guidance: smart-goals}
  - {sheet: mood-journal, goal: ease-anxiety}
""",
    )
    assert problems(project) == [
        "content/workbooks/mine.yaml:4: unknown sheet 'weekly-checkin' "
        "(no content/sheets/weekly-checkin.yaml); did you mean 'weekly-check-in'?",
        "content/workbooks/mine.yaml:5: sheets item 2 must be one of worksheet, tracker, "
        "session-prep, gas; got 'diary'",
        "content/workbooks/mine.yaml:6: unknown goal 'no-goal' (no content/goals/no-goal.yaml)",
        "content/workbooks/mine.yaml:7: guidance 'smart-goals' is already in this workbook "
        "(contents item 1); list it once",
        "content/workbooks/mine.yaml:8: each contents item needs exactly one of 'guidance:', "
        "'sheet:', 'goal:' or 'questionnaire:', this one has sheet and goal",
    ]


def test_config_errors(project: Path) -> None:
    config = (project / "workbook.yaml").read_text()
    write(
        project / "workbook.yaml",
        config.replace("paper: letter", "paper: legal").replace(
            'accent_color: "#2f6f73"', "accent_color: teal"
        ),
    )
    assert problems(project) == [
        "workbook.yaml:4: paper must be one of letter, a4; got 'legal'",
        "workbook.yaml:5: accent_color must be a hex colour like '#2f6f73', got 'teal'",
    ]


def test_empty_and_binary_files(project: Path) -> None:
    write(project / "content/goals/empty.yaml", "")
    (project / "content/goals/binary.yaml").write_bytes(b"\x00\x01\x02")
    (project / "content/goals/latin1.yaml").write_bytes("title: Caf\xe9\n".encode("latin-1"))
    assert problems(project) == [
        "content/goals/binary.yaml: this is a binary file, not text; save it as UTF-8 text",
        "content/goals/empty.yaml:1: the file is empty; fill it in or delete it",
        "content/goals/latin1.yaml:1: byte 0xe9 is not UTF-8; save the file with UTF-8 encoding",
    ]


def test_yaml_alias_is_refused(project: Path) -> None:
    write(
        project / "content/goals/sleep.yaml",
        GOAL.replace("summary: Fall asleep sooner.", "summary: &s Fall asleep sooner.\ntitle2: *s"),
    )
    assert problems(project) == [
        "content/goals/sleep.yaml:3: YAML anchors (&s) are not supported; write the value out in full"
    ]


def test_scalars_resolve_plainly() -> None:
    from workbook.content.source import load_yaml

    data = load_yaml("x.yaml", "a: 2\nb: '2'\nc: -1.5\nd: yes\ne: true\nf: 2027-01-04\ng: ~\n").data
    assert data == {
        "a": 2,
        "b": "2",
        "c": -1.5,
        "d": "yes",
        "e": True,
        "f": "2027-01-04",
        "g": None,
    }


def test_yes_and_no_stay_text(project: Path) -> None:
    write(
        project / "content/sheets/yn.yaml",
        """\
title: Yes or no
kind: worksheet
blocks:
  - kind: checklist
    label: Answer
    items: [yes, no, on, off]
""",
    )
    content = load_content(open_project(project))
    assert content.sheets["yn"].data.blocks[0].items == ["yes", "no", "on", "off"]


def test_a_byte_order_mark_is_accepted_silently(project: Path) -> None:
    """Windows editors still write one; Python, PyYAML and Hugo accept it, and so do we."""
    for name in (
        "workbook.yaml",
        "content/goals/ease-anxiety.yaml",
        "content/guidance/smart-goals.md",
    ):
        path = project / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    content = load_content(open_project(project))
    assert content.goals["ease-anxiety"].data.title == "Ease everyday anxiety"
    assert content.guidance["smart-goals"].data.title
    assert content.config.title == "Goal Workbooks"
    assert run(["build", "--no-pdf"], project).exit_code == 0


def test_a_list_item_indented_too_far_is_a_warning(project: Path) -> None:
    """Two strategies merged into one by an indented '- ' are valid YAML, so not an error,
    but almost never meant: 'check' says so and still passes."""
    goal = project / "content/goals/ease-anxiety.yaml"
    text = goal.read_text()
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("strategies:")) + 1
    lines[first + 1] = "  " + lines[first + 1]  # the second item, under the first
    goal.write_text("\n".join(lines) + "\n")
    result = run(["check"], project)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"content/goals/ease-anxiety.yaml:{first + 2}: warning: this line starts with '- ' "
        "but is indented more than the item above, so it is read as part of that item; if "
        "it is an item of its own, line its '-' up with the one above\n"
    )
    assert result.stdout.startswith("No problems found (1 warning above): 9 goals")
    content = load_content(open_project(project))
    assert content.warnings and " - " in content.goals["ease-anxiety"].data.strategies[0]
