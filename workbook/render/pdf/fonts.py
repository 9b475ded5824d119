"""Every character of the content must be in the PDF font.

A character the theme font lacks would be drawn in some other font on
paper. Rather than let that happen silently, every text in the content is
checked against the font files declared in ``templates/pdf/fonts.css`` and a
missing character is an error at its line. (The PDF stage checks the
embedded fonts again, for text that comes from templates.)
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

from workbook.content.i18n import Catalogue
from workbook.content.load import SeenText
from workbook.errors import Report, WorkbookError

_SRC = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")
_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def font_files(fonts_css: Path) -> list[Path]:
    text = fonts_css.read_text(encoding="utf-8")
    return [(fonts_css.parent / url).resolve() for url in _SRC.findall(text)]


@lru_cache(maxsize=8)
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def coverage(files: list[Path]) -> frozenset[int]:
    """Characters every face has (text may be set in any of them)."""
    sets = [_cmap(path) for path in files if path.is_file()]
    return frozenset.intersection(*sets) if sets else frozenset()


def missing(text: str, covered: frozenset[int]) -> list[str]:
    return sorted({c for c in text if ord(c) not in covered and not _invisible(c)})


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def check_glyphs(seen: SeenText, fonts_css: Path, family: str, report: Report) -> None:
    """Every character of every text read (``seen``: also from files that failed other
    checks, so all problems come out in one pass) is in the PDF font."""
    covered = coverage(font_files(fonts_css))
    if not covered:
        return
    for source in seen.sources:
        for path, text in _strings(source.data, ()):
            _report(source.rel, source.line(*path), missing(text, covered), family, report)
    for rel, first_line, body in seen.bodies:
        for number, line in enumerate(body.split("\n"), start=first_line):
            _report(rel, number, missing(line, covered), family, report)
    if seen.catalogue is not None:
        _check_catalogue(seen.catalogue, covered, family, report)


def _check_catalogue(t: Catalogue, covered: frozenset[int], family: str, report: Report) -> None:
    for message in t.messages.values():
        _report(
            f"templates/locales/{t.language}.yaml", None, missing(message, covered), family, report
        )


def _report(rel: str, line: int | None, chars: list[str], family: str, report: Report) -> None:
    if not chars:
        return
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:5])
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    report.add(
        rel,
        line,
        f"{shown}{more} not in the PDF font ({family}); replace "
        f"{'it' if len(chars) == 1 else 'them'}, or add a font that has "
        f"{'it' if len(chars) == 1 else 'them'} to templates/pdf/fonts.css",
    )


def _strings(data: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def embedded_font_faces(fonts_css: Path, style: str = "normal") -> str:
    """The theme's @font-face rules of one style, each font file written into the rule as
    a data: URL: a single HTML file that shows in the theme font wherever it is opened
    (the progress report), with no file beside it and no request."""
    faces = []
    for face in _FACE.findall(fonts_css.read_text(encoding="utf-8")):
        if f"font-style: {style}" not in face:
            continue

        def inline(match: re.Match) -> str:
            data = (fonts_css.parent / match[1]).resolve().read_bytes()
            return f"url(data:font/ttf;base64,{base64.b64encode(data).decode('ascii')})"

        faces.append(_SRC.sub(inline, face))
    return "\n".join(faces)


def regular_face(fonts_css: Path) -> Path:
    """The font file of the theme's regular face (weight 400, normal style): what
    ``workbook flatten`` draws answers with."""
    for face in _FACE.findall(fonts_css.read_text(encoding="utf-8")):
        if "font-style: normal" in face and "font-weight: 400" in face:
            match = _SRC.search(face)
            if match:
                return (fonts_css.parent / match[1]).resolve()
    raise WorkbookError(
        f"{fonts_css}: declares no regular face (font-weight: 400; font-style: normal)"
    )
