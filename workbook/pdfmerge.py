"""Join separately rendered PDF chunks into one workbook PDF, with pikepdf.

WeasyPrint keeps the layout of every page of a document in memory until it
writes the PDF: a 420-page workbook of trackers needed 3 GiB. So a workbook
is rendered in chunks (its cover and contents, then each part), each chunk
numbered as if it were in place, and joined here. What must survive the
join, and how:

* pages, in order (each chunk's pages are copied once);
* the tag tree (PDF/UA): every chunk's top-level elements go under one
  /Document element; the parent tree's keys of a chunk (pages' /StructParents,
  annotations' /StructParent) are shifted past the keys already used;
* form fields: the /Fields of every chunk (names are unique across the
  workbook by construction) and their default resources;
* links between chunks: each chunk names its anchors as destinations; the
  joined file keeps the destinations that some link uses;
* bookmarks: rebuilt from every chunk's outline, pointing at the joined pages;
* fonts: identical embedded font files are stored once.

The first chunk's catalogue (language, title metadata, viewer preferences)
is kept for the whole document.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String


@dataclass
class Chunk:
    data: bytes
    anchors: set[str] = field(default_factory=set)  # destinations this chunk really holds


def merge(chunks: list[Chunk]) -> bytes:
    first = pikepdf.open(io.BytesIO(chunks[0].data))
    outline = _outline_of(first, 0)
    dests = _dests_of(first, chunks[0].anchors, first)
    tree = first.Root.StructTreeRoot
    document = tree.K[0] if isinstance(tree.K, Array) else tree.K
    nums = tree.ParentTree.Nums
    next_key = _next_key(nums)
    fields = first.Root.AcroForm.Fields if "/AcroForm" in first.Root else Array()
    sources = []
    for chunk in chunks[1:]:
        source = pikepdf.open(io.BytesIO(chunk.data))
        sources.append(source)  # keep open until saved: pikepdf copies lazily
        start = len(first.pages)
        with warnings.catch_warnings():
            # pikepdf warns that fields and destinations are not carried over by
            # pages.extend(); this module carries them itself (and the tags, which
            # add_pages_from() would not).
            warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", Warning))
            first.pages.extend(source.pages)
        next_key = _join_tags(first, source, document, nums, next_key, start)
        _join_fields(first, source, fields)
        outline += _outline_of(source, start)
        dests.update(_dests_of(source, chunk.anchors, first))
    tree.ParentTreeNextKey = next_key
    _write_dests(first, dests)
    _write_outline(first, outline)
    _share_font_files(first)
    out = io.BytesIO()
    first.save(out, deterministic_id=True, compress_streams=True,
               object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    first.close()
    return out.getvalue()


def _copy(target: pikepdf.Pdf, obj):
    """``obj`` from another Pdf, in ``target``; objects already copied are reused."""
    if isinstance(obj, (Array, Dictionary)) and not obj.is_indirect:
        if isinstance(obj, Array):
            return Array([_copy(target, item) for item in obj])
        return Dictionary({key: _copy(target, value) for key, value in obj.items()})
    if isinstance(obj, (Array, Dictionary, pikepdf.Stream)):
        return target.copy_foreign(obj)
    return obj


# --------------------------------------------------------------------------- tags


def _next_key(nums: Array) -> int:
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys) + 1 if keys else 0


def _join_tags(target: pikepdf.Pdf, source: pikepdf.Pdf, document: Dictionary, nums: Array,
               offset: int, start: int) -> int:
    tree = source.Root.StructTreeRoot
    src_doc = tree.K[0] if isinstance(tree.K, Array) else tree.K
    kids = src_doc.K if isinstance(src_doc.K, Array) else Array([src_doc.K])
    for kid in kids:
        if isinstance(kid, Dictionary) and "/P" in kid:
            del kid["/P"]  # do not drag the chunk's own tree root along
        copied = _copy(target, kid)
        if isinstance(copied, Dictionary):
            copied.P = document
        document.K.append(copied)
    src_nums = tree.ParentTree.Nums
    for i in range(0, len(src_nums), 2):
        nums.append(int(src_nums[i]) + offset)
        nums.append(_copy(target, src_nums[i + 1]))
    for page in target.pages[start:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
    return offset + _next_key(src_nums)


# --------------------------------------------------------------------------- forms


def _join_fields(target: pikepdf.Pdf, source: pikepdf.Pdf, fields: Array) -> None:
    form = source.Root.get("/AcroForm")
    if form is None:
        return
    if "/AcroForm" not in target.Root:
        target.Root.AcroForm = Dictionary(Fields=fields, NeedAppearances=True)
    for f in form.Fields:
        fields.append(_copy(target, f))
    src_fonts = form.get("/DR", {}).get("/Font")
    if src_fonts is None:
        return
    acroform = target.Root.AcroForm
    if "/DR" not in acroform:
        acroform.DR = Dictionary(Font=Dictionary())
    fonts = acroform.DR.get("/Font")
    if fonts is None:
        acroform.DR.Font = fonts = Dictionary()
    for name, font in src_fonts.items():
        if name not in fonts:  # same name: same font description, embedded whole for forms
            fonts[name] = _copy(target, font)


# --------------------------------------------------------------------------- destinations


def _dest_names(names: Dictionary | None) -> list[tuple[str, pikepdf.Object]]:
    if names is None:
        return []
    found = []
    if "/Names" in names:
        items = names.Names
        found += [(str(items[i]), items[i + 1]) for i in range(0, len(items), 2)]
    for kid in names.get("/Kids", []):
        found += _dest_names(kid)
    return found


def _dests_of(source: pikepdf.Pdf, anchors: set[str], target: pikepdf.Pdf) -> dict:
    names = source.Root.get("/Names", {}).get("/Dests")
    found = {}
    for name, dest in _dest_names(names):
        if name in anchors:
            found[name] = dest if source is target else _copy(target, dest)
    return found


def _write_dests(pdf: pikepdf.Pdf, dests: dict) -> None:
    """Keep the named destinations some link points at, and only those."""
    used = set()
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            dest = annot.get("/Dest")
            if isinstance(dest, String):
                used.add(str(dest))
    array = Array()
    for name in sorted(used & set(dests)):
        array.append(String(name))
        array.append(dests[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(Names=array))


# --------------------------------------------------------------------------- bookmarks


@dataclass
class Bookmark:
    title: str
    page: int  # index in the joined document
    top: float
    children: list["Bookmark"] = field(default_factory=list)


def _outline_of(pdf: pikepdf.Pdf, start: int) -> list[Bookmark]:
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

    def convert(item) -> Bookmark | None:
        dest = item.destination
        if not isinstance(dest, Array) or not len(dest):
            return None
        page = index.get(dest[0].objgen)
        if page is None:
            return None
        top = float(dest[3]) if len(dest) > 3 and dest[1] == Name.XYZ and dest[3] is not None \
            else 0.0
        mark = Bookmark(item.title, page + start, top)
        mark.children = [c for c in (convert(child) for child in item.children) if c]
        return mark

    with pdf.open_outline() as outline:
        return [m for m in (convert(item) for item in outline.root) if m]


def _write_outline(pdf: pikepdf.Pdf, marks: list[Bookmark]) -> None:
    def build(mark: Bookmark) -> pikepdf.OutlineItem:
        dest = Array([pdf.pages[mark.page].obj, Name.XYZ, 0, mark.top, 0])
        item = pikepdf.OutlineItem(mark.title, dest)
        item.children.extend(build(child) for child in mark.children)
        return item

    with pdf.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(build(mark) for mark in marks)


# --------------------------------------------------------------------------- fonts


def _share_font_files(pdf: pikepdf.Pdf) -> None:
    """Every chunk embeds the whole form font; keep one copy of each identical file."""
    seen: dict[str, pikepdf.Object] = {}
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.FontDescriptor:
            continue
        for key in ("/FontFile2", "/FontFile3", "/FontFile"):
            stream = obj.get(key)
            if stream is None:
                continue
            digest = hashlib.sha256(stream.read_raw_bytes()).hexdigest()
            if digest in seen:
                obj[key] = seen[digest]
            else:
                seen[digest] = stream
