"""Goal Attainment Scaling: `gas:` on a goal, checked like the rest, and its rating sheet."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import GOAL, parse, problems, write
from workbook import BuildConfig, build
from workbook.content.load import load_content
from workbook.project import open_project

GAS = """\
gas:
  weight: 2
  levels:
    2: Asleep within 10 minutes on most nights.
    1: Asleep within 20 minutes on most nights.
    0: Asleep within 30 minutes on most nights.
    -1: Asleep within 45 minutes on most nights.
    -2: It still takes an hour or more, as before.
"""


def test_gas_levels_and_weight_load(project: Path) -> None:
    write(project / "content/goals/sleep.yaml", GOAL + GAS)
    content = load_content(open_project(project))
    gas = content.goals["sleep"].data.gas
    assert gas.weight == 2
    assert gas.levels[-2] == "It still takes an hour or more, as before."
    assert content.goals["ease-anxiety"].data.gas is not None  # the sample has some
    assert sum(1 for g in content.goals.values() if g.data.gas) >= 3


def test_gas_mistakes_are_reported_at_their_lines(project: Path) -> None:
    bad = (
        GAS.replace("weight: 2", "weight: 0")
        .replace("    2: Asleep within 10", "    3: Asleep within 10")
        .replace("    0: Asleep within 30 minutes on most nights.", "    0: ''")
        .replace("    -1: Asleep", "    minus-one: Asleep")
    )
    write(project / "content/goals/sleep.yaml", GOAL + bad)
    write(project / "content/goals/nap.yaml", GOAL + "gas:\n  wieght: 1\n  levels: {0: fine}\n")
    assert problems(project) == [
        "content/goals/nap.yaml:19: unknown key 'wieght'; did you mean 'weight'?",
        "content/goals/sleep.yaml:19: gas weight must be a number above 0 and at most 100, got 0",
        "content/goals/sleep.yaml:20: gas levels need a description for each of -2, -1, 0, +1, "
        "+2; missing: -1, +2",
        "content/goals/sleep.yaml:21: gas level 3 is not one of -2, -1, 0, +1, +2",
        "content/goals/sleep.yaml:23: gas level 0 needs a description in words",
        "content/goals/sleep.yaml:24: gas level 'minus-one' is not one of -2, -1, 0, +1, +2",
    ]


def test_a_workbook_may_list_the_rating_sheet_only_of_a_goal_with_gas(project: Path) -> None:
    write(
        project / "content/workbooks/mine.yaml",
        """\
title: Mine
contents:
  - {goal: ease-anxiety, sheets: [tracker, gas]}
  - {goal: regulate-emotions, sheets: [tracker, gas]}
""",
    )
    assert problems(project) == [
        "content/workbooks/mine.yaml:4: goal 'regulate-emotions' has no goal rating sheet; add "
        "'gas:' levels to content/goals/regulate-emotions.yaml or leave 'gas' out of sheets"
    ]


def test_rating_sheet_on_the_site_and_goal_page(project: Path) -> None:
    build(BuildConfig(project_dir=project, pdf=False))
    out = project / "output"
    page = parse(out / "goals/ease-anxiety/gas.html")
    radios = [c for c in page.controls if c.get("type") == "radio"]
    assert [r["value"] for r in radios] == ["2", "1", "0", "-1", "-2"]
    assert {r["name"] for r in radios} == {"ease-anxiety_gas_level"}
    assert all(r["id"] in page.label_for for r in radios)
    text = (out / "goals/ease-anxiety/gas.html").read_text()
    assert "Much more than expected" in text and "The expected outcome" in text
    goal_page = (out / "goals/ease-anxiety.html").read_text()
    assert 'href="ease-anxiety/gas.html"' in goal_page
    assert "How far I have come: five levels" in goal_page
    assert not (out / "goals/regulate-emotions/gas.html").exists()
    assert "goals/regulate-emotions/gas.html" not in (out / "sheets/index.html").read_text()
    assert 'href="../goals/sleep-routine/gas.html"' in (out / "sheets/index.html").read_text()
