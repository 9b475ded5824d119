"""The HTML site: files built, forms labelled, links relative and local, builds reproducible."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import parse, tree_bytes, write
from workbook import BuildConfig, WorkbookError, build
from workbook.output.write import OUTPUT_MARKER


@pytest.fixture
def site(project: Path) -> Path:
    build(BuildConfig(project_dir=project, pdf=False))
    return project / "output"


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_expected_files(site: Path) -> None:
    for rel in [
        "index.html",
        "goals/index.html",
        "goals/ease-anxiety.html",
        "goals/ease-anxiety/worksheet.html",
        "goals/ease-anxiety/tracker.html",
        "goals/ease-anxiety/session-prep.html",
        "guidance/index.html",
        "guidance/smart-goals.html",
        "sheets/index.html",
        "sheets/weekly-check-in.html",
        "workbooks/index.html",
        "workbooks/getting-started.html",
        "404.html",
        "sitemap.xml",
        "assets/site.css",
        "assets/theme.css",
        "assets/fonts/AtkinsonHyperlegible-Regular.ttf",
        OUTPUT_MARKER,
    ]:
        assert (site / rel).is_file(), rel
    assert not (site / "downloads").exists()  # --no-pdf


def test_goal_page_shows_example_and_links(site: Path) -> None:
    html = (site / "goals/ease-anxiety.html").read_text()
    assert "Ease everyday anxiety" in html
    assert "Each evening I will write down how many anxious spells" in html  # SMART example
    assert 'href="ease-anxiety/tracker.html"' in html
    assert 'href="../guidance/smart-goals.html"' in html


def test_twelve_week_daily_tracker_has_84_day_rows(site: Path) -> None:
    page = parse(site / "goals/ease-anxiety/tracker.html")
    header_rows = 12  # one header row per week table
    assert page.tracker_rows - header_rows == 84
    names = {c["name"] for c in page.controls}
    assert "ease-anxiety_tracker_w01_d1_spells" in names
    assert "ease-anxiety_tracker_w12_d7_peak" in names
    assert "ease-anxiety_tracker_w12_d7_notes" in names
    assert "ease-anxiety_tracker_w13_d1_spells" not in names


def test_every_control_has_a_label_and_a_unique_name(site: Path) -> None:
    checked = 0
    for path in html_pages(site):
        page = parse(path)
        assert len(page.ids) == len(set(page.ids)), f"duplicate id in {path}"
        radio_groups = set()
        names = []
        for control in page.controls:
            assert control.get("id") in page.label_for or control.get("_wrapped"), (
                f"{path}: no label for {control}"
            )
            if control.get("type") == "radio":
                radio_groups.add(control["name"])
            else:
                names.append(control["name"])
            checked += 1
        assert len(names) == len(set(names)), f"duplicate control name in {path}"
        assert not radio_groups & set(names)
        for proxy in page.proxies:  # the one-day view's own boxes: labelled, never named
            assert proxy.get("id") in page.label_for and "name" not in proxy, (path, proxy)
    assert checked > 3000


def test_links_are_relative_and_resolve(site: Path) -> None:
    for path in html_pages(site):
        if path.name == "404.html":
            continue
        page = parse(path)
        here = path.relative_to(site).as_posix()
        for url in [u for u, _ in page.links] + page.resources:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#"):
                continue
            assert not url.startswith("/"), f"{here}: absolute path {url}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), parts.path))
            assert (site / target).is_file(), f"{here}: broken link {url}"


def test_no_external_references_but_plain_guidance_links(project: Path) -> None:
    write(
        project / "content/guidance/extra.md",
        """---
title: Further reading
summary: Links.
---
Read [a plain external link](https://example.org/article).
""",
    )
    build(BuildConfig(project_dir=project, pdf=False))
    site = project / "output"
    seen_external = []
    for path in html_pages(site):
        page = parse(path)
        for url in page.resources:
            assert not urlsplit(url).scheme and not url.startswith("//"), f"{path}: loads {url}"
        for url, attrs in page.links:
            if urlsplit(url).scheme:
                assert path.parent.name == "guidance" and "external" in attrs.get("class", ""), (
                    f"{path}: external link {url} outside guidance text"
                )
                assert "noreferrer" in attrs.get("rel", "")
                seen_external.append(url)
    assert seen_external == ["https://example.org/article"]
    text = (site / "index.html").read_text()
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_failed_build_leaves_previous_output_identical(project: Path) -> None:
    build(BuildConfig(project_dir=project, pdf=False))
    before = tree_bytes(project / "output")
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(goal.read_text().replace("timeframe: 12 weeks", "timeframe: soon"))
    with pytest.raises(WorkbookError):
        build(BuildConfig(project_dir=project, pdf=False))
    assert tree_bytes(project / "output") == before
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".output")]
    assert leftovers == []


def test_building_twice_gives_identical_files(project: Path, tmp_path: Path) -> None:
    build(BuildConfig(project_dir=project, pdf=False, out=tmp_path / "one"))
    build(BuildConfig(project_dir=project, pdf=False, out=tmp_path / "two"))
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_project_template_overrides_default(project: Path) -> None:
    write(
        project / "templates/404.html",
        """{% extends "base.html" %}
{% block content %}<h1>Nothing here, friend</h1>{% endblock %}
""",
    )
    write(project / "templates/assets/site.css", "body { color: black; }\n")
    build(BuildConfig(project_dir=project, pdf=False))
    assert "Nothing here, friend" in (project / "output/404.html").read_text()
    assert "Skip to main content" in (project / "output/404.html").read_text()  # base still default
    assert (project / "output/assets/site.css").read_text() == "body { color: black; }\n"


def test_template_error_names_file_and_line(project: Path) -> None:
    write(
        project / "templates/404.html",
        "{% extends 'base.html' %}\n{% block content %}\n{{ page.nope }}\n{% endblock %}\n",
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=project, pdf=False))
    [problem] = info.value.problems
    assert (problem.path, problem.line) == ("templates/404.html", 3)
    assert "nope" in problem.message


def test_template_may_not_load_remote_resources(project: Path) -> None:
    write(
        project / "templates/base.html",
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">\n'
        '<a href="https://example.org">a plain link is fine</a>\n',
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=project, pdf=False))
    assert [str(p) for p in info.value.problems] == [
        "templates/base.html:1: loads 'https://cdn.example.org/x.css' from outside the project; "
        "the site and PDFs may only use files inside the project"
    ]


def test_sitemap_lists_pages(site: Path) -> None:
    text = (site / "sitemap.xml").read_text()
    assert "<loc>goals/ease-anxiety.html</loc>" in text
    assert "404.html" not in text


def test_sitemap_uses_site_url(project: Path) -> None:
    config = project / "workbook.yaml"
    config.write_text(config.read_text() + "site_url: https://clinic.example/help/\n")
    build(BuildConfig(project_dir=project, pdf=False))
    out = project / "output"
    assert (
        "<loc>https://clinic.example/help/goals/ease-anxiety.html</loc>"
        in (out / "sitemap.xml").read_text()
    )
    assert 'href="/help/assets/site.css"' in (out / "404.html").read_text()


def test_every_page_has_a_description_for_search_results(site: Path) -> None:
    """Lighthouse's SEO audit (and every search engine) wants one; it is the page's own
    summary, or the listing page's lead paragraph."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        found = re.findall(
            r'<meta name="description" content="([^"]*)">', path.read_text(encoding="utf-8")
        )
        assert len(found) == 1 and 10 < len(found[0]) <= 303, path
    goal = (site / "goals/ease-anxiety.html").read_text(encoding="utf-8")
    assert (
        '<meta name="description" content="Have fewer anxious spells, and feel steadier '
        'when one does come.">'
    ) in goal


def test_a_goal_page_names_each_download_and_says_nothing_of_a_missing_target(
    built_sample: Path,
) -> None:
    html = (built_sample / "goals/cope-with-stress.html").read_text(encoding="utf-8")
    assert ">–<" not in html  # no "Target: –" for a measure without one
    goal = (built_sample / "goals/ease-anxiety.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="download" href="[^"]*">([^<]*)</a>', goal)
    assert links == [
        "Download the worksheet (PDF)",
        "Download the tracker (PDF)",
        "Download the session prep (PDF)",
        "Download the goal rating (PDF)",
    ]


def test_a_printout_carries_the_pages_address_when_the_site_has_one(project: Path) -> None:
    config = project / "workbook.yaml"
    config.write_text(config.read_text() + "site_url: https://clinic.example/help/\n")
    build(BuildConfig(project_dir=project, pdf=False))
    html = (project / "output/goals/ease-anxiety/tracker.html").read_text(encoding="utf-8")
    assert (
        '<p class="print-source">Riverside Counselling (sample) · '
        "https://clinic.example/help/goals/ease-anxiety/tracker.html</p>"
    ) in html
