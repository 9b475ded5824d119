"""``workbook import-questionnaire FILE.json``: a FHIR R4 ``Questionnaire`` as our YAML.

The clinic brings the instrument's official wording (LOINC publishes PHQ-9 and
GAD-7 as FHIR Questionnaires); the project never ships it. What is read:

* the title (``title``, else ``name``), ``copyright`` as the licence, ``publisher``
  as the citation (for a preset, its own name, source and licence when the file lacks
  them; otherwise a placeholder to replace);
* a LOINC code of a preset (``code`` or the ``url``: 44249-1 PHQ-9, 69737-5 GAD-7)
  sets ``preset:``;
* every ``choice`` (or ``coding``) item, in groups too, whose every answer has a
  score: the answer's ``ordinalValue`` or ``itemWeight`` extension (or the older
  ``iso21090-CO-value``), on the ``answerOption`` or its ``valueCoding``, or on the
  concepts of a contained ``ValueSet`` its ``answerValueSet`` names. Items without
  scores (PHQ-9's difficulty question) and calculated totals are left out, and
  the file says so in a comment. The text of the group (or display item) holding
  the items becomes ``period:``.

The file is hostile like every input: at most 2 MB of UTF-8 JSON, nesting and item
counts bounded, every text bounded, scores whole numbers from -100 to 100. The
result still goes through ``workbook check`` like any content file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from workbook.clinical.instruments import MAX_ITEMS, MAX_SCORE, MIN_SCORE, PRESETS
from workbook.content.source import LIMITS
from workbook.errors import Problem, WorkbookError

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 6
SCORE_EXTENSIONS = ("ordinalValue", "itemWeight", "iso21090-CO-value")
LOINC_PRESETS = {preset.loinc[0]: name for name, preset in PRESETS.items() if preset.loinc}


@dataclass
class Imported:
    slug: str
    text: str  # the YAML
    items: int
    preset: str | None
    notes: list[str] = field(default_factory=list)


def _fail(shown: str, message: str) -> WorkbookError:
    return WorkbookError([Problem(shown, None, message)])


def _text(value: object, limit: int = 2000) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text[:limit]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-")


def _score(extensions: object) -> int | str | None:
    """The score an answer's extensions give; None when none; 'bad' when not whole."""
    for extension in extensions if isinstance(extensions, list) else []:
        url = extension.get("url", "") if isinstance(extension, dict) else ""
        if isinstance(url, str) and url.rsplit("/", 1)[-1] in SCORE_EXTENSIONS:
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "bad"
            if value != int(value) or not MIN_SCORE <= value <= MAX_SCORE:
                return "bad"
            return int(value)
    return None


def _options(item: dict, contained: dict[str, dict]) -> list[dict] | str | None:
    """An item's answers as [{label, score}]; None when some answer has no score."""
    answers = []
    for option in item.get("answerOption") or []:
        if not isinstance(option, dict):
            return None
        coding = option["valueCoding"] if isinstance(option.get("valueCoding"), dict) else {}
        label = _text(coding.get("display") or option.get("valueString"), 200)
        score = _score(option.get("extension"))
        if score is None:
            score = _score(coding.get("extension"))
        answers.append((label, score))
    reference = item.get("answerValueSet")
    if not answers and isinstance(reference, str) and reference.startswith("#"):
        valueset = contained.get(reference[1:], {})
        includes = (valueset.get("compose") or {}).get("include") or []
        for include in includes if isinstance(includes, list) else []:
            for concept in (include.get("concept") or []) if isinstance(include, dict) else []:
                if isinstance(concept, dict):
                    answers.append(
                        (_text(concept.get("display"), 200), _score(concept.get("extension")))
                    )
    if not answers or len(answers) > 11:
        return None
    if any(score == "bad" for _, score in answers):
        return "bad"
    if any(score is None or not label for label, score in answers):
        return None
    return [{"label": label, "score": score} for label, score in answers]


def read_fhir_questionnaire(path: Path, shown: str) -> Imported:
    try:
        if not path.is_file():
            raise _fail(shown, "is not a file" if path.exists() else "no such file")
        if path.stat().st_size > MAX_BYTES:
            raise _fail(shown, "is larger than 2 MB; a Questionnaire is far smaller")
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise _fail(shown, f"cannot read the file: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _fail(shown, "is not JSON in UTF-8; export the Questionnaire as FHIR JSON") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise _fail(shown, "is not a FHIR Questionnaire (its resourceType must be 'Questionnaire')")
    contained = {
        c["id"]: c
        for c in data.get("contained") or []
        if isinstance(c, dict) and isinstance(c.get("id"), str)
    }
    title = _text(data.get("title") or data.get("name"), 200)
    codes = [c.get("code") for c in data.get("code") or [] if isinstance(c, dict)]
    url = data["url"] if isinstance(data.get("url"), str) else ""
    codes.append(url.rstrip("/").rsplit("/", 1)[-1])
    preset = next((LOINC_PRESETS[code] for code in codes if code in LOINC_PRESETS), None)
    facts = PRESETS.get(preset or "")
    title = title or (facts.title if facts else "Questionnaire")
    notes: list[str] = []
    items: list[dict] = []
    period = ""

    def walk(children: object, depth: int, heading: str) -> None:
        nonlocal period
        if depth > MAX_DEPTH:
            raise _fail(shown, f"nests its items more than {MAX_DEPTH} deep")
        display = heading
        for child in children if isinstance(children, list) else []:
            if not isinstance(child, dict):
                continue
            kind = child.get("type")
            text = _text(child.get("text"))
            if kind == "group":
                walk(child.get("item"), depth + 1, text or display)
                continue
            if kind == "display":
                display = text or display
                continue
            if kind not in ("choice", "coding", "open-choice"):
                if text and kind in ("integer", "decimal", "quantity"):
                    notes.append(
                        f"left out '{text[:60]}': a {kind} item (a total is worked out, not asked)"
                    )
                continue
            options = _options(child, contained)
            if options == "bad":
                raise _fail(
                    shown,
                    f"item '{text[:60]}' has a score that is not a whole number from {MIN_SCORE} to "
                    f"{MAX_SCORE}",
                )
            if options is None:
                notes.append(f"left out '{text[:60]}': its answers have no scores")
                continue
            if not text:
                raise _fail(shown, f"item {_text(child.get('linkId'), 40)!r} has no text")
            if len(items) >= MAX_ITEMS:
                raise _fail(shown, f"has more than {MAX_ITEMS} scored items")
            items.append({"link": _text(child.get("linkId"), 60), "text": text, "options": options})
            if display and not period:
                period = display

    walk(data.get("item"), 1, "")
    if not items:
        raise _fail(
            shown,
            "has no scored items: no 'choice' item whose answers all carry an "
            "ordinalValue or itemWeight",
        )
    if preset and len(items) > PRESETS[preset].items:
        extra = items[PRESETS[preset].items :]
        notes += [
            f"left out '{item['text'][:60]}': the preset '{preset}' scores "
            f"{PRESETS[preset].items} items"
            for item in extra
        ]
        items = items[: PRESETS[preset].items]
    ids = [_slug(item["link"]) or f"q{n}" for n, item in enumerate(items, start=1)]
    if len(set(ids)) != len(ids) or any(i in ("name", "date") for i in ids) or preset:
        ids = [f"q{n}" for n in range(1, len(items) + 1)]
    shared = all(item["options"] == items[0]["options"] for item in items)
    out: dict = {"title": title}
    if preset:
        out["preset"] = preset
    # a preset's own source and licence when the file does not say (LOINC's often do not)
    out["licence"] = _text(data.get("copyright")) or (
        facts.licence if facts else "REPLACE: the licence under which you use it"
    )
    out["citation"] = _text(data.get("publisher")) or (
        facts.source if facts else "REPLACE: who wrote it, and when"
    )
    if period:
        out["period"] = period
    if shared:
        out["options"] = items[0]["options"]
    out["items"] = [
        {"id": item_id, "text": item["text"], **({} if shared else {"options": item["options"]})}
        for item_id, item in zip(ids, items, strict=True)
    ]
    if not preset:
        out["scoring"] = {"method": "sum", "max_missing": 0, "prorate": False}
    slug = preset or _slug(title) or "questionnaire"
    header = [
        f"# Imported from {Path(shown).name[:80]} by 'workbook import-questionnaire'.",
        "# Check the wording against the official form, and the licence and citation.",
    ]
    if not preset:
        header.append(
            "# No preset: add the bands, caseness and reliable change the "
            "instrument's authors publish (see the README)."
        )
    header += [f"# {note}" for note in notes]
    if "REPLACE:" in out["licence"] + out["citation"]:
        notes.append(
            "the file has no copyright or publisher: write the licence and citation "
            "in before building"
        )
    body = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
    text = "\n".join(_comment(line) for line in header) + "\n" + body
    if len(text.encode()) > LIMITS["yaml_bytes"]:
        raise _fail(shown, "makes a questionnaire larger than a content file may be")
    return Imported(slug, text, len(items), preset, notes)


def _comment(line: str) -> str:
    return "".join(c if c.isprintable() else " " for c in line)


def _no_constant(name: str):
    raise ValueError(name)


def write_imported(imported: Imported, target: Path) -> None:
    """Write the YAML to ``target``: a new file only, never replacing one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as out:
            out.write(imported.text)
    except FileExistsError:
        raise _fail(
            str(target), "exists already; refusing to replace it (use --out to choose another file)"
        ) from None
