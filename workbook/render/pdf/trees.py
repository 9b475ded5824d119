"""Reading the trees inside a part's PDF that the join must rebuild for the whole.

A part's parent tree (tagged content → structure elements), its named
destinations, its outline (bookmarks) and its font descriptors are read here;
:mod:`workbook.render.pdf.join` renumbers them and writes one of each for the
joined workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from workbook.render.pdf.objects import InputPdf, RawSource


@dataclass
class Bookmark:
    title: str
    page: int  # index in the joined document
    top: float
    children: list[Bookmark] = field(default_factory=list)


_NUMS = re.compile(rb"(\d+)\s+(\d+ 0 R|\[[^\]]*\]|null)")


def parent_tree_entries(node: Any, source: InputPdf | RawSource) -> list[tuple[int, bytes]]:
    """The entries of a parent tree (a number tree): key, value as written in the output."""
    if node is None:
        return []
    found: list[tuple[int, bytes]] = []
    nums = node.get("/Nums")
    if nums is not None and len(nums):
        text = source.contents_text(nums)
        if b"<<" in text:  # a value written out as a dictionary: take them one by one
            found += [(int(nums[i]), source.text(nums[i + 1])) for i in range(0, len(nums) - 1, 2)]
        else:
            found += [(int(key), value) for key, value in _NUMS.findall(text)]
    for kid in node.get("/Kids", []):
        found += parent_tree_entries(kid, source)
    return found


def dest_names(names: Any) -> list[tuple[str, pikepdf.Object]]:
    if names is None:
        return []
    found: list[tuple[str, pikepdf.Object]] = []
    items = names.get("/Names", [])
    found += [(str(items[i]), items[i + 1]) for i in range(0, len(items) - 1, 2)]
    for kid in names.get("/Kids", []):
        found += dest_names(kid)
    return found


def tree_nodes(node: Any, values: bool = False) -> list:
    """The nodes of a number or name tree (and with ``values``, its values); ``node`` is
    any pikepdf object (a tree's nodes are read, not trusted)."""
    if node is None:
        return []
    found = [node]
    if values:
        items = node.get("/Names", [])
        found += [items[i] for i in range(1, len(items), 2)]
    for kid in node.get("/Kids", []):
        found += tree_nodes(kid, values)
    return found


def outline_items(node: Any) -> list:
    found, item = [], node.get("/First")
    while item is not None:
        found.append(item)
        found += outline_items(item)
        item = item.get("/Next")
    return found


def reachable(obj: Any, seen: set | None = None) -> list:
    """Indirect objects reachable from ``obj`` (small graphs only: a page number's font)."""
    seen = set() if seen is None else seen
    found: list = []
    if isinstance(obj, pikepdf.Object):
        if obj.is_indirect:
            if obj.objgen in seen:
                return found
            seen.add(obj.objgen)
            found.append(obj)
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, Dictionary):
            for value in obj.values():
                found += reachable(value, seen)
        elif isinstance(obj, Array):
            for value in obj:
                found += reachable(value, seen)
    return found


def font_descriptors(pdf: pikepdf.Pdf) -> list[Dictionary]:
    fonts = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources", Dictionary())
        fonts += list(resources.get("/Font", Dictionary()).values())
    form = pdf.Root.get("/AcroForm")
    if form is not None:
        fonts += list(form.get("/DR", Dictionary()).get("/Font", Dictionary()).values())
    found, seen = [], set()
    for font in fonts:
        for candidate in [font, *font.get("/DescendantFonts", [])]:
            descriptor = candidate.get("/FontDescriptor")
            if descriptor is not None and descriptor.objgen not in seen:
                seen.add(descriptor.objgen)
                found.append(descriptor)
    return found


def outline_of(pdf: pikepdf.Pdf, start: int) -> list[Bookmark]:
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

    def convert(item: pikepdf.OutlineItem) -> Bookmark | None:
        dest = item.destination
        if not isinstance(dest, Array) or not len(dest):
            return None
        page = index.get(dest[0].objgen)
        if page is None:
            return None
        top = (
            float(dest[3]) if len(dest) > 3 and dest[1] == Name.XYZ and dest[3] is not None else 0.0
        )
        mark = Bookmark(str(item.title), page + start, top)
        mark.children = [c for c in (convert(child) for child in item.children) if c]
        return mark

    if "/Outlines" not in pdf.Root:
        return []
    with pdf.open_outline() as outline:
        return [m for m in (convert(item) for item in outline.root) if m]
