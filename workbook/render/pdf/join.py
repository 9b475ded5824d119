"""Page numbers stamped onto finished PDFs, and workbooks joined from finished PDFs.

Why stamp: a sheet's own PDF says "Page 1 of 5"; the same pages inside a
workbook say "Page 17 of 124". So sheets are laid out once, without numbers
(see ``numbering`` in :mod:`workbook.pdf`), and the numbers are drawn on
afterwards from an *overlay*: a PDF of empty pages that WeasyPrint lays out
with only the page-number margin box filled in, in the theme's font and
place. Each overlay page becomes a form XObject named ``/WbPageNumber`` in
the page's resources, drawn by a content stream added at the end, marked
as a pagination artifact. A workbook reuses a sheet's own PDF by pointing
``/WbPageNumber`` at its own overlay page instead.

Why join by hand: WeasyPrint keeps every laid-out page in memory until it
writes the PDF (a 420-page workbook of trackers needed 3 GiB), and qpdf
holds every object of every input and of the output at once (about 2 KiB an
object: a 500-page workbook has 415,000 of them, 1.9 GiB, and took 17 s to
join). :func:`join` streams instead: it takes one part at a time, gives its
objects new numbers and keeps only their bytes (a 528-page workbook: about
5 s and 300 MiB). Our parts are written by QPDF, so :class:`_RawSource` reads
their objects' text straight from the file and renumbers the references in
it; pikepdf reads only the few objects the join must understand (pages, tag
tree, form, outline). Any other PDF is read object by object through pikepdf
(:class:`_Source`). What survives the join, and how:

* pages in order, each pointing at the one new page tree;
* the tag tree (PDF/UA): every part's top-level elements go under one
  /Document element, and the parent tree's keys (pages' /StructParents,
  annotations' /StructParent) are shifted past the keys already used;
* form fields: every part's /Fields (names are unique across a workbook by
  construction) and their default resources;
* links: each part starts at a destination named after its anchor (the
  contents links to it); a part's links to its own anchors keep working;
* bookmarks: every part's outline, pointing at the joined pages;
* fonts: identical embedded font files are stored once.

The first part's catalogue (language, metadata, viewer preferences) and
document information are kept for the whole document.
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import re
import struct
import zlib
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

NUMBER = Name("/WbPageNumber")  # the overlay page drawn on a page
STAMP = Name("/WbStamp")  # marks the content streams the stamp added
_DRAW = b"\nQ\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC /WbPageNumber Do EMC Q\n"


# --------------------------------------------------------------------------- page numbers


def overlay_xobjects(overlay: pikepdf.Pdf) -> list[pikepdf.Stream | None]:
    """Each page of ``overlay`` as a form XObject of that Pdf (None: a page with no number)."""
    found: list[pikepdf.Stream | None] = []
    for page in overlay.pages:
        contents = page.obj.get("/Contents")
        streams = [] if contents is None else contents if isinstance(contents, Array) \
            else [contents]
        data = b"\n".join(stream.read_bytes() for stream in streams)
        if b"BT" not in data:
            found.append(None)
            continue
        xobject = pikepdf.Stream(overlay, data)
        xobject.Type, xobject.Subtype = Name.XObject, Name.Form
        xobject.BBox = page.obj.MediaBox
        xobject.Resources = page.obj.get("/Resources", Dictionary())
        found.append(overlay.make_indirect(xobject))
    return found


def stamp_page(pdf: pikepdf.Pdf, page: Dictionary, number: pikepdf.Object) -> None:
    """Draw ``number`` (a form XObject of ``pdf``) on ``page``; a page that is stamped
    already only has its number swapped."""
    resources = Dictionary(page.get("/Resources", Dictionary()))  # may be shared: copy
    xobjects = Dictionary(resources.get("/XObject", Dictionary()))
    xobjects[NUMBER] = number
    resources.XObject = xobjects
    page.Resources = resources
    contents = page.get("/Contents")
    streams = [] if contents is None else list(contents) if isinstance(contents, Array) \
        else [contents]
    if streams and STAMP in streams[0].stream_dict:
        return
    opening, closing = pdf.make_stream(b"q\n"), pdf.make_stream(_DRAW)
    opening[STAMP] = closing[STAMP] = True
    page.Contents = Array([opening, *streams, closing])


def stamp_numbers(pdf: pikepdf.Pdf, overlay_data: bytes | None) -> None:
    """Stamp every page of ``pdf``: with the pages of an overlay of the same length, or
    (``None``) with an empty number each, for :func:`join` to replace."""
    if overlay_data is None:  # one each: the join points each page's own at its number
        for page in pdf.pages:
            stamp_page(pdf, page.obj, pdf.make_indirect(_empty_xobject(pdf)))
        return
    with pikepdf.open(io.BytesIO(overlay_data)) as overlay:
        for page, xobject in zip(pdf.pages, overlay_xobjects(overlay)):
            number = pdf.copy_foreign(xobject) if xobject is not None \
                else pdf.make_indirect(_empty_xobject(pdf))
            stamp_page(pdf, page.obj, number)


def _empty_xobject(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    xobject = pikepdf.Stream(pdf, b"")
    xobject.Type, xobject.Subtype = Name.XObject, Name.Form
    xobject.BBox = Array([0, 0, 1, 1])
    return xobject


# --------------------------------------------------------------------------- joining


@dataclass
class JoinPart:
    data: bytes
    anchor: str | None = None  # the destination its first page gets (the contents link to it)


# a literal string (QPDF escapes every parenthesis in one) or an indirect reference
_TOKENS = re.compile(rb"\((?:[^\\)]|\\.)*\)|(\d+) \d+ R", re.S)


class _Output:
    """Objects by number, kept as bytes until the file is written."""

    def __init__(self) -> None:
        self.count = 0
        self.objects: dict[int, bytes] = {}  # not streams: go into object streams
        self.streams: dict[int, tuple[bytes, bytes]] = {}  # dictionary, raw data

    def new(self) -> int:
        self.count += 1
        return self.count

    def put(self, number: int, body: bytes) -> None:
        self.objects[number] = body

    def write(self, root: int, info: int | None) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xbf\xf7\xa2\xfe\n")
        where: dict[int, tuple[int, int, int]] = {}  # number → xref entry
        for number in sorted(self.streams):
            head, raw = self.streams[number]
            where[number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n%s\nstream\n" % (number, head))
            out.write(raw)
            out.write(b"\nendstream\nendobj\n")
        numbers = sorted(self.objects)
        for start in range(0, len(numbers), 200):
            batch = numbers[start:start + 200]
            holder = self.new()
            bodies = [self.objects[number] for number in batch]
            offsets = list(itertools.accumulate((len(body) + 1 for body in bodies), initial=0))
            header = b" ".join(b"%d %d" % pair for pair in zip(batch, offsets)) + b"\n"
            where.update((number, (2, holder, index)) for index, number in enumerate(batch))
            data = zlib.compress(header + b"\n".join(bodies) + b"\n", 6)
            where[holder] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
                      b"/Length %d >>\nstream\n" % (holder, len(batch), len(header), len(data)))
            out.write(data)
            out.write(b"\nendstream\nendobj\n")
        missing = [n for n in range(1, self.count + 1) if n not in where]
        if missing:  # a reference to an object no part holds: a bug, not a user's mistake
            raise RuntimeError(f"joined PDF: {len(missing)} references lead nowhere")
        xref = self.new()
        where[xref] = (1, out.tell(), 0)
        identity = hashlib.md5(out.getbuffer()).hexdigest().encode()
        row = struct.Struct(">BIH").pack
        free = (0, 0, 0)
        rows = [row(0, 0, 65535), *(row(*where.get(number, free)) for number in range(1, xref + 1))]
        table = zlib.compress(b"".join(rows), 6)
        info_entry = b" /Info %d 0 R" % info if info else b""
        out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R%s "
                  b"/ID [ <%s> <%s> ] /Filter /FlateDecode /Length %d >>\nstream\n"
                  % (xref, xref + 1, root, info_entry, identity, identity, len(table)))
        out.write(table)
        out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % where[xref][1])
        return out.getvalue()


class _Source:
    """One input PDF: its objects get new numbers as they are reached, and are written."""

    def __init__(self, output: _Output, pdf: pikepdf.Pdf):
        self.output, self.pdf = output, pdf
        self.numbers: dict[int, int] = {}  # number in this PDF → number in the output
        self.todo: list[int] = []  # (only what is reached is written)
        self.shift = 0  # StructParent keys: shifted in the objects themselves (see _Join)

    def ref(self, number: int) -> int:
        target = self.numbers.get(number)
        if target is None:
            target = self.numbers[number] = self.output.new()
            self.todo.append(number)
        return target

    def alias(self, obj: pikepdf.Object, target: int) -> None:
        """References to ``obj`` become references to ``target``; ``obj`` is not written."""
        self.numbers[obj.objgen[0]] = target

    def stand_in(self, target: int) -> pikepdf.Object:
        """An object of this PDF that stands for output object ``target``."""
        obj = self.pdf.make_indirect(Dictionary())
        self.alias(obj, target)
        return obj

    def text(self, obj) -> bytes:
        """``obj`` as written inside another object of the output."""
        if not isinstance(obj, pikepdf.Object):  # pikepdf gives numbers and booleans as such
            return _scalar(obj)
        if obj.is_indirect:
            return b"%d 0 R" % self.ref(obj.objgen[0])
        return self._renumber(obj.unparse(resolved=True))

    def contents_text(self, obj) -> bytes:
        """What an array holds, as written inside another object of the output."""
        return b" ".join(self.text(item) for item in obj)

    def _renumber(self, data: bytes) -> bytes:
        return _TOKENS.sub(self._replace, data)

    def _replace(self, match: re.Match) -> bytes:
        if match[1] is None:
            return match[0]
        return b"%d 0 R" % self.ref(int(match[1]))

    def drain(self) -> None:
        """Write every object reached so far, and what those reach."""
        output = self.output
        while self.todo:
            number = self.todo.pop()
            obj = self.pdf.get_object(number, 0)
            target = self.numbers[number]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                head = Dictionary({key: value for key, value in obj.stream_dict.items()
                                   if key != "/Length"})
                head.Length = len(raw)
                output.streams[target] = (self._renumber(head.unparse(resolved=True)), raw)
            else:
                output.put(target, self._renumber(obj.unparse(resolved=True)))


class RawUnreadable(Exception):
    """A part not laid out the way :class:`_RawSource` reads (it is joined with pikepdf)."""


_OBJ_HEAD = re.compile(rb"(\d+) 0 obj\s*")
_STRINGS = re.compile(rb"\((?:[^\\)]|\\.)*\)", re.S)
_STRUCT_PARENT = re.compile(rb"/StructParents? (\d+)")


def _key(head: bytes, key: bytes) -> bytes | None:
    """The value of a plain (number, name or array) entry in a dictionary's text."""
    found = re.search(rb"/" + key + rb"(?![\w#.-])\s*(\[[^\]]*\]|/?[\w.]+)", head)
    return found[1] if found else None


class _RawSource:
    """A part as QPDF writes it (object streams, plain objects), read from its bytes:
    no PDF object is built for the hundreds of thousands of objects of a long workbook;
    their text is renumbered as it is."""

    def __init__(self, output: _Output, data: bytes):
        self.output, self.data = output, data
        self.table = _Numbers(output)
        self.skip: set[int] = set()  # not written unless something still refers to them
        self.aliased: set[int] = set()  # stand for an object of the output: never written
        self.skipped: dict[int, bytes] = {}  # skipped objects from object streams
        self.shift = 0  # added to /StructParent(s): keys already used by earlier parts
        self.plain: dict[int, tuple[int, int]] = {}  # number → where its text is
        self.streams: dict[int, tuple[int, int, int]] = {}  # number → dictionary, data
        self.holders: list[tuple[int, int, int]] = []  # object streams
        self._scan()

    # the same interface as _Source

    @property
    def numbers(self) -> dict:
        return self.table.numbers

    def ref(self, number: int) -> int:
        self.table[b"%d" % number]
        return self.table.numbers[number]

    def alias(self, obj: pikepdf.Object, target: int) -> None:
        self.table.alias(obj.objgen[0], target)
        self.aliased.add(obj.objgen[0])

    def text(self, obj) -> bytes:
        if not isinstance(obj, pikepdf.Object):
            return _scalar(obj)
        if obj.is_indirect:
            return self.table[b"%d" % obj.objgen[0]]
        return self._renumber(obj.unparse(resolved=True))

    def contents_text(self, obj) -> bytes:
        """What an array holds, renumbered (one call: long arrays of references)."""
        return self._renumber(obj.unparse(resolved=True)).strip()[1:-1].strip()

    def drain(self) -> None:
        skip = self.skip | self.aliased
        for number in self.plain:
            if number not in skip:
                self._write(number)
        for number in self.streams:
            if number not in skip:
                self._write(number)
        for holder in self.holders:
            self._object_stream(*holder, skip)
        # a skipped object something still refers to (a font dictionary the form and the
        # pages share, say) is written after all
        written = set()
        while True:
            wanted = [n for n in self.skip - self.aliased - written if n in self.table.numbers]
            if not wanted:
                return
            for number in wanted:
                written.add(number)
                self._write(number)

    def _write(self, number: int) -> None:
        data = self.data
        if number in self.plain:
            begin, end = self.plain[number]
            self.output.put(self.ref(number), self._renumber(data[begin:end].strip()))
        elif number in self.streams:
            begin, end, length = self.streams[number]
            self.output.streams[self.ref(number)] = (self._renumber(data[begin:end]),
                                                     data[end + 8:end + 8 + length])
        elif number in self.skipped:
            self.output.put(self.ref(number), self._renumber(self.skipped[number]))

    # reading

    def _scan(self) -> None:
        """Every object of the file, in order; QPDF writes each object once."""
        data = self.data
        if not data.startswith(b"%PDF-"):
            raise RawUnreadable("not a PDF")
        position = data.find(b"\n", data.find(b"\n") + 1) + 1
        while True:
            head = _OBJ_HEAD.match(data, position)
            if head is None:
                if data.startswith(b"xref", position) or data.startswith(b"startxref", position):
                    return
                raise RawUnreadable("unexpected text between objects")
            number, begin = int(head[1]), head.end()
            close = data.find(b"endobj", begin)
            marker = data.find(b">>\nstream\n", begin, close)
            if close < 0:
                raise RawUnreadable("unterminated object")
            if marker < 0:
                self.plain[number] = (begin, close)
                position = close + 6
            else:
                end = marker + 2  # the dictionary ends here; its data starts after "stream\n"
                dictionary = data[begin:end]
                length = _key(dictionary, b"Length")
                if length is None or not length.isdigit():
                    raise RawUnreadable("indirect stream length")
                after = end + 8 + int(length)
                if not data.startswith(b"\nendstream", after):
                    raise RawUnreadable("stream length does not match")
                kind = _key(dictionary, b"Type")
                if kind == b"/ObjStm":
                    self.holders.append((end + 8, int(length), int(_key(dictionary, b"First"))))
                elif kind != b"/XRef":
                    self.streams[number] = (begin, end, int(length))
                position = data.find(b"endobj", after) + 6
            while position < len(data) and data[position] in b" \r\n\t":
                position += 1

    # writing

    def _object_stream(self, start: int, length: int, first: int, skip: set[int]) -> None:
        text = zlib.decompress(self.data[start:start + length])
        pairs = [int(v) for v in text[:first].split()]
        bodies, numbers = [], []
        for i in range(0, len(pairs), 2):
            number = pairs[i]
            begin = first + pairs[i + 1]
            end = first + pairs[i + 3] if i + 3 < len(pairs) else len(text)
            if number in skip:
                if number not in self.aliased:
                    self.skipped[number] = text[begin:end].strip()
                continue
            bodies.append(text[begin:end].strip())
            numbers.append(number)
        if not bodies:
            return
        renumbered = self._renumber(b"\x00 ".join(bodies)).split(b"\x00")
        put = self.output.put
        for number, body in zip(numbers, renumbered):
            put(self.ref(number), body.strip())

    def _renumber(self, text: bytes) -> bytes:
        """Every reference 'N 0 R' of this part, renumbered for the output."""
        if self.shift:
            text = _STRUCT_PARENT.sub(
                lambda m: m[0][:m.start(1) - m.start(0)] + b"%d" % (int(m[1]) + self.shift), text)
        pieces = text.split(b" 0 R")
        if len(pieces) == 1:
            return text
        last = pieces.pop()
        heads, _, numbers = zip(*map(bytes.rpartition, pieces, itertools.repeat(b" ")))
        if not all(map(bytes.isdigit, numbers)) or (
                b"(" in text and b" 0 R" in b"\x00".join(_STRINGS.findall(text))):
            # not every " 0 R" ends a reference: the careful way
            return _TOKENS.sub(lambda m: m[0] if m[1] is None else self.table[m[1]], text)
        out = [b""] * (2 * len(heads) + 1)
        out[0:-1:2] = heads
        out[1::2] = map(self.table.__getitem__, numbers)
        out[-1] = last
        return b" ".join(out)


class _Numbers(dict):
    """Object number in a part (as text) → a reference to its number in the output."""

    def __init__(self, output: _Output):
        super().__init__()
        self.output = output
        self.numbers: dict[int, int] = {}

    def __missing__(self, number: bytes) -> bytes:
        target = self.output.new()
        self.numbers[int(number)] = target
        value = self[number] = b"%d 0 R" % target
        return value

    def alias(self, number: int, target: int) -> None:
        self.numbers[number] = target
        self[b"%d" % number] = b"%d 0 R" % target


def join(parts: list[JoinPart], overlay: bytes | None = None) -> bytes:
    """One PDF of ``parts`` in order, with page numbers from ``overlay`` (one page per
    page of the result); ``parts[0]`` gives the catalogue and document information."""
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived lists; the worker's heap is big (it was forked)
    try:
        return _Join(parts, overlay).run()
    finally:
        if collecting:
            gc.enable()


@dataclass
class _Bookmark:
    title: str
    page: int  # index in the joined document
    top: float
    children: list["_Bookmark"] = field(default_factory=list)


class _Join:
    def __init__(self, parts: list[JoinPart], overlay: bytes | None):
        self.parts = parts
        self.out = _Output()
        self.pages_root, self.tree_root, self.document = (self.out.new() for _ in range(3))
        self.page_refs: list[int] = []
        self.page_tops: list[float] = []
        self.kids: list[bytes] = []  # the /Document element's children
        self.nums: list[tuple[int, bytes]] = []  # the parent tree
        self.next_key = 0
        self.fields: list[bytes] = []
        self.form: dict[str, bytes] = {}  # /AcroForm entries besides /Fields and /DR
        self.form_fonts: dict[str, bytes] = {}
        self.bookmarks: list[_Bookmark] = []
        self.dests: dict[str, bytes] = {}
        self.font_files: dict[str, int] = {}
        self.anchors = {part.anchor for part in parts if part.anchor}
        self.catalog: dict[str, bytes] = {}
        self.info: int | None = None
        self.empty: int | None = None  # an empty form XObject, for pages with no number
        self.overlay = pikepdf.open(io.BytesIO(overlay)) if overlay else None
        self.numbers: list[pikepdf.Stream | None] = []
        if self.overlay is not None:
            self.overlay_source = _Source(self.out, self.overlay)
            self.numbers = overlay_xobjects(self.overlay)

    def run(self) -> bytes:
        try:
            for index, part in enumerate(self.parts):
                with pikepdf.open(io.BytesIO(part.data)) as pdf:
                    source = self._source(part, pdf)
                    self._add(index, part, pdf, source)
                    if isinstance(source, _RawSource):
                        self._skip_rebuilt(pdf, source, keep_metadata=index == 0)
                    source.drain()
            if self.overlay is not None:
                self.overlay_source.drain()
            return self._finish()
        finally:
            if self.overlay is not None:
                self.overlay.close()

    # -- one part

    def _source(self, part: JoinPart, pdf: pikepdf.Pdf) -> _Source | _RawSource:
        """Read from its bytes when it can be (it was stamped for page numbers, and written
        by QPDF with object streams); otherwise through pikepdf."""
        if all(NUMBER in page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
               for page in pdf.pages):
            try:
                return _RawSource(self.out, part.data)
            except (RawUnreadable, ValueError, zlib.error):
                pass
        return _Source(self.out, pdf)

    def _add(self, index: int, part: JoinPart, pdf: pikepdf.Pdf,
             source: _Source | _RawSource) -> None:
        self._share_fonts(pdf, source)
        first = len(self.page_refs)
        offset = self.next_key
        raw = isinstance(source, _RawSource)
        source.shift = offset  # the raw reader shifts the keys as it writes
        for page in pdf.pages:
            obj = page.obj
            node = obj.get("/Parent")
            while node is not None and node.objgen[0] not in source.numbers:
                source.alias(node, self.pages_root)  # one page tree for all parts
                node = node.get("/Parent")
            if not raw:
                if "/StructParents" in obj:
                    obj.StructParents = int(obj.StructParents) + offset
                for annot in obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + offset
            self._show_number(pdf, obj, source, len(self.page_refs))
            self.page_refs.append(source.ref(obj.objgen[0]))
            box = [float(v) for v in obj.MediaBox]
            self.page_tops.append(box[3])
        self._tags(pdf, source, offset)
        self._form(pdf, source)
        self.bookmarks += _outline_of(pdf, first)
        self._links(index, part, pdf, source, first)
        if index == 0:
            for key, value in pdf.Root.items():
                if key not in ("/Type", "/Pages", "/StructTreeRoot", "/AcroForm", "/Outlines",
                               "/Names"):
                    self.catalog[key] = source.text(value)
            info = pdf.trailer.get("/Info")
            if info is not None:
                self.info = self.out.new()
                self.out.put(self.info, source.text(Dictionary(info)))

    def _skip_rebuilt(self, pdf: pikepdf.Pdf, source: _RawSource, keep_metadata: bool) -> None:
        """What the join writes anew (catalogue, tag tree root, parent tree, form, outline,
        destinations, document information) and the numbers it replaced are not copied."""
        root = pdf.Root
        skip = [root, pdf.trailer.get("/Info")]
        if not keep_metadata:
            skip.append(root.get("/Metadata"))
        tree = root.get("/StructTreeRoot")
        if tree is not None:
            skip += _tree_nodes(tree.get("/ParentTree"))
        form = root.get("/AcroForm")
        if form is not None:
            skip += [form, form.get("/Fields")]
        names = root.get("/Names")
        if names is not None:
            skip += [names, *_tree_nodes(names.get("/Dests"), values=True)]
        outline = root.get("/Outlines")
        if outline is not None:
            skip += [outline, *_outline_items(outline)]
        for page in pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            old = resources.get("/XObject", Dictionary()).get(NUMBER)
            if old is not None:  # the sheet's own page number: replaced by the workbook's
                skip += _reachable(old.get("/Resources"))
        source.skip.update(obj.objgen[0] for obj in skip
                           if isinstance(obj, pikepdf.Object) and obj.is_indirect)

    def _show_number(self, pdf: pikepdf.Pdf, page: Dictionary, source: _Source, index: int) -> None:
        """Page ``index`` of the result shows the overlay's page ``index``."""
        xobject = self.numbers[index] if index < len(self.numbers) else None
        target = self.overlay_source.ref(xobject.objgen[0]) if xobject is not None \
            else self._empty()
        old = page.get("/Resources", Dictionary()).get("/XObject", Dictionary()).get(NUMBER)
        if old is not None and old.is_indirect:
            source.alias(old, target)  # stamped already: only the number changes
        else:
            stamp_page(pdf, page, source.stand_in(target))

    def _empty(self) -> int:
        if self.empty is None:
            self.empty = self.out.new()
            self.out.streams[self.empty] = (
                b"<< /BBox [ 0 0 1 1 ] /Length 0 /Subtype /Form /Type /XObject >>", b"")
        return self.empty

    def _tags(self, pdf: pikepdf.Pdf, source: _Source, offset: int) -> None:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return
        source.alias(tree, self.tree_root)
        document = tree.K[0] if isinstance(tree.K, Array) else tree.K
        source.alias(document, self.document)
        kids = document.get("/K", Array())
        for kid in kids if isinstance(kids, Array) else [kids]:
            if not isinstance(kid, pikepdf.Object):
                # marked content of the element itself: say which page it is on
                page = source.text(document.Pg)
                self.kids.append(b"<< /Type /MCR /Pg %s /MCID %d >>" % (page, int(kid)))
            else:
                self.kids.append(source.text(kid))
        used = 0
        for key, value in _parent_tree(tree.get("/ParentTree"), source):
            self.nums.append((key + offset, value))
            used = max(used, key + 1)
        self.next_key = offset + max(used, int(tree.get("/ParentTreeNextKey", 0)))

    def _form(self, pdf: pikepdf.Pdf, source: _Source) -> None:
        form = pdf.Root.get("/AcroForm")
        if form is None:
            return
        fields = form.get("/Fields")
        if fields is not None and len(fields):
            self.fields.append(source.contents_text(fields))
        for key, value in form.items():
            if key not in ("/Fields", "/DR"):
                self.form.setdefault(key, source.text(value))
        fonts = form.get("/DR", Dictionary()).get("/Font", Dictionary())
        for name, font in fonts.items():
            if name not in self.form_fonts:  # same name: same font, embedded whole for forms
                self.form_fonts[name] = source.text(font)

    def _links(self, index: int, part: JoinPart, pdf: pikepdf.Pdf, source: _Source,
               first: int) -> None:
        """The part's own destination, and those its links use inside the part."""
        if part.anchor and first < len(self.page_refs):
            self.dests[part.anchor] = b"[ %d 0 R /XYZ 0 %s 0 ]" % (
                self.page_refs[first], _number(self.page_tops[first]))
        own = dict(_dest_names(pdf.Root.get("/Names", Dictionary()).get("/Dests")))
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                dest = annot.get("/Dest")
                if not isinstance(dest, String) or str(dest) in self.anchors:
                    continue
                name = str(dest)
                if name in own and name not in self.dests:  # a link inside this part
                    value = own[name]
                    self.dests[name] = source.text(Array(list(value)) if value.is_indirect
                                                   else value)

    def _share_fonts(self, pdf: pikepdf.Pdf, source: _Source) -> None:
        """A font file already written (every part embeds the form font whole) is reused."""
        for descriptor in _font_descriptors(pdf):
            for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                stream = descriptor.get(key)
                if stream is None or not stream.is_indirect:
                    continue
                digest = hashlib.sha256(stream.read_raw_bytes()).hexdigest()
                if digest in self.font_files:
                    source.alias(stream, self.font_files[digest])
                else:
                    self.font_files[digest] = source.ref(stream.objgen[0])

    # -- the whole document

    def _finish(self) -> bytes:
        out = self.out
        kids = b" ".join(b"%d 0 R" % ref for ref in self.page_refs)
        out.put(self.pages_root, b"<< /Type /Pages /Kids [ %s ] /Count %d >>"
                % (kids, len(self.page_refs)))
        parent_tree = out.new()
        out.put(parent_tree, self._parent_tree())
        out.put(self.tree_root, b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R "
                                b"/ParentTreeNextKey %d >>"
                % (self.document, parent_tree, self.next_key))
        out.put(self.document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
                % (self.tree_root, b" ".join(self.kids)))
        catalog = dict(self.catalog)
        catalog["/Type"] = b"/Catalog"
        catalog["/Pages"] = b"%d 0 R" % self.pages_root
        catalog["/StructTreeRoot"] = b"%d 0 R" % self.tree_root
        if self.fields or self.form:
            form = dict(self.form)
            form["/Fields"] = b"[ %s ]" % b" ".join(self.fields)
            if self.form_fonts:
                fonts = b" ".join(name.encode() + b" " + text
                                  for name, text in sorted(self.form_fonts.items()))
                form["/DR"] = b"<< /Font << %s >> >>" % fonts
            catalog["/AcroForm"] = _dictionary(form)
        if self.bookmarks:
            catalog["/Outlines"] = b"%d 0 R" % self._outline()
        if self.dests:
            names = b" ".join(String(name).unparse() + b" " + dest
                              for name, dest in sorted(self.dests.items()))
            dests = out.new()
            out.put(dests, b"<< /Names [ %s ] >>" % names)
            catalog["/Names"] = b"<< /Dests %d 0 R >>" % dests
        root = out.new()
        out.put(root, _dictionary(catalog))
        return out.write(root, self.info)

    def _parent_tree(self) -> bytes:
        """A number tree of 256-entry leaves (one flat array is slow to search)."""
        nums = sorted(self.nums)
        if len(nums) <= 256:
            return b"<< /Nums [ %s ] >>" % b" ".join(b"%d %s" % item for item in nums)
        leaves = []
        for start in range(0, len(nums), 256):
            batch = nums[start:start + 256]
            leaf = self.out.new()
            self.out.put(leaf, b"<< /Limits [ %d %d ] /Nums [ %s ] >>" % (
                batch[0][0], batch[-1][0], b" ".join(b"%d %s" % item for item in batch)))
            leaves.append(leaf)
        return b"<< /Kids [ %s ] >>" % b" ".join(b"%d 0 R" % leaf for leaf in leaves)

    def _outline(self) -> int:
        out = self.out
        root = out.new()

        def write(marks: list[_Bookmark], parent: int) -> tuple[int, int, int]:
            numbers = [out.new() for _ in marks]
            visible = len(marks)
            for i, (mark, number) in enumerate(zip(marks, numbers)):
                entries = {
                    "/Title": String(mark.title).unparse(),
                    "/Parent": b"%d 0 R" % parent,
                    "/Dest": b"[ %d 0 R /XYZ 0 %s 0 ]" % (self.page_refs[mark.page],
                                                        _number(mark.top)),
                }
                if i:
                    entries["/Prev"] = b"%d 0 R" % numbers[i - 1]
                if i + 1 < len(numbers):
                    entries["/Next"] = b"%d 0 R" % numbers[i + 1]
                if mark.children:
                    first, last, count = write(mark.children, number)
                    entries.update({"/First": b"%d 0 R" % first, "/Last": b"%d 0 R" % last,
                                    "/Count": b"%d" % count})
                    visible += count
                out.put(number, _dictionary(entries))
            return numbers[0], numbers[-1], visible

        first, last, count = write(self.bookmarks, root)
        out.put(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                % (first, last, count))
        return root


def _dictionary(entries: dict[str, bytes]) -> bytes:
    return b"<< %s >>" % b" ".join(key.encode() + b" " + value
                                    for key, value in sorted(entries.items()))


def _scalar(value) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    return _number(float(value))


def _number(value: float) -> bytes:
    return (f"{value:.4f}".rstrip("0").rstrip(".") or "0").encode()


_NUMS = re.compile(rb"(\d+)\s+(\d+ 0 R|\[[^\]]*\]|null)")


def _parent_tree(node, source) -> list[tuple[int, bytes]]:
    """The entries of a parent tree (a number tree): key, value as written in the output."""
    if node is None:
        return []
    found = []
    nums = node.get("/Nums")
    if nums is not None and len(nums):
        text = source.contents_text(nums)
        if b"<<" in text:  # a value written out as a dictionary: take them one by one
            found += [(int(nums[i]), source.text(nums[i + 1])) for i in range(0, len(nums) - 1, 2)]
        else:
            found += [(int(key), value) for key, value in _NUMS.findall(text)]
    for kid in node.get("/Kids", []):
        found += _parent_tree(kid, source)
    return found


def _dest_names(names) -> list[tuple[str, pikepdf.Object]]:
    if names is None:
        return []
    found = []
    items = names.get("/Names", [])
    found += [(str(items[i]), items[i + 1]) for i in range(0, len(items) - 1, 2)]
    for kid in names.get("/Kids", []):
        found += _dest_names(kid)
    return found


def _tree_nodes(node, values: bool = False) -> list:
    """The nodes of a number or name tree (and with ``values``, its values)."""
    if node is None:
        return []
    found = [node]
    if values:
        items = node.get("/Names", [])
        found += [items[i] for i in range(1, len(items), 2)]
    for kid in node.get("/Kids", []):
        found += _tree_nodes(kid, values)
    return found


def _outline_items(node) -> list:
    found, item = [], node.get("/First")
    while item is not None:
        found.append(item)
        found += _outline_items(item)
        item = item.get("/Next")
    return found


def _reachable(obj, seen: set | None = None) -> list:
    """Indirect objects reachable from ``obj`` (small graphs only: a page number's font)."""
    seen = set() if seen is None else seen
    found = []
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
                found += _reachable(value, seen)
        elif isinstance(obj, Array):
            for value in obj:
                found += _reachable(value, seen)
    return found


def _font_descriptors(pdf: pikepdf.Pdf) -> list[Dictionary]:
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


def _outline_of(pdf: pikepdf.Pdf, start: int) -> list[_Bookmark]:
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

    def convert(item) -> _Bookmark | None:
        dest = item.destination
        if not isinstance(dest, Array) or not len(dest):
            return None
        page = index.get(dest[0].objgen)
        if page is None:
            return None
        top = float(dest[3]) if len(dest) > 3 and dest[1] == Name.XYZ and dest[3] is not None \
            else 0.0
        mark = _Bookmark(str(item.title), page + start, top)
        mark.children = [c for c in (convert(child) for child in item.children) if c]
        return mark

    if "/Outlines" not in pdf.Root:
        return []
    with pdf.open_outline() as outline:
        return [m for m in (convert(item) for item in outline.root) if m]
