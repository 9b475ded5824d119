"""Theme text in the site's language.

Every piece of text the engine or the theme writes (navigation, labels,
"Week 3", the questions on generated sheets) goes through :class:`Catalogue`.
Messages are keyed by their English text, gettext style, so templates read
naturally: ``{{ _("Goals") }}``, ``{{ _("Week {n}", n=3) }}``. Translations
live in ``templates/locales/<language>.yaml`` (a project can override or add
one); English needs no file.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from workbook.content.source import LIMITS, SourceError, load_yaml, read_text
from workbook.formats import date_text


@dataclass
class Catalogue:
    language: str
    messages: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self.messages.get(message)
        if text is None:
            if self.language != "en":
                self.missing.add(message)
            text = message
        return text.format(**values) if values else text

    def date(self, day: datetime.date, form: str = "medium") -> str:
        """``day`` written the way the site's language writes dates.

        ``form`` is a CLDR width ("short", "medium", "long", "full") or pattern,
        e.g. "EEE d MMM" → "Mon 4 Jan" (en), "lun 4 ene" (es)."""
        return date_text(day, self.locale, form)

    @property
    def locale(self) -> Locale:
        try:
            return Locale.parse(self.language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def load_catalogue(language: str, theme_dirs: list[Path]) -> Catalogue:
    """The catalogue for ``language``; LookupError (with a message) if there is none."""
    base = language.split("-")[0]
    if base == "en":
        return Catalogue(language)
    for folder in theme_dirs:
        for name in (language, base):
            path = folder / "locales" / f"{name}.yaml"
            if path.is_file():
                try:
                    source = load_yaml(str(path), read_text(path, LIMITS["yaml_bytes"]))
                except SourceError as exc:
                    raise LookupError(f"{path}:{exc.line}: {exc.message}") from None
                if not isinstance(source.data, dict):
                    raise LookupError(f"{path}: must be a mapping of English text to translation")
                return Catalogue(language, {str(k): str(v) for k, v in source.data.items()})
    available = sorted(
        {p.stem for d in theme_dirs for p in (d / "locales").glob("*.yaml")} | {"en"}
    )
    raise LookupError(
        f"the theme has no translation for language '{language}'; "
        f"available: {', '.join(available)} (add templates/locales/{base}.yaml to translate it)"
    )


#: A language code as ``workbook.yaml`` allows it (en, es, en-GB, pt-BR).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def catalogue_named_by(language: object, theme_dirs: list[Path]) -> Catalogue:
    """The catalogue for a language that a file from outside names (a returned PDF):
    anything but a plain language code, or one the theme cannot translate, is English.
    The name is never used as a path before it is checked."""
    if not isinstance(language, str) or not LANGUAGE_CODE.fullmatch(language):
        return Catalogue("en")
    try:
        return load_catalogue(language, theme_dirs)
    except LookupError:
        return Catalogue("en")
