"""A content file once it is loaded: its slug, where it came from, and its checked data.

What :func:`~workbook.content.load.load_content` returns holds these, and every later stage
(the plan, the sheets, the pages) reads them; the rules in :mod:`~workbook.content.rules`
check them too, so they live apart from both.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.content import schema
from workbook.content.markdown import RenderedMarkdown
from workbook.content.source import Source


@dataclass
class GoalFile:
    slug: str
    source: Source
    data: schema.Goal

    @property
    def rel(self) -> str:
        return self.source.rel

    def __fingerprint__(self) -> tuple:
        return ("goal", self.slug, self.source.digest)


@dataclass
class GuidanceFile:
    slug: str
    source: Source  # the front matter
    data: schema.GuidanceMeta
    body: RenderedMarkdown
    markdown: str = ""  # the body as written
    body_line: int = 1  # file line where the body starts

    def __fingerprint__(self) -> tuple:
        return ("guidance", self.slug, self.source.digest, self.body.media)


@dataclass
class SheetFile:
    slug: str
    source: Source
    data: schema.Sheet
    intro: RenderedMarkdown | None
    texts: dict[int, RenderedMarkdown]  # block index → rendered Markdown of text blocks

    def __fingerprint__(self) -> tuple:
        media = [r.media for r in [self.intro, *self.texts.values()] if r]
        return ("sheet", self.slug, self.source.digest, media)


@dataclass
class WorkbookFile:
    slug: str
    source: Source
    data: schema.Workbook
    intro: RenderedMarkdown | None

    def __fingerprint__(self) -> tuple:
        return ("workbook", self.slug, self.source.digest, self.intro.media if self.intro else {})


@dataclass
class QuestionnaireFile:
    slug: str
    source: Source
    data: schema.Questionnaire

    @property
    def rel(self) -> str:
        return self.source.rel

    def __fingerprint__(self) -> tuple:
        return ("questionnaire", self.slug, self.source.digest)
