"""Fill and read PDF forms with Poppler (Evince, Okular), for tests/engines.py.

Runs under the system Python, where Debian's ``gir1.2-poppler-0.18`` and ``python3-gi``
live. Reads one JSON command on stdin and prints one JSON answer: the fields are found by
the point at their centre (PDF points, origin bottom-left), as a click would find them.
"""

import json
import sys
from pathlib import Path

import gi

gi.require_version("Poppler", "0.18")
from gi.repository import Poppler  # noqa: E402


def field_at(page, x, y):
    _, height = page.get_size()
    for mapping in page.get_form_field_mapping():
        area = mapping.area  # Poppler's rectangles have their origin at the top left
        top, bottom = sorted((height - area.y1, height - area.y2))
        if area.x1 <= x <= area.x2 and top <= height - y <= bottom:
            return mapping.field
    return None


def main():
    command = json.load(sys.stdin)
    doc = Poppler.Document.new_from_file(Path(command["src"]).resolve().as_uri(), None)
    if command["do"] == "fill":
        for target in command["targets"]:
            field = field_at(doc.get_page(target["page"]), target["x"], target["y"])
            if field is None:
                raise SystemExit(f"no field at {target}")
            if target["kind"] in ("text", "multiline"):
                field.text_set_text(target["value"])
            else:
                field.button_set_state(True)
        doc.save(Path(command["dst"]).resolve().as_uri())
        print(json.dumps({"ok": True}))
        return
    if command["do"] == "names":
        names = {
            m.field.get_name()
            for n in range(doc.get_n_pages())
            for m in doc.get_page(n).get_form_field_mapping()
        }
        print(json.dumps({"names": sorted(names)}))
        return
    shown = []
    for target in command["widgets"]:
        field = field_at(doc.get_page(target["page"]), target["x"], target["y"])
        if field is None:
            shown.append(None)
        elif field.get_field_type() == Poppler.FormFieldType.TEXT:
            shown.append(field.text_get_text() or "")
        elif field.get_field_type() == Poppler.FormFieldType.BUTTON:
            shown.append(bool(field.button_get_state()))
        else:
            shown.append(None)
    print(json.dumps({"widgets": shown}))


main()
