"""A workbook joined from its parts' finished PDFs, in little memory.

Why by hand, and not with pikepdf or qpdf: measured joining a 439-page
workbook, this join needs 343 MiB where pikepdf needs 0.9-1.4 GiB and qpdf
2 GiB, and qpdf drops the tag tree (PDF/UA). Both hold every object of every
input and of the output at once (about 2 KiB an object: a 500-page workbook
has 415,000 of them). WeasyPrint itself would keep every laid-out page in
memory until it writes the PDF (a 420-page workbook of trackers needed 3 GiB),
so a workbook is never laid out whole either. :func:`join` streams instead: it
takes one part at a time, gives its objects new numbers and keeps only their
bytes (a 528-page workbook: about 5 s and 300 MiB). Our parts are written by
QPDF, so :class:`~workbook.render.pdf.objects.RawSource` reads their objects'
text straight from the file and renumbers the references in it; pikepdf reads
only the few objects the join must understand (pages, tag tree, form,
outline; see :mod:`workbook.render.pdf.trees`). Any other PDF is read object
by object through pikepdf (:class:`~workbook.render.pdf.objects.InputPdf`).
What survives the join, and how:

* pages in order, each pointing at the one new page tree;
* the tag tree (PDF/UA): every part's top-level elements go under one
  /Document element, and the parent tree's keys (pages' /StructParents,
  annotations' /StructParent) are shifted past the keys already used;
* form fields: every part's /Fields (names are unique across a workbook by
  construction) and their default resources;
* links: each part starts at a destination named after its anchor (the
  contents links to it); a part's links to its own anchors keep working;
* bookmarks: every part's outline, pointing at the joined pages;
* fonts: one font file per face, holding every glyph any part uses of it
  (see :mod:`workbook.render.pdf.faces`); other identical files are stored once.

The first part's catalogue (language, metadata, viewer preferences) and
document information are kept for the whole document.
"""

from __future__ import annotations

import gc
import hashlib
import io
import zlib
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, String

from workbook.render.pdf.faces import face_of, merged_faces, stream_parts
from workbook.render.pdf.objects import (
    InputPdf,
    Output,
    RawSource,
    RawUnreadable,
    dictionary_bytes,
    number_bytes,
)
from workbook.render.pdf.stamp import NUMBER, overlay_xobjects, stamp_page
from workbook.render.pdf.trees import (
    Bookmark,
    dest_names,
    font_descriptors,
    outline_items,
    outline_of,
    parent_tree_entries,
    reachable,
    tree_nodes,
)


@dataclass
class JoinPart:
    data: bytes
    anchor: str | None = None  # the destination its first page gets (the contents link to it)


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


class _Join:
    def __init__(self, parts: list[JoinPart], overlay: bytes | None) -> None:
        self.parts = parts
        self.out = Output()
        self.pages_root, self.tree_root, self.document = (self.out.new() for _ in range(3))
        self.page_refs: list[int] = []
        self.page_tops: list[float] = []
        self.kids: list[bytes] = []  # the /Document element's children
        self.nums: list[tuple[int, bytes]] = []  # the parent tree
        self.next_key = 0
        self.fields: list[bytes] = []
        self.form: dict[str, bytes] = {}  # /AcroForm entries besides /Fields and /DR
        self.form_fonts: dict[str, bytes] = {}
        self.bookmarks: list[Bookmark] = []
        self.dests: dict[str, bytes] = {}
        self.font_files: dict[str, int] = {}
        self.faces: dict[str, int] = {}  # face name → its one merged font file
        pdfs = [part.data for part in parts] + ([overlay] if overlay else [])
        for face, program in merged_faces(pdfs).items():
            self.faces[face] = self.out.new()
            self.out.streams[self.faces[face]] = stream_parts(program)
        self.anchors = {part.anchor for part in parts if part.anchor}
        self.catalog: dict[str, bytes] = {}
        self.info: int | None = None
        self.empty: int | None = None  # an empty form XObject, for pages with no number
        self.overlay = pikepdf.open(io.BytesIO(overlay)) if overlay else None
        self.numbers: list[pikepdf.Stream | None] = []
        if self.overlay is not None:
            self.overlay_source = InputPdf(self.out, self.overlay)
            self.numbers = overlay_xobjects(self.overlay)
            self._share_fonts(self.overlay, self.overlay_source)

    def run(self) -> bytes:
        try:
            for index, part in enumerate(self.parts):
                with pikepdf.open(io.BytesIO(part.data)) as pdf:
                    source = self._source(part, pdf)
                    self._add(index, part, pdf, source)
                    if isinstance(source, RawSource):
                        self._skip_rebuilt(pdf, source, keep_metadata=index == 0)
                    source.drain()
            if self.overlay is not None:
                self.overlay_source.drain()
            return self._finish()
        finally:
            if self.overlay is not None:
                self.overlay.close()

    # -- one part

    def _source(self, part: JoinPart, pdf: pikepdf.Pdf) -> InputPdf | RawSource:
        """Read from its bytes when it can be (it was stamped for page numbers, and written
        by QPDF with object streams); otherwise through pikepdf."""
        if all(
            NUMBER in page.obj.get("/Resources", Dictionary()).get("/XObject", Dictionary())
            for page in pdf.pages
        ):
            try:
                return RawSource(self.out, part.data)
            except (RawUnreadable, ValueError, zlib.error):
                pass
        return InputPdf(self.out, pdf)

    def _add(
        self, index: int, part: JoinPart, pdf: pikepdf.Pdf, source: InputPdf | RawSource
    ) -> None:
        self._share_fonts(pdf, source)
        first = len(self.page_refs)
        offset = self.next_key
        raw = isinstance(source, RawSource)
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
            self._shownumber_bytes(pdf, obj, source, len(self.page_refs))
            self.page_refs.append(source.ref(obj.objgen[0]))
            box = [float(v) for v in obj.MediaBox]
            self.page_tops.append(box[3])
        self._tags(pdf, source, offset)
        self._form(pdf, source)
        self.bookmarks += outline_of(pdf, first)
        self._links(index, part, pdf, source, first)
        if index == 0:
            for key, value in pdf.Root.items():
                if key not in (
                    "/Type",
                    "/Pages",
                    "/StructTreeRoot",
                    "/AcroForm",
                    "/Outlines",
                    "/Names",
                ):
                    self.catalog[key] = source.text(value)
            info = pdf.trailer.get("/Info")
            if info is not None:
                self.info = self.out.new()
                direct = Dictionary({key: info[key] for key in info.keys()})  # noqa: SIM118 - pikepdf types iteration as Objects; keys() are str
                self.out.put(self.info, source.text(direct))

    def _skip_rebuilt(self, pdf: pikepdf.Pdf, source: RawSource, keep_metadata: bool) -> None:
        """What the join writes anew (catalogue, tag tree root, parent tree, form, outline,
        destinations, document information) and the numbers it replaced are not copied."""
        root = pdf.Root
        skip = [root, pdf.trailer.get("/Info")]
        if not keep_metadata:
            skip.append(root.get("/Metadata"))
        tree = root.get("/StructTreeRoot")
        if tree is not None:
            skip += tree_nodes(tree.get("/ParentTree"))
        form = root.get("/AcroForm")
        if form is not None:
            skip += [form, form.get("/Fields")]
        names = root.get("/Names")
        if names is not None:
            skip += [names, *tree_nodes(names.get("/Dests"), values=True)]
        outline = root.get("/Outlines")
        if outline is not None:
            skip += [outline, *outline_items(outline)]
        for page in pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            old = resources.get("/XObject", Dictionary()).get(NUMBER)
            if old is not None:  # the sheet's own page number: replaced by the workbook's
                skip += reachable(old.get("/Resources"))
        source.skip.update(
            obj.objgen[0] for obj in skip if isinstance(obj, pikepdf.Object) and obj.is_indirect
        )

    def _shownumber_bytes(
        self, pdf: pikepdf.Pdf, page: Dictionary, source: InputPdf | RawSource, index: int
    ) -> None:
        """Page ``index`` of the result shows the overlay's page ``index``."""
        xobject = self.numbers[index] if index < len(self.numbers) else None
        target = (
            self.overlay_source.ref(xobject.objgen[0]) if xobject is not None else self._empty()
        )
        old = page.get("/Resources", Dictionary()).get("/XObject", Dictionary()).get(NUMBER)
        if old is not None and old.is_indirect:
            source.alias(old, target)  # stamped already: only the number changes
        else:  # a raw source is a sheet's own PDF, stamped when it was built
            assert isinstance(source, InputPdf)
            stamp_page(pdf, page, source.stand_in(target))

    def _empty(self) -> int:
        if self.empty is None:
            self.empty = self.out.new()
            self.out.streams[self.empty] = (
                b"<< /BBox [ 0 0 1 1 ] /Length 0 /Subtype /Form /Type /XObject >>",
                b"",
            )
        return self.empty

    def _tags(self, pdf: pikepdf.Pdf, source: InputPdf | RawSource, offset: int) -> None:
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
        for key, value in parent_tree_entries(tree.get("/ParentTree"), source):
            self.nums.append((key + offset, value))
            used = max(used, key + 1)
        self.next_key = offset + max(used, int(tree.get("/ParentTreeNextKey", 0)))

    def _form(self, pdf: pikepdf.Pdf, source: InputPdf | RawSource) -> None:
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

    def _links(
        self, index: int, part: JoinPart, pdf: pikepdf.Pdf, source: InputPdf | RawSource, first: int
    ) -> None:
        """The part's own destination, and those its links use inside the part."""
        if part.anchor and first < len(self.page_refs):
            self.dests[part.anchor] = b"[ %d 0 R /XYZ 0 %s 0 ]" % (
                self.page_refs[first],
                number_bytes(self.page_tops[first]),
            )
        own = dict(dest_names(pdf.Root.get("/Names", Dictionary()).get("/Dests")))
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                dest = annot.get("/Dest")
                if not isinstance(dest, String) or str(dest) in self.anchors:
                    continue
                name = str(dest)
                if name in own and name not in self.dests:  # a link inside this part
                    value = own[name]
                    self.dests[name] = source.text(
                        Array(list(value)) if value.is_indirect else value
                    )

    def _share_fonts(self, pdf: pikepdf.Pdf, source: InputPdf | RawSource) -> None:
        """A font file already written (every part embeds the form font whole) is reused."""
        for descriptor in font_descriptors(pdf):
            merged = self.faces.get(face_of(descriptor))
            if (
                merged is not None
                and descriptor.get("/FontFile2") is not None
                and descriptor.FontFile2.is_indirect
            ):
                source.alias(descriptor.FontFile2, merged)
                continue
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
        out.put(
            self.pages_root,
            b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(self.page_refs)),
        )
        parent_tree = out.new()
        out.put(parent_tree, self._parent_tree())
        out.put(
            self.tree_root,
            b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R "
            b"/ParentTreeNextKey %d >>" % (self.document, parent_tree, self.next_key),
        )
        out.put(
            self.document,
            b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
            % (self.tree_root, b" ".join(self.kids)),
        )
        catalog = dict(self.catalog)
        catalog["/Type"] = b"/Catalog"
        catalog["/Pages"] = b"%d 0 R" % self.pages_root
        catalog["/StructTreeRoot"] = b"%d 0 R" % self.tree_root
        if self.fields or self.form:
            form = dict(self.form)
            form["/Fields"] = b"[ %s ]" % b" ".join(self.fields)
            if self.form_fonts:
                fonts = b" ".join(
                    name.encode() + b" " + text for name, text in sorted(self.form_fonts.items())
                )
                form["/DR"] = b"<< /Font << %s >> >>" % fonts
            catalog["/AcroForm"] = dictionary_bytes(form)
        if self.bookmarks:
            catalog["/Outlines"] = b"%d 0 R" % self._outline()
        if self.dests:
            names = b" ".join(
                String(name).unparse() + b" " + dest for name, dest in sorted(self.dests.items())
            )
            dests = out.new()
            out.put(dests, b"<< /Names [ %s ] >>" % names)
            catalog["/Names"] = b"<< /Dests %d 0 R >>" % dests
        root = out.new()
        out.put(root, dictionary_bytes(catalog))
        return out.write(root, self.info)

    def _parent_tree(self) -> bytes:
        """A number tree of 256-entry leaves (one flat array is slow to search)."""
        nums = sorted(self.nums)
        if len(nums) <= 256:
            return b"<< /Nums [ %s ] >>" % b" ".join(b"%d %s" % item for item in nums)
        leaves = []
        for start in range(0, len(nums), 256):
            batch = nums[start : start + 256]
            leaf = self.out.new()
            self.out.put(
                leaf,
                b"<< /Limits [ %d %d ] /Nums [ %s ] >>"
                % (batch[0][0], batch[-1][0], b" ".join(b"%d %s" % item for item in batch)),
            )
            leaves.append(leaf)
        return b"<< /Kids [ %s ] >>" % b" ".join(b"%d 0 R" % leaf for leaf in leaves)

    def _outline(self) -> int:
        out = self.out
        root = out.new()

        def write(marks: list[Bookmark], parent: int) -> tuple[int, int, int]:
            numbers = [out.new() for _ in marks]
            visible = len(marks)
            for i, (mark, number) in enumerate(zip(marks, numbers, strict=True)):
                entries = {
                    "/Title": String(mark.title).unparse(),
                    "/Parent": b"%d 0 R" % parent,
                    "/Dest": b"[ %d 0 R /XYZ 0 %s 0 ]"
                    % (self.page_refs[mark.page], number_bytes(mark.top)),
                }
                if i:
                    entries["/Prev"] = b"%d 0 R" % numbers[i - 1]
                if i + 1 < len(numbers):
                    entries["/Next"] = b"%d 0 R" % numbers[i + 1]
                if mark.children:
                    first, last, count = write(mark.children, number)
                    entries.update(
                        {
                            "/First": b"%d 0 R" % first,
                            "/Last": b"%d 0 R" % last,
                            "/Count": b"%d" % count,
                        }
                    )
                    visible += count
                out.put(number, dictionary_bytes(entries))
            return numbers[0], numbers[-1], visible

        first, last, count = write(self.bookmarks, root)
        out.put(
            root,
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count),
        )
        return root
