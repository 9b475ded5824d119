"""Markdown → HTML with every link and image checked at load time.

Links between pages are written the way an author thinks of them
(``smart-goals.md``, ``../goals/sleep-routine.yaml``) and stored as
``wb:<site path>`` placeholders; :func:`resolve_links` turns those into
relative URLs for the page they end up on (or into anchors inside a workbook
PDF). Raw HTML is escaped unless ``markdown_html: true`` is set in
``workbook.yaml``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from workbook.content.source import inside
from workbook.errors import Report

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
# The content folders whose files have a page, and where that page lives.
PAGE_FOLDERS = {"guidance": ".md", "goals": ".yaml", "sheets": ".yaml", "workbooks": ".yaml"}

_PLACEHOLDER = re.compile(r'(href|src)="wb:([^"]*)"')


@dataclass
class RenderedMarkdown:
    html: str  # HTML with wb: placeholders for internal links and images
    text: str  # plain text, for search and summaries
    images: list[str] = field(default_factory=list)  # content-relative image paths
    links: list[str] = field(default_factory=list)  # site paths this text links to
    media: dict[str, str] = field(default_factory=dict)  # image path → digest of its bytes
    headings: list[tuple[str, str]] = field(default_factory=list)  # (id, text) of each h2


@dataclass
class Place:
    """Where a piece of Markdown was written, for messages and relative paths."""

    rel: str  # project-relative file path
    line: int  # file line of the text's first line
    folder: PurePosixPath  # content-relative folder of the file ("guidance")
    exact_lines: bool = True  # False for text inside YAML: report the key's line


class Markdown:
    def __init__(self, *, allow_html: bool, content_dir: Path, pages: dict[str, set[str]]) -> None:
        """``pages`` maps each content folder to the slugs that exist in it."""
        self.md = MarkdownIt("commonmark", {"html": allow_html, "typographer": True})
        self.md.enable(["table", "strikethrough", "replacements", "smartquotes"])
        # we check every link ourselves (markdown-it lets a parser replace its check)
        self.md.validateLink = lambda url: True  # type: ignore[method-assign]
        self.allow_html = allow_html
        # With raw HTML off it is shown as text, harmless; still, HTML that would run or
        # embed something is refused, so nobody believes it works. Found with this parser:
        self.html_finder = None if allow_html else MarkdownIt("commonmark", {"html": True})
        self.content_dir = content_dir
        self.pages = pages

    def render(self, text: str, place: Place, report: Report) -> RenderedMarkdown:
        if self.html_finder is not None:
            self._refuse_unsafe_html(text, place, report)
        tokens = self.md.parse(text)
        rendered = RenderedMarkdown("", "")
        source_lines = text.split("\n")
        plain: list[str] = []
        ids = set(RESERVED_IDS)
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag == "h2" and index + 1 < len(tokens):
                title = tokens[index + 1].content
                anchor = heading_id(title, ids)
                token.attrSet("id", anchor)
                rendered.headings.append((anchor, title))
            if token.type == "html_block":
                self._raw_html(token.content, token, source_lines, place, report)
            if token.type != "inline" or not token.children:
                continue
            plain.append(token.content)
            for child in token.children:
                if child.type == "link_open":
                    self._link(child, token, source_lines, place, report, rendered)
                elif child.type == "image":
                    self._image(child, token, source_lines, place, report, rendered)
                elif child.type == "html_inline":
                    self._raw_html(child.content, token, source_lines, place, report)
        rendered.html = self.md.renderer.render(tokens, self.md.options, {})
        rendered.text = " ".join(plain)
        return rendered

    # -- links

    def _link(
        self,
        child: Token,
        block: Token,
        lines: list[str],
        place: Place,
        report: Report,
        rendered: RenderedMarkdown,
    ) -> None:
        href = str(child.attrs.get("href", ""))
        line = _line_of(href, block, lines, place)
        scheme = urlsplit(href).scheme.lower()
        if href.startswith("#"):
            return
        if scheme:
            if scheme not in EXTERNAL_SCHEMES:
                report.add(
                    place.rel,
                    line,
                    f"link '{_short(href)}' uses '{scheme}:', which is not allowed; "
                    "use an http(s), mailto or tel link",
                )
                return
            child.attrs["rel"] = "noopener noreferrer"
            child.attrs["class"] = "external"
            return
        target = self._page_for(href, place)
        if isinstance(target, str):
            rendered.links.append(target.split("#")[0])
            child.attrs["href"] = "wb:" + target
        else:
            report.add(place.rel, line, target[0])

    def _page_for(self, href: str, place: Place) -> str | tuple[str]:
        """The site path a relative link points at, or (message,) if it is broken."""
        path, _, fragment = href.partition("#")
        path = unquote(path)
        fragment = f"#{fragment}" if fragment else ""
        pure = PurePosixPath(path)
        if "/" not in path and pure.suffix == ".md":
            folder, slug = "guidance", pure.stem
        else:
            resolved = _normalise(place.folder / pure)
            if resolved is None or len(resolved.parts) != 2:
                return (_not_a_page(href),)
            folder, slug = resolved.parts[0], resolved.stem
            if PAGE_FOLDERS.get(folder) != resolved.suffix:
                return (_not_a_page(href),)
        if slug not in self.pages.get(folder, set()):
            known = sorted(self.pages.get(folder, set()))
            close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
            suffix = PAGE_FOLDERS[folder]
            hint = f"; did you mean '{close[0]}{suffix}'?" if close else ""
            what = "guidance page" if folder == "guidance" else folder[:-1]
            return (
                f"link '{_short(href)}' points at no {what} "
                f"(no content/{folder}/{slug}{suffix}){hint}",
            )
        return f"{folder}/{slug}.html{fragment}"

    # -- raw HTML

    def _refuse_unsafe_html(self, text: str, place: Place, report: Report) -> None:
        if self.html_finder is None:
            return
        lines = text.split("\n")
        for token in self.html_finder.parse(text):
            if token.type == "html_block":
                self._raw_html(token.content, token, lines, place, report, unsafe_only=True)
            for child in token.children or []:
                if child.type == "html_inline":
                    self._raw_html(child.content, token, lines, place, report, unsafe_only=True)

    def _raw_html(
        self,
        html: str,
        block: Token,
        lines: list[str],
        place: Place,
        report: Report,
        unsafe_only: bool = False,
    ) -> None:
        """Raw HTML may format text; it may not run, load or embed anything."""
        for tag, attrs in _tags(html):
            line = _line_of(f"<{tag}", block, lines, place)
            if unsafe_only:
                attrs = [
                    (n, v)
                    for n, v in attrs
                    if n.startswith("on")
                    or (
                        n in ("href", "src", "action", "formaction")
                        and urlsplit(v or "").scheme.lower() in ("javascript", "vbscript", "data")
                    )
                ]
                if tag not in UNSAFE_TAGS and not attrs:
                    continue
            for name, _value in attrs:
                if name.startswith("on"):
                    report.add(
                        place.rel,
                        line,
                        f"raw HTML attribute '{name}' on <{tag}> would run code; it is not allowed",
                    )
            if tag == "img":
                report.add(
                    place.rel,
                    line,
                    "raw HTML <img> is not allowed; write images in "
                    "Markdown, ![what it shows](path), so they are checked",
                )
                continue
            if tag not in SAFE_TAGS:
                report.add(
                    place.rel,
                    line,
                    f"raw HTML <{tag}> is not allowed; it may run code or "
                    "load something from elsewhere (allowed: formatting, "
                    "lists, tables, links)",
                )
                continue
            for name, value in attrs:
                if name.startswith("on"):
                    continue
                if name not in SAFE_ATTRIBUTES:
                    report.add(
                        place.rel, line, f"raw HTML attribute '{name}' on <{tag}> is not allowed"
                    )
                elif name == "href" and urlsplit(value or "").scheme.lower() not in (
                    "",
                    *EXTERNAL_SCHEMES,
                ):
                    report.add(
                        place.rel,
                        line,
                        f"link '{_short(value or '')}' in raw HTML uses "
                        f"'{urlsplit(value or '').scheme}:', which is not allowed",
                    )
                elif (
                    name == "href"
                    and not urlsplit(value or "").scheme
                    and not (value or "").startswith("#")
                ):
                    report.add(
                        place.rel,
                        line,
                        f"link '{_short(value or '')}' in raw HTML: write links "
                        "between pages in Markdown, [text](page.md), so "
                        "they are checked",
                    )

    # -- images

    def _image(
        self,
        child: Token,
        block: Token,
        lines: list[str],
        place: Place,
        report: Report,
        rendered: RenderedMarkdown,
    ) -> None:
        src = str(child.attrs.get("src", ""))
        line = _line_of(src, block, lines, place)
        alt = "".join(c.content for c in child.children or []).strip()
        if urlsplit(src).scheme:
            report.add(
                place.rel,
                line,
                f"image '{_short(src)}' is not a file in the project; save it under "
                "content/ and refer to it by its path",
            )
            return
        resolved = _normalise(place.folder / unquote(src.split("#")[0].split("?")[0]))
        file = self.content_dir / str(resolved) if resolved else None
        if (
            resolved is None
            or file is None
            or not file.is_file()
            or not inside(file, self.content_dir)
            or file.suffix.lower() not in IMAGE_SUFFIXES
        ):
            report.add(
                place.rel,
                line,
                f"image '{_short(src)}' is not an image file inside content/ "
                f"({', '.join(IMAGE_SUFFIXES)})",
            )
            return
        if not alt:
            report.add(
                place.rel,
                line,
                f"image '{_short(src)}' needs alt text: write ![what it shows]({src})",
            )
        rendered.images.append(str(resolved))
        rendered.media[str(resolved)] = hashlib.sha256(file.read_bytes()).hexdigest()
        child.attrs["src"] = f"wb:media/{resolved}"


#: Raw HTML allowed when a project sets markdown_html: true — formatting only.
SAFE_TAGS = frozenset(
    """a abbr b blockquote br caption cite code dd del details div dl dt em
    figcaption figure h2 h3 h4 h5 h6 hr i ins kbd li mark ol p pre q s small span strong sub
    summary sup table tbody td tfoot th thead tr u ul""".split()
)
#: Ids the site's templates use on a guide's page; a heading never takes one.
RESERVED_IDS = ("main", "site-menu", "related-title", "toc-title", "today-title")


def heading_id(title: str, taken: set[str]) -> str:
    """A readable id for a heading ("Be as honest as you can" → "be-as-honest-as-you-can"),
    accents dropped, unique among ``taken`` (which it joins)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    base = "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())[:60]
    base = base.strip("-") or "section"
    if base[0].isdigit():
        base = f"s-{base}"
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


SAFE_ATTRIBUTES = frozenset("href title class id lang dir colspan rowspan scope".split())
#: Refused even when raw HTML is off (and would only show as text).
UNSAFE_TAGS = frozenset(
    """script iframe frame frameset object embed applet style link meta base
    form input button textarea select svg math template portal""".split()
)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag.lower(), [(n.lower(), v) for n, v in attrs]))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def link_targets(html: str) -> list[str]:
    """The site paths of the ``wb:`` placeholders in ``html``."""
    return [m[2] for m in _PLACEHOLDER.finditer(html)]


def resolve_links(html: str, url: Callable[[str], str]) -> str:
    """Replace ``wb:`` placeholders with what ``url(site_path)`` returns."""
    return _PLACEHOLDER.sub(lambda m: f'{m[1]}="{url(m[2])}"', html)


def _normalise(path: PurePosixPath) -> PurePosixPath | None:
    """Collapse ``.`` and ``..``; None when the path climbs out of content/."""
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part == "/":
            return None
        else:
            parts.append(part)
    return PurePosixPath(*parts) if parts else None


def _line_of(needle: str, block: Token, lines: list[str], place: Place) -> int:
    if not place.exact_lines or not block.map:
        return place.line
    start, end = block.map
    for index in range(start, min(end, len(lines))):
        if needle and needle in lines[index]:
            return place.line + index
    return place.line + start


def _not_a_page(href: str) -> str:
    return (
        f"link '{_short(href)}' is not a page of this site; link to a guidance page as "
        "'slug.md', or to a goal, sheet or workbook as '../goals/slug.yaml'"
    )


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
