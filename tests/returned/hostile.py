"""Hostile returned files, made from a real built tracker so each follows the format
except where it attacks.

``CASES`` maps a case name to (how to make it, the exit code, what stderr must say).
Each maker gets the genuine tracker PDF and a folder, and returns the arguments to
give ``workbook progress`` (file names, maybe an --out). Used by
``tests/returned/test_hostile.py``.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf

T = "ease-anxiety_tracker"
KEY = "/GoalWorkbooks"


def _description(tracker: Path) -> dict:
    with pikepdf.open(tracker) as pdf:
        return json.loads(str(pdf.docinfo[KEY]))


def _with(
    tracker: Path,
    target: Path,
    *,
    describe: Callable[[dict], object] | None = None,
    raw: str | None = None,
    values: dict[str, str] | None = None,
    fields: Callable[[pikepdf.Pdf], None] | None = None,
) -> Path:
    """A copy of ``tracker``: its description changed by ``describe`` (or replaced by
    ``raw``), some field values set, or its field tree changed by ``fields``."""
    with pikepdf.open(tracker) as pdf:
        if describe is not None or raw is not None:
            data = json.loads(str(pdf.docinfo[KEY]))
            text = raw if raw is not None else json.dumps(describe(data) or data)
            pdf.docinfo[KEY] = pikepdf.String(text)
        if values:
            for field in pdf.Root.AcroForm.Fields:
                name = str(field.get("/T", ""))
                if name in values:
                    field.V = pikepdf.String(values[name])
        if fields is not None:
            fields(pdf)
        pdf.save(target)
    return target


def _sheet(data: dict) -> dict:
    return next(s for s in data["sheets"] if s["kind"] == "tracker")


def _set(path: list, value) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        node = _sheet(data) if path[0] != "site" and path[0] != "format" else data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _file(tracker: Path, folder: Path, name: str = "hostile.pdf", **change) -> list[str]:
    return [str(_with(tracker, folder / name, **change))]


DAMAGED = "has a damaged Goal Workbooks description"


def _kids_loop(pdf: pikepdf.Pdf) -> None:
    loop = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("loop")))
    loop.Kids = pikepdf.Array([loop])
    pdf.Root.AcroForm.Fields.append(loop)


def _many_fields(pdf: pikepdf.Pdf) -> None:
    fields = pdf.Root.AcroForm.Fields
    for number in range(200_001):
        fields.append(
            pdf.make_indirect(
                pikepdf.Dictionary(T=pikepdf.String(f"x{number}"), V=pikepdf.String("1"))
            )
        )


def _bomb(tracker: Path, folder: Path) -> list[str]:
    """A tiny PDF whose form lives in an object stream that inflates to 1.5 GiB."""
    description = (
        json.dumps(_description(tracker))
        .replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
    )
    squeeze = zlib.compressobj(1)
    chunk = b"5 0 << /Fields [] >>" + b" " * (1 << 20)
    bomb = (
        squeeze.compress(chunk)
        + b"".join(squeeze.compress(b" " * (1 << 20)) for _ in range(1535))
        + squeeze.flush()
    )
    parts = [b"%PDF-1.7\n"]
    offsets = []

    def obj(number: int, body: bytes) -> None:
        offsets.append(sum(len(p) for p in parts))
        parts.append(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>")
    obj(3, b"<< /GoalWorkbooks (" + description.encode() + b") >>")
    obj(
        4,
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb)
        + bomb
        + b"\nendstream",
    )
    xref_at = sum(len(p) for p in parts)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets]
    rows += [
        b"\x02" + (4).to_bytes(4, "big") + b"\x00\x00",
        b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00",
    ]
    table = b"".join(rows)
    parts.append(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Info 3 0 R "
        b"/Length %d >>\nstream\n" % len(table) + table + b"\nendstream\nendobj\n"
    )
    parts.append(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    path = folder / "bomb.pdf"
    path.write_bytes(b"".join(parts))
    return [str(path)]


def _fifo(tracker: Path, folder: Path) -> list[str]:
    path = folder / "pipe.pdf"
    os.mkfifo(path)
    return [str(path)]


def _huge(tracker: Path, folder: Path) -> list[str]:
    path = folder / "huge.pdf"
    with open(path, "wb") as stream:
        stream.truncate(60 * 1024 * 1024)  # sparse: no disk used
    return [str(path)]


def _twice(tracker: Path, folder: Path) -> list[str]:
    values = {f"{T}_w01_d1_spells": "2"}
    one = _with(tracker, folder / "one.pdf", values=values)
    two = _with(tracker, folder / "two.pdf", values=values)
    return [str(one), str(two), str(one)]


def _out(where: str) -> Callable[[Path, Path], list[str]]:
    def make(tracker: Path, folder: Path) -> list[str]:
        filled = _with(tracker, folder / "filled.pdf", values={f"{T}_w01_d1_spells": "2"})
        if where == "others":
            (folder / "others").mkdir()
            (folder / "others/report.html").write_text("someone else's")
        target = {
            "root": "/",
            "etc": "/etc/wb-test",
            "others": str(folder / "others"),
            "home": str(Path.home()),
        }[where]
        return [str(filled), "--out", target]

    return make


#: name → (maker(tracker, folder) → progress arguments, exit code, text stderr must hold)
def _questionnaire(**change) -> Callable[[dict], None]:
    """A questionnaire added to the tracker's description, with ``change`` over its rules."""

    def add(data: dict) -> None:
        rules = {
            "items": [{"id": "q1", "scores": [0, 1, 2, 3]}],
            "method": "sum",
            "bands": [{"min": 0, "max": 3, "label": '=HYPERLINK("http://x.example/")'}],
            "risk": [],
            **change,
        }
        data["sheets"].append(
            {
                "kind": "questionnaire",
                "instrument": "check",
                "title": "Check",
                "prefix": "check",
                "version": "q-000000000000",
                "rules": rules,
            }
        )

    return add


CASES: dict[str, tuple[Callable[[Path, Path], list[str]], int, str]] = {
    "questionnaire-item-is-a-path": (
        lambda t, f: _file(t, f, describe=_questionnaire(items=[{"id": "../x", "scores": [0, 1]}])),
        1,
        f"{DAMAGED} (sheets.1.questionnaire",
    ),
    "questionnaire-score-a-billion": (
        lambda t, f: _file(
            t, f, describe=_questionnaire(items=[{"id": "q1", "scores": [0, 10**9]}])
        ),
        1,
        DAMAGED,
    ),
    "questionnaire-risk-names-no-item": (
        lambda t, f: _file(t, f, describe=_questionnaire(risk=[{"item": "q9", "at_least": 1}])),
        1,
        DAMAGED,
    ),
    "questionnaire-left-empty": (
        lambda t, f: _file(t, f, describe=_questionnaire(), values={f"{T}_w01_d1_spells": "2"}),
        0,
        "nothing is filled in on the questionnaire 'Check'",
    ),
    "goal-is-a-path": (
        lambda t, f: _file(t, f, describe=_set(["goal"], "../../evil")),
        1,
        f"{DAMAGED} (sheets.0.tracker.goal",
    ),
    "measure-id-absolute": (
        lambda t, f: _file(t, f, describe=lambda d: _sheet(d)["measures"][0].update(id="/tmp/x")),
        1,
        DAMAGED,
    ),
    "language-is-a-path": (
        lambda t, f: _file(t, f, describe=_set(["site", "language"], "../../x")),
        1,
        f"{DAMAGED} (site.language",
    ),
    "paper-injects-css": (
        lambda t, f: _file(
            t, f, describe=_set(["site", "paper"], "letter; } body { display: none } @page {")
        ),
        1,
        DAMAGED,
    ),
    "accent-not-a-colour": (
        lambda t, f: _file(t, f, describe=_set(["site", "accent_color"], "red;}")),
        1,
        DAMAGED,
    ),
    "sheets-wrong-type": (
        lambda t, f: _file(t, f, describe=lambda d: d.update(sheets="x")),
        1,
        DAMAGED,
    ),
    "measures-wrong-type": (lambda t, f: _file(t, f, describe=_set(["measures"], {})), 1, DAMAGED),
    "target-is-text": (
        lambda t, f: _file(t, f, describe=lambda d: _sheet(d)["measures"][0].update(target="2")),
        1,
        DAMAGED,
    ),
    "days-infinity": (
        lambda t, f: _file(
            t, f, raw=json.dumps(_description(t)).replace('"days": 84', '"days": Infinity')
        ),
        1,
        f"{DAMAGED} (it is not valid JSON)",
    ),
    "days-twenty-digits": (lambda t, f: _file(t, f, describe=_set(["days"], 10**20)), 1, DAMAGED),
    "days-1e9": (lambda t, f: _file(t, f, describe=_set(["days"], 1e9)), 1, DAMAGED),
    "million-point-scale": (
        lambda t, f: _file(t, f, describe=lambda d: _sheet(d)["measures"][1].update(max=1_000_000)),
        1,
        DAMAGED,
    ),
    "million-measures": (
        lambda t, f: _file(
            t,
            f,
            describe=_set(
                ["measures"],
                [{"id": f"m{i}", "label": "x", "kind": "count"} for i in range(1_000_000)],
            ),
        ),
        1,
        "(it is far too long)",
    ),
    "deep-nesting": (
        lambda t, f: _file(t, f, raw="[" * 100_000 + "]" * 100_000),
        1,
        f"{DAMAGED} (it is not valid JSON)",
    ),
    "start-year-9999": (
        lambda t, f: _file(t, f, describe=_set(["start"], "9999-01-04")),
        1,
        DAMAGED,
    ),
    "gas-weight-zero": (
        lambda t, f: _file(
            t,
            f,
            describe=lambda d: d["sheets"].append(
                {
                    "kind": "gas",
                    "goal": "ease-anxiety",
                    "prefix": "ease-anxiety_gas",
                    "title": "x",
                    "version": "g-000000000000",
                    "weight": 0,
                    "levels": {},
                }
            ),
        ),
        1,
        DAMAGED,
    ),
    "gas-weight-nan": (
        lambda t, f: _file(
            t,
            f,
            raw=json.dumps(_description(t))[:-2] + ", {"
            '"kind": "gas", "goal": "g", "prefix": "g_gas", '
            '"weight": NaN, "levels": {}}]}',
        ),
        1,
        DAMAGED,
    ),
    "gas-weight-huge": (
        lambda t, f: _file(
            t,
            f,
            describe=lambda d: d["sheets"].append(
                {
                    "kind": "gas",
                    "goal": "ease-anxiety",
                    "prefix": "ease-anxiety_gas",
                    "title": "x",
                    "version": "g-000000000000",
                    "weight": 1e9,
                    "levels": {},
                }
            ),
        ),
        1,
        DAMAGED,
    ),
    "newer-format": (
        lambda t, f: _file(t, f, describe=_set(["format"], 99)),
        1,
        "was made by a newer version of Goal Workbooks (format 99)",
    ),
    "not-json": (lambda t, f: _file(t, f, raw="<script>"), 1, f"{DAMAGED} (it is not valid JSON)"),
    "kids-loop": (
        lambda t, f: _file(t, f, values={f"{T}_w01_d1_spells": "2"}, fields=_kids_loop),
        0,
        "",
    ),
    "many-fields": (
        lambda t, f: _file(t, f, fields=_many_fields, values={f"{T}_w01_d1_spells": "2"}),
        0,
        "has more than 200,000 form fields; the rest were not read",
    ),
    "nul-in-title": (
        lambda t, f: _file(
            t, f, describe=_set(["title"], "Ease\x00anxiety"), values={f"{T}_w01_d1_spells": "2"}
        ),
        0,
        "",
    ),
    "escape-sequence-in-value": (
        lambda t, f: _file(t, f, values={f"{T}_w01_d1_spells": "\x1b[2J\x1b]0;owned\x07"}),
        0,
        "\\x1b[2J\\x1b]0;owned\\x07",
    ),
    "newline-forges-a-line": (
        lambda t, f: _file(t, f, values={f"{T}_w01_d1_spells": "3\nhostile.pdf: all is well"}),
        0,
        "3\\nhostile.pdf: all is well",
    ),
    "formula-in-a-note": (
        lambda t, f: _file(
            t,
            f,
            values={
                f"{T}_w01_d1_notes": '=HYPERLINK("http://x.example/","click")',
                f"{T}_w01_d1_spells": "2",
            },
        ),
        0,
        "",
    ),
    "count-of-a-hundred-million": (
        lambda t, f: _file(t, f, values={f"{T}_w01_d1_spells": "100000000"}),
        0,
        "is 100000000, more than 100,000 (a count goes up to 100,000); left out",
    ),
    "megabyte-note": (
        lambda t, f: _file(t, f, values={f"{T}_w01_d1_notes": "a" * 1_000_000}),
        0,
        "is longer than 2,000 characters; only the first 2,000 are used",
    ),
    "decompression-bomb": (
        _bomb,
        1,
        "is damaged, or made to cause harm: its form cannot be read within 1024 MiB",
    ),
    "fifo": (_fifo, 1, "is not a regular file (a device, a pipe or a socket); give a PDF file"),
    "dev-zero": (lambda t, f: ["/dev/zero"], 1, "is not a regular file"),
    "larger-than-the-limit": (_huge, 1, "is larger than 50 MiB, which no filled sheet is"),
    "the-same-tracker-twice": (_twice, 0, "holds the same filled sheets as"),
    "out-is-root": (_out("root"), 1, "refusing to write a progress report into the root folder"),
    "out-is-a-system-folder": (_out("etc"), 1, "into a system folder (/etc)"),
    "out-is-a-folder-of-other-files": (
        _out("others"),
        1,
        "is not empty and was not made by Goal Workbooks",
    ),
    "out-is-home": (_out("home"), 1, "refusing to write a progress report into your home folder"),
}
