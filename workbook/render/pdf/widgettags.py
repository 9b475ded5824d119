"""A filled form's structure tree, while its widgets are replaced by drawn answers.

Each widget's element (``/Form``) loses its object reference and gets the marked
content of the answer drawn in its place, so a flattened copy stays tagged (PDF/UA)
and a screen reader finds each answer where its field was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pikepdf


class WidgetTags:
    """The file's structure tree, so each drawn answer takes its widget's place: the
    widget's element loses its object reference and gets the answer's marked content."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        import pikepdf

        self.pdf = pdf
        self.parents = None
        self.elements: dict[tuple[int, int], Any] = {}  # widget → its element (pikepdf's)
        tree = pdf.Root.get("/StructTreeRoot")
        if isinstance(tree, pikepdf.Dictionary) and "/ParentTree" in tree:
            try:
                self.parents = pikepdf.NumberTree(tree.ParentTree)
            except (TypeError, ValueError, pikepdf.PdfError):
                self.parents = None

    def forget_widget(self, annot: pikepdf.Dictionary, page: pikepdf.Dictionary) -> None:
        """Remember the widget's element and take the widget out of it."""
        import pikepdf

        if self.parents is None or "/StructParent" not in annot or not annot.is_indirect:
            return
        try:
            element = self.parents[int(annot.StructParent)]
        except (KeyError, TypeError, ValueError, IndexError, pikepdf.PdfError):
            return
        if not isinstance(element, pikepdf.Dictionary):
            return
        kids = element.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        kept = pikepdf.Array(
            [
                k
                for k in items
                if not (
                    isinstance(k, pikepdf.Dictionary)
                    and k.get("/Type") == pikepdf.Name.OBJR
                    and k.get("/Obj") is not None
                    and k.Obj.is_indirect
                    and k.Obj.objgen == annot.objgen
                )
            ]
        )
        element.K = kept
        if element.get("/S") == pikepdf.Name.Form:
            element.S = pikepdf.Name.Span  # no longer a form field: the answer's text
        self.elements[annot.objgen] = element

    def claim(self, page: pikepdf.Dictionary, annot: pikepdf.Dictionary, alt: str) -> int | None:
        """A new marked-content id on ``page`` for the widget's drawing, or None (untagged)."""
        import pikepdf

        element = self.elements.get(annot.objgen) if annot.is_indirect else None
        if element is None or self.parents is None or "/StructParents" not in page:
            return None
        try:
            key = int(page.StructParents)
            marks = self.parents[key]
        except (KeyError, TypeError, ValueError, IndexError, pikepdf.PdfError):
            return None
        if not isinstance(marks, pikepdf.Array):
            return None
        mcid = len(marks)
        marks.append(element)
        element.K.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid))
        if alt.startswith("✓"):
            element.Alt = pikepdf.String(alt)
        return mcid
