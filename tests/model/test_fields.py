"""Form-field names: made by the sheets, read back by ``workbook progress``, one codec.

A tracker or rating sheet that names its fields one way and a reader that looks
for them another would lose every answer without an error, so the two are
checked against each other on every sample sheet: the names the reader asks
for are exactly the names the sheet has.
"""

from __future__ import annotations

import json
from pathlib import Path

from workbook.content.i18n import Catalogue
from workbook.content.load import load_content
from workbook.model import fields
from workbook.model.formdata import DESCRIPTION_FORMAT, sheet_data
from workbook.model.sheets import all_sheets
from workbook.project import open_project
from workbook.returned import description
from workbook.returned.reading import read_sheet


class Everything(dict):
    """Field values in which every field is filled in (with "1"), noting what is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return "1"


def test_progress_reads_every_field_of_every_tracker_and_rating_sheet(project: Path) -> None:
    content = load_content(open_project(project))
    docs = [doc for doc in all_sheets(content) if doc.goal and doc.kind in ("tracker", "gas")]
    kinds = {(doc.kind, doc.goal.data.measures[0].every) for doc in docs}
    assert {("tracker", "day"), ("tracker", "week"), ("gas", "day")} <= kinds
    for doc in docs:
        values = Everything()
        described = description.parse(
            json.dumps({"format": DESCRIPTION_FORMAT, "sheets": [sheet_data(doc)]}),
            DESCRIPTION_FORMAT,
        ).sheets[0]  # checked, as a returned file's is
        read_sheet(described, values, "x.pdf", Catalogue("en"), {}, [])
        assert values.asked == {f.name for f in doc.fields}, doc.key


def test_names_have_no_pdf_hierarchy_separator_and_split_on_underscores(project: Path) -> None:
    content = load_content(open_project(project))
    for doc in all_sheets(content):
        for field in doc.fields:
            assert "." not in field.name
            assert field.name.startswith(doc.prefix + fields.SEPARATOR)
    assert fields.day_row("sleep_tracker", 3, 2) == "sleep_tracker_w03_d2"
    assert (
        fields.field_name(fields.week_row("sleep_tracker", 12), "naps") == "sleep_tracker_w12_naps"
    )
    assert fields.is_tracker_cell("sleep_tracker_w03_d2_spells")
    assert not fields.is_tracker_cell("sleep_worksheet_obstacles")
    assert fields.option_id("g_gas_level", -2) == "g_gas_level-m2"
