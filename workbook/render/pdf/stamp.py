"""Page numbers stamped onto finished PDFs.

Why: a sheet's own PDF says "Page 1 of 5"; the same pages inside a workbook
say "Page 17 of 124". So sheets are laid out once, without numbers (see
``numbering`` in :mod:`workbook.render.pdf.engine`), and the numbers are drawn
on afterwards from an *overlay*: a PDF of empty pages that WeasyPrint lays out
with only the page-number margin box filled in, in the theme's font and
place. Each overlay page becomes a form XObject named ``/WbPageNumber`` in
the page's resources, drawn by a content stream added at the end, marked as a
pagination artifact. A workbook reuses a sheet's own PDF by pointing
``/WbPageNumber`` at its own overlay page instead (:mod:`workbook.render.pdf.join`).
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name

NUMBER = Name("/WbPageNumber")  # the overlay page drawn on a page
STAMP = Name("/WbStamp")  # marks the content streams the stamp added
_DRAW = b"\nQ\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC /WbPageNumber Do EMC Q\n"


def overlay_xobjects(overlay: pikepdf.Pdf) -> list[pikepdf.Stream | None]:
    """Each page of ``overlay`` as a form XObject of that Pdf (None: a page with no number)."""
    found: list[pikepdf.Stream | None] = []
    for page in overlay.pages:
        contents = page.obj.get("/Contents")
        streams = (
            [] if contents is None else contents if isinstance(contents, Array) else [contents]
        )
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


def _copied(found: pikepdf.Object | None) -> Dictionary:
    """A new dictionary with the entries of ``found`` (none when it is no dictionary)."""
    if not isinstance(found, Dictionary):
        return Dictionary()
    return Dictionary({key: found[key] for key in found.keys()})  # noqa: SIM118 - pikepdf types iteration as Objects; keys() are str


def stamp_page(pdf: pikepdf.Pdf, page: Dictionary, number: pikepdf.Object) -> None:
    """Draw ``number`` (a form XObject of ``pdf``) on ``page``; a page that is stamped
    already only has its number swapped."""
    resources = _copied(page.get("/Resources"))  # may be shared: copy
    xobjects = _copied(resources.get("/XObject"))
    xobjects[NUMBER] = number
    resources.XObject = xobjects
    page.Resources = resources
    contents = page.get("/Contents")
    streams = (
        [] if contents is None else list(contents) if isinstance(contents, Array) else [contents]
    )
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
        for page, xobject in zip(pdf.pages, overlay_xobjects(overlay), strict=False):
            number = (
                pdf.copy_foreign(xobject)
                if xobject is not None
                else pdf.make_indirect(_empty_xobject(pdf))
            )
            stamp_page(pdf, page.obj, number)


def _empty_xobject(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    xobject = pikepdf.Stream(pdf, b"")
    xobject.Type, xobject.Subtype = Name.XObject, Name.Form
    xobject.BBox = Array([0, 0, 1, 1])
    return xobject
