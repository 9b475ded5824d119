"""The built sample in a real browser: search, fill-in online, print, accessibility, privacy.

Playwright drives Debian's Chromium (see tests/browser.py); the site is served
by a plain local web server, as a static host would serve it.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import AXE_JS, StaticSite

SHEET = "sheets/weekly-check-in.html"


def _watched(context):
    """A page of ``context`` that fails the test on any JavaScript error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser):
    yield from _watched(browser.new_context())


# ------------------------------------------------------------------ search


def test_search_finds_a_goal_by_a_word_from_its_text(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + "index.html")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    box = page.get_by_label("Search goals, guidance and sheets")
    box.fill("bedtime")  # only in the sleep goal's SMART example and steps
    status = page.get_by_role("status")
    status.filter(has_text="found").wait_for()
    assert "for “bedtime”" in status.inner_text()
    result = page.locator(".search-results a", has_text="Settle into a steady sleep routine").first
    assert result.get_attribute("href") == "goals/sleep-routine.html"
    assert "?q=bedtime" in page.url  # a search can be bookmarked and shared
    result.click()
    page.wait_for_url("**/goals/sleep-routine.html")
    assert page.locator("h1").inner_text() == "Settle into a steady sleep routine"


def test_search_shows_guidance_and_sheets_with_their_kind(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + "search.html?q=miracle")
    page.get_by_role("status").filter(has_text="found").wait_for()
    items = page.locator(".search-results li").all_inner_texts()
    assert any(
        item.startswith(("The miracle question\nGUIDE", "The miracle question GUIDE"))
        for item in items
    ), items
    links = page.locator(".search-results a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert "guidance/miracle-question.html" in links and "sheets/miracle-question.html" in links


def test_search_without_a_web_worker_still_runs_under_the_csp(
    browser, sample_site: StaticSite
) -> None:
    """Pagefind falls back to WebAssembly on the page when no worker can start: the search
    page's CSP allows 'wasm-unsafe-eval' (WebAssembly only, not JavaScript eval) for that."""
    context = browser.new_context()
    context.add_init_script("delete window.Worker;")
    page = context.new_page()
    page.goto(sample_site.url + "search.html?q=breathing")
    page.get_by_role("status").filter(has_text="found").wait_for()
    assert page.locator(".search-results a", has_text="Ease everyday anxiety").count() == 1
    context.close()


def test_search_opened_from_disk_says_how_to_find_things(page, built_sample: Path) -> None:
    page.goto((built_sample / "search.html").as_uri() + "?q=sleep")
    status = page.get_by_role("status")
    status.filter(has_text="web server").wait_for()
    assert "Opened from a file on this computer" in status.inner_text()
    assert page.get_by_role("link", name="All goals").is_visible()
    assert not page.locator(".search-nojs").is_visible()


def test_search_without_javascript_has_no_dead_form(browser, sample_site: StaticSite) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_site.url + "search.html")
    assert not page.get_by_label("Search goals, guidance and sheets").is_visible()
    assert "Search needs JavaScript" in page.locator(".search-nojs").inner_text()
    context.close()


# ------------------------------------------------------------------ fill in online


def test_sheet_answers_survive_a_reload_and_the_button_clears_them(
    page, sample_site: StaticSite
) -> None:
    page.goto(sample_site.url + SHEET)
    page.get_by_label("Name").fill("Ana")
    page.get_by_label("What went better than I expected?").fill("Slept well on Tuesday")
    page.get_by_label("Practiced at least one strategy").check()
    page.locator("#weekly-check-in_week-overall-7").check()
    page.reload()
    assert page.get_by_label("Name").input_value() == "Ana"
    assert (
        page.get_by_label("What went better than I expected?").input_value()
        == "Slept well on Tuesday"
    )
    assert page.get_by_label("Practiced at least one strategy").is_checked()
    assert page.locator("#weekly-check-in_week-overall-7").is_checked()
    stored = page.evaluate("() => Object.entries(localStorage)")
    assert len(stored) == 1 and stored[0][0].endswith(":sheets/weekly-check-in")
    assert json.loads(stored[0][1])["weekly-check-in_name"] == "Ana"

    # Another sheet keeps its own answers.
    page.goto(sample_site.url + "sheets/mood-journal.html")
    assert page.locator("form input[type=text]").first.input_value() == ""

    page.goto(sample_site.url + SHEET)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Clear my answers").click()
    assert page.get_by_role("status").inner_text() == "Your answers on this sheet were cleared."
    assert page.get_by_label("Name").input_value() == ""
    assert not page.locator("#weekly-check-in_week-overall-7").is_checked()
    assert page.evaluate("() => localStorage.length") == 0
    page.reload()
    assert page.get_by_label("What went better than I expected?").input_value() == ""


def test_clearing_asks_first_and_keeps_answers_when_cancelled(
    page, sample_site: StaticSite
) -> None:
    page.goto(sample_site.url + SHEET)
    page.get_by_label("Name").fill("Ana")
    asked: list[str] = []

    def cancel(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", cancel)
    page.get_by_role("button", name="Clear my answers").click()
    assert asked == ["Clear every answer on this sheet? This cannot be undone."]
    page.reload()
    assert page.get_by_label("Name").input_value() == "Ana"


def test_sheet_without_javascript_is_a_plain_form_with_no_buttons(
    browser, sample_site: StaticSite, built_sample: Path
) -> None:
    html = (built_sample / SHEET).read_text()
    # the one button in the markup is the phone menu's, which no-script.css hides
    assert html.count("<button") == 1 and '<button class="menu-button"' in html
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_site.url + SHEET)
    assert page.get_by_role("button").count() == 0
    page.get_by_label("Name").fill("typed without JavaScript")
    page.get_by_label("Name").press("Enter")  # the CSP forbids submitting the form anywhere
    assert urlsplit(page.url).query == ""
    assert page.get_by_role("link", name="Download PDF").is_visible()
    context.close()


def test_print_view_hides_navigation_and_shows_the_answers(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + SHEET)
    answer = "A long answer that runs over several lines. " * 6
    page.get_by_label("What went better than I expected?").fill(answer)
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-nav", ".breadcrumbs", ".sheet-actions", ".skip-link"):
        assert not page.locator(hidden).first.is_visible(), hidden
    box = page.get_by_label("What went better than I expected?")
    assert box.is_visible() and box.input_value() == answer
    # The box grows to show the whole answer on paper rather than a scrolled part of it.
    assert box.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert page.locator(".support-note").is_visible()


# ------------------------------------------------------------------ accessibility

AXE_PAGES = {
    "home": "index.html",
    "goal": "goals/ease-anxiety.html",
    "guidance": "guidance/smart-goals.html",
    "sheet": SHEET,
    "tracker": "goals/ease-anxiety/tracker.html",
    "search": "search.html?q=sleep",
    "questionnaire": "questionnaires/weekly-wellbeing.html",
}


def _axe(page) -> dict:
    """axe-core's WCAG 2.2 AA and best-practice rules over the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                        'best-practice']},
        resultTypes: ['violations']})""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_violations(
    browser, sample_site: StaticSite, web_tools: Path, name: str, scheme: str
) -> None:
    # bypass_csp only so that axe itself can be injected into the page
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    page.goto(sample_site.url + AXE_PAGES[name])
    if name == "search":
        page.get_by_role("status").filter(has_text="found").wait_for()
    assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (
        scheme == "dark"
    )
    results = _axe(page)
    context.close()
    assert results["passes"], "axe checked nothing"
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in results["violations"]
    ]
    assert violations == []


def test_keyboard_skip_link_and_visible_focus(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + "goals/ease-anxiety.html")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 50  # shown on screen when focused
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the main content
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_sheet_is_usable_by_keyboard_alone(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + SHEET)
    page.get_by_label("Name").focus()
    page.keyboard.type("Ana")
    for _ in range(40):  # tab to the first radio button of the first scale
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "radio":
            break
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    checked = page.evaluate("() => document.querySelector('input[type=radio]:checked').value")
    assert checked == "2"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"


# ------------------------------------------------------------------ privacy


def test_no_request_leaves_the_site_and_no_cookies(browser, sample_site: StaticSite) -> None:
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    for path in (
        "index.html",
        "goals/ease-anxiety.html",
        "guidance/smart-goals.html",
        "goals/ease-anxiety/session-prep.html",
        "workbooks/getting-started.html",
    ):
        page.goto(sample_site.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(sample_site.url + SHEET)
    page.get_by_label("Name").fill("private")
    page.goto(sample_site.url + "search.html?q=anxiety")
    page.get_by_role("status").filter(has_text="found").wait_for()
    page.wait_for_load_state("networkidle")

    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {sample_site.netloc}
    assert any("/pagefind/" in url for url in requested)  # the search really ran

    # The Content-Security-Policy stops a remote resource even if something tried to load one.
    blocked = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', e => resolve(e.blockedURI));
        const img = document.createElement('img');
        img.src = 'https://tracker.example/pixel.gif';
        document.body.appendChild(img);
        setTimeout(() => resolve(null), 2000);
    })""")
    assert blocked == "https://tracker.example/pixel.gif"

    assert context.cookies() == []
    assert page.evaluate("() => document.cookie") == ""
    context.close()


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize("width", [390, 320])
def test_no_page_scrolls_sideways_on_a_phone(browser, built_sample: Path, width: int) -> None:
    """A wide tracker grid scrolls inside its own box; the page itself never does."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    wide = {}
    try:
        pages = sorted(built_sample.rglob("*.html"))
        assert len(pages) > 50
        for path in pages:
            page.goto(path.as_uri())
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            if scroll > inner:
                wide[path.relative_to(built_sample).as_posix()] = scroll
    finally:
        context.close()
    assert wide == {}


def test_printing_in_dark_mode_uses_the_light_palette(browser, sample_site: StaticSite) -> None:
    """Dark mode is for screens: paper gets dark text on white, never black bands."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(sample_site.url + "goals/ease-anxiety/tracker.html")
        screen = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.emulate_media(media="print", color_scheme="dark")
        printed = page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
            getComputedStyle(document.body).color,
            getComputedStyle(document.querySelector('table.tracker thead th')).backgroundColor,
            getComputedStyle(document.querySelector('table.tracker thead th')).color]""")
    finally:
        context.close()
    assert screen == "rgb(21, 25, 28)"  # the dark page on screen
    body, text, header, header_text = printed
    assert body == "rgb(255, 255, 255)" and text == "rgb(0, 0, 0)"
    channels = [int(c) for c in header.removeprefix("rgb(").rstrip(")").split(",")]
    assert min(channels) > 180, header  # a pale band, not a black one
    assert (
        header_text in ("rgb(0, 0, 0)", "rgb(29, 29, 29)")
        or sum(int(c) for c in header_text[4:-1].split(",")) < 200
    ), header_text


def test_a_printout_names_the_clinic(browser, sample_site: StaticSite) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(sample_site.url + "goals/ease-anxiety/tracker.html")
        source = page.locator(".print-source")
        assert not source.is_visible()  # on screen the header says it already
        page.emulate_media(media="print")
        assert source.is_visible()
        assert source.inner_text() == "Riverside Counselling (sample)"
    finally:
        context.close()


# ------------------------------------------------------------------ the filled PDF


def test_download_filled_pdf_carries_the_answers_typed_online(
    page, sample_site: StaticSite, tmp_path: Path
) -> None:
    """Made in the browser from the site's own PDF alone; every engine and `workbook
    progress` read it like a file filled in a viewer."""
    from tests import engines

    from ..helpers import run

    requests: list[str] = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))
    page.goto(sample_site.url + "goals/ease-anxiety/tracker.html")

    def field(name: str):
        return page.locator(f'[name="ease-anxiety_tracker_{name}"]')

    field("date").fill("2027-01-04")
    field("w01_d1_spells").fill("3")
    field("w01_d1_peak").fill("6")
    field("w01_d2_spells").fill("2")
    field("w01_d2_s1").check()
    field("w01_d2_notes").fill("Calmer — walked “home”")
    before = len(requests)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download filled PDF").click()
    download = info.value
    assert download.suggested_filename == "ease-anxiety-tracker-filled.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert page.get_by_role("status").inner_text() == (
        "Your filled PDF was made on this device and saved; it was not sent anywhere."
    )
    assert requests[before:] == ["/assets/fillpdf.js", "/downloads/ease-anxiety-tracker.pdf"]

    expected = {
        "ease-anxiety_tracker_date": "2027-01-04",
        "ease-anxiety_tracker_w01_d1_spells": "3",
        "ease-anxiety_tracker_w01_d1_peak": "6",
        "ease-anxiety_tracker_w01_d2_spells": "2",
        "ease-anxiety_tracker_w01_d2_s1": True,
        "ease-anxiety_tracker_w01_d2_notes": "Calmer — walked “home”",
    }
    widgets = engines.layout(path)
    for engine in engines.ENGINES:  # PDFium as in Chrome, and the other three
        read = engines.read(engine, path, widgets)
        assert {key: read.get(key) for key in expected} == expected, engine
    from pypdf import PdfReader

    fields = PdfReader(path).get_fields()
    assert fields["ease-anxiety_tracker_w01_d1_spells"]["/V"] == "3"
    assert fields["ease-anxiety_tracker_w01_d2_s1"]["/V"] == "/Yes"
    boxes = engines.targets(expected, widgets)
    for engine in engines.ENGINES:
        assert all(ink > 0 for ink in engines.ink(engine, path, boxes)), engine
    result = run(["progress", str(path), "--out", str(tmp_path / "report")], tmp_path)
    assert result.exit_code == 0, result.output
    assert "Ease everyday anxiety: filled in on 2 of" in result.stdout


# ------------------------------------------------------------------ phones: one day at a time

TRACKER = "goals/ease-anxiety/tracker.html"


@pytest.fixture
def phone(browser):
    yield from _watched(browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True))


def test_the_today_view_fills_the_same_answers_as_the_table(phone, sample_site: StaticSite) -> None:
    phone.goto(sample_site.url + TRACKER)
    view = phone.locator(".today")
    assert view.is_visible()
    assert view.locator("h2").inner_text() == "Day 1"
    assert (
        view.locator(".today-date").inner_text()
        == "Write the start date at the top to see the date of each day."
    )
    phone.get_by_label("Start date").fill("2027-01-04")
    assert view.locator(".today-date").inner_text() == "Monday, January 4"
    view.get_by_role("button", name="More: Anxious spells today").click()
    view.get_by_role("button", name="More: Anxious spells today").click()
    view.get_by_role("group", name="Strongest anxiety (0-10)").get_by_role(
        "button", name="6"
    ).click()
    view.get_by_role("button", name="Slow breathing for five minutes").click()
    view.get_by_role("button", name="Next day").click()
    assert view.locator("h2").inner_text() == "Day 2"
    assert view.locator(".today-date").inner_text() == "Tuesday, January 5"
    view.get_by_role("textbox", name="Anxious spells today", exact=True).fill("1")
    view.get_by_role("textbox", name="Notes").fill("Walked home")
    for button in view.locator("button:visible").all():  # every target a thumb can hit
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, button.inner_text()

    phone.reload()

    def cell(name: str):
        return phone.locator(f'[name="ease-anxiety_tracker_{name}"]')

    assert cell("w01_d1_spells").input_value() == "2"
    assert cell("w01_d1_peak").input_value() == "6"
    assert cell("w01_d1_s1").is_checked()
    assert cell("w01_d2_spells").input_value() == "1"
    assert cell("w01_d2_notes").input_value() == "Walked home"
    # the view reads them back from the table: the start is still to come, so it opens on day 1
    assert view.locator("h2").inner_text() == "Day 1"
    assert view.get_by_role("textbox", name="Anxious spells today", exact=True).input_value() == "2"
    assert view.get_by_role("button", name="6", exact=True).get_attribute("aria-pressed") == "true"
    assert (
        view.get_by_role("button", name="Slow breathing for five minutes").get_attribute(
            "aria-pressed"
        )
        == "true"
    )


def test_the_today_view_opens_on_today_and_is_for_phones_only(
    browser, sample_site: StaticSite
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(sample_site.url + TRACKER)
    start = page.evaluate("""() => { const d = new Date(); d.setDate(d.getDate() - 9);
        return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' +
               String(d.getDate()).padStart(2, '0'); }""")
    page.get_by_label("Start date").fill(start)
    page.reload()
    assert page.locator(".today h2").inner_text() == "Day 10"
    page.locator(".today").get_by_role("button", name="Next day").click()
    page.locator(".today").get_by_role("button", name="Today", exact=True).click()
    assert page.locator(".today h2").inner_text() == "Day 10"
    assert page.evaluate("() => document.activeElement.id") == "today-title"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.locator(".today").is_visible()  # wide screens have the table
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator(".today").is_visible()  # and so has paper
    context.close()


def test_a_skip_link_gets_a_keyboard_past_each_week(page, sample_site: StaticSite) -> None:
    page.goto(sample_site.url + TRACKER)
    page.locator('[name="ease-anxiety_tracker_date"]').focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.className") == "skip-week":
            break
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to week 2"
    assert page.locator(".skip-week").first.bounding_box()["width"] > 50  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "week-2"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to week 3"
    last = page.locator(".skip-week").last
    assert (
        last.inner_text() == "Skip past the tracker"
        or last.text_content() == "Skip past the tracker"
    )


def test_the_header_is_one_row_on_a_phone_with_a_menu_button(
    browser, sample_site: StaticSite
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(sample_site.url + "goals/ease-anxiety.html")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 90, header  # brand and button side by side
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("link", name="Guidance").is_visible()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Guidance").wait_for()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.className") == "menu-button"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not menu.is_visible() and page.get_by_role("link", name="Guidance").is_visible()
    context.close()
    plain = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = plain.new_page()
    page.goto(sample_site.url + "goals/ease-anxiety.html")
    assert page.get_by_role("link", name="Guidance").is_visible()  # no script: the menu shows
    assert not page.get_by_role("button", name="Menu").is_visible()
    plain.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_a_phone_with_the_menu_open(
    browser, sample_site: StaticSite, web_tools: Path, scheme: str
) -> None:
    context = browser.new_context(
        bypass_csp=True, color_scheme=scheme, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(sample_site.url + TRACKER)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Guidance").wait_for()
    results = _axe(page)
    context.close()
    assert results["passes"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in results["violations"]] == []


def test_search_ranks_a_goal_above_its_sheets_with_excerpts_of_content(
    page, sample_site: StaticSite
) -> None:
    page.goto(sample_site.url + "search.html?q=sleep")
    page.get_by_role("status").filter(has_text="found").wait_for()
    links = page.locator(".search-results a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert links[0] == "goals/sleep-routine.html", links
    text = " ".join(page.locator(".search-results").all_inner_texts())
    for control in (
        "Download PDF",
        "About this goal",
        "Download filled PDF",
        "Clear my answers",
        "Print",
    ):
        assert control not in text, control


def test_two_days_filled_on_a_phone_reach_the_therapist_as_a_pdf(
    phone, sample_site: StaticSite, tmp_path: Path
) -> None:
    """The whole way: the one-day view on a phone, Download filled PDF, then pypdf,
    PDFium and `workbook progress` read what was tapped in."""
    from pypdf import PdfReader

    from tests import engines

    from ..helpers import run

    phone.goto(sample_site.url + TRACKER)
    view = phone.locator(".today")
    phone.get_by_label("Start date").fill("2027-01-04")
    view.get_by_role("button", name="More: Anxious spells today").click()
    view.get_by_role("group", name="Strongest anxiety (0-10)").get_by_role(
        "button", name="7"
    ).click()
    view.get_by_role("button", name="Next day").click()
    view.get_by_role("textbox", name="Anxious spells today", exact=True).fill("4")
    view.get_by_role("button", name="Take a short walk when I feel restless").click()
    with phone.expect_download() as info:
        phone.get_by_role("button", name="Download filled PDF").click()
    path = tmp_path / "filled.pdf"
    info.value.save_as(path)
    fields = {name: field.get("/V") for name, field in PdfReader(path).get_fields().items()}
    expected = {
        "ease-anxiety_tracker_date": "2027-01-04",
        "ease-anxiety_tracker_w01_d1_spells": "1",
        "ease-anxiety_tracker_w01_d1_peak": "7",
        "ease-anxiety_tracker_w01_d2_spells": "4",
        "ease-anxiety_tracker_w01_d2_s4": "/Yes",
    }
    assert {key: fields[key] for key in expected} == expected
    pdfium = engines.read("pdfium", path, engines.layout(path))
    assert pdfium["ease-anxiety_tracker_w01_d2_s4"] is True
    assert pdfium["ease-anxiety_tracker_w01_d1_peak"] == "7"
    result = run(["progress", str(path), "--out", str(tmp_path / "report")], tmp_path)
    assert result.exit_code == 0, result.output
    assert "Ease everyday anxiety: filled in on 2 of" in result.stdout
    rows = (tmp_path / "report/progress.csv").read_text(encoding="utf-8")
    assert "2027-01-05" in rows and ",spells," in rows
