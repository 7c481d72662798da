"""Exploring without SPARQL in headless Chromium: search "s400", open the S-400's page, see its
diagram, follow an edge to its sentence, open the timeline filtered to it; the suggestions by
keyboard; and every kind of page checked by axe-core (WCAG 2.1 A and AA, contrast included),
by keyboard, and at a desktop and a phone width. Screenshots of each step are kept in
test-artefacts/screenshots/ (ignored by git)."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from defence_kg.stores.embedded import QueryStore
from defence_kg.web.editor import FRONTEND

AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[1] / "test-artefacts" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT_SECONDS = 20
# The pages are the same whichever store holds the data: checked over the embedded one only
# (the walk-through runs over both).
EMBEDDED = pytest.mark.parametrize("live_server", ["embedded"], indirect=True)
PAGES = {  # every kind of page a person browses (the editor is YASGUI's own)
    "home": "/",
    "search": "/search?q=india",
    "thing": "/doc/id/s-400",
    "state": "/doc/id/india",
    "sentence": "/doc/id/source/ani-2025-12-02/sentence/7",
    "timeline": "/timeline",
    "ontology": "/doc/ontology",
    "downloads": "/dumps/",
}


@pytest.fixture
def driver(browser):
    """The shared browser, left as it was found: desktop size, scripts on."""
    browser.get_log("browser")
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def at_width(driver, width: int) -> None:
    if width >= 1000:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 844, "deviceScaleFactor": 2, "mobile": True})


def shoot(driver, name: str) -> None:
    """A screenshot at each width, kept; each fills its width without sideways scrolling of
    the page (a wide diagram scrolls inside its own box)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for kind, width in WIDTHS.items():
        at_width(driver, width)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {width}px"
        path = SHOTS / f"{name}-{kind}.png"
        assert driver.save_screenshot(str(path))
        with Image.open(path) as image:
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 10, f"{path} is blank"
    at_width(driver, WIDTHS["desktop"])


def axe_violations(driver) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        ".catch(e => done([{id: 'axe failed', help: String(e), nodes: []}]));", WCAG_AA)
    return result


def assert_accessible(driver) -> None:
    for width in WIDTHS.values():
        at_width(driver, width)
        violations = axe_violations(driver)
        assert violations == [], json.dumps(violations, indent=1)
    at_width(driver, WIDTHS["desktop"])


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def test_search_a_platform_see_its_picture_its_sentence_and_its_timeline(driver, live_server):
    driver.get(live_server + "/")
    box = driver.find_element(By.ID, "site-search")
    box.send_keys("s400")
    wait_for(driver, lambda d: d.find_element(By.ID, "site-search-suggestions").is_displayed())
    suggestions = driver.find_element(By.ID, "site-search-suggestions").text
    assert "S-400" in suggestions.splitlines()[0]
    shoot(driver, "1-suggestions")

    box.send_keys(Keys.ENTER)  # no suggestion chosen: the search page
    wait_for(driver, lambda d: urllib.parse.urlsplit(d.current_url).path == "/search")
    first = driver.find_element(By.CSS_SELECTOR, "ol.hits li a")
    assert first.text == "S-400"
    assert [m.text for m in first.find_elements(By.TAG_NAME, "mark")] == ["S-400"]
    shoot(driver, "2-search-results")
    assert_accessible(driver)

    first.click()
    wait_for(driver, lambda d: d.current_url.endswith("/doc/id/s-400"))
    diagram = driver.find_element(By.CSS_SELECTOR, "figure.diagram svg")
    assert diagram.is_displayed() and diagram.size["width"] > 500
    nodes = diagram.find_elements(By.CSS_SELECTOR, "rect.node")
    assert nodes and diagram.find_elements(By.CSS_SELECTOR, "rect.node.inferred")
    shoot(driver, "3-resource-diagram")
    assert_accessible(driver)

    edge = next(e for e in diagram.find_elements(By.CSS_SELECTOR, "a.edge")
                if "/sentence/" in (e.get_dom_attribute("href") or ""))
    sentence_path = urllib.parse.urljoin(driver.current_url, edge.get_dom_attribute("href"))
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', "
                          "{bubbles: true, cancelable: true, view: window}))", edge)
    wait_for(driver, lambda d: "/sentence/" in d.current_url)
    assert urllib.parse.urlsplit(driver.current_url).path.removeprefix("/doc") == \
        urllib.parse.urlsplit(sentence_path).path
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("Sentence")
    assert "S-400" in driver.find_element(By.TAG_NAME, "main").text  # its words
    shoot(driver, "4-source-sentence")

    driver.back()
    wait_for(driver, lambda d: d.current_url.endswith("/doc/id/s-400"))
    driver.find_element(By.ID, "timeline-link").click()
    wait_for(driver, lambda d: urllib.parse.urlsplit(d.current_url).path == "/timeline")
    entries = driver.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    assert entries
    assert any("S-400" in e.text for e in entries), [e.text for e in entries]
    shoot(driver, "5-timeline-filtered")
    assert_accessible(driver)


@EMBEDDED
def test_a_suggestion_is_chosen_by_keyboard(driver, live_server):
    driver.get(live_server + "/timeline")
    box = driver.find_element(By.ID, "site-search")
    box.send_keys("su57")
    wait_for(driver, lambda d: d.find_element(By.ID, "site-search-suggestions").is_displayed())
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    active = box.get_attribute("aria-activedescendant")
    option = driver.find_element(By.ID, active)
    assert option.get_attribute("aria-selected") == "true" and "Su-57" in option.text
    box.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.current_url.endswith("/doc/id/su-57"))
    box = driver.find_element(By.ID, "site-search")
    box.send_keys("su57")
    wait_for(driver, lambda d: d.find_element(By.ID, "site-search-suggestions").is_displayed())
    box.send_keys(Keys.ESCAPE)
    assert not driver.find_element(By.ID, "site-search-suggestions").is_displayed()


@EMBEDDED
def test_the_keyboard_reaches_search_diagram_and_timeline_with_a_visible_focus(driver,
                                                                              live_server):
    driver.get(live_server + "/doc/id/s-400")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    reached, outlines = [], []
    for _ in range(60):
        focused = driver.switch_to.active_element
        reached.append(focused.get_attribute("id") or focused.get_attribute("class")
                       or focused.tag_name)
        if focused.tag_name in ("a", "input", "button", "select"):
            outlines.append(focused.value_of_css_property("outline-style"))
        focused.send_keys(Keys.TAB)
    assert reached[0] == "skip"
    assert "site-search" in reached and "edge" in reached and "timeline-link" in reached
    assert outlines and "none" not in outlines


@EMBEDDED
@pytest.mark.parametrize("kind", PAGES)
def test_every_page_meets_wcag_aa(driver, live_server, kind):
    driver.get(live_server + PAGES[kind])
    assert_accessible(driver)
    shoot(driver, f"page-{kind}")


@EMBEDDED
def test_search_and_timeline_work_without_javascript(driver, live_server):
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    driver.get(live_server + "/doc/id/india")
    box = driver.find_element(By.ID, "site-search")
    box.send_keys("S 400")
    box.submit()
    wait_for(driver, lambda d: "/search" in d.current_url)
    assert driver.find_element(By.CSS_SELECTOR, "ol.hits li a").text == "S-400"
    driver.get(live_server + "/timeline")
    platform = driver.find_element(By.ID, "platform")
    options = platform.find_elements(By.TAG_NAME, "option")
    chosen = next(o for o in options if o.text == "S-400")
    chosen.click()
    platform.submit()
    wait_for(driver, lambda d: "platform=" in d.current_url)
    items = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
    assert items and any("S-400" in text for text in items)
    summary = driver.find_element(By.ID, "timeline-summary").text
    assert re.match(rf"{len(items)} dated thing", summary)


COMPLETIONS = [  # (what is typed, a class/property/resource of the data, how it is shown)
    ("SELECT * WHERE { ?x a dko:AirDef", "ontology#AirDefenceSystem", "class"),
    ("SELECT * WHERE { ?x dko:deliversPl", "ontology#deliversPlatform", "property"),
    ("SELECT * WHERE { dkg:s40", "id/s-400", "resource"),
    ("SELECT * WHERE { ?x ?p dkg:indi", "id/india", "resource"),
]


@EMBEDDED
@pytest.mark.parametrize(("typed", "term", "kind"), COMPLETIONS, ids=[c[2] for c in COMPLETIONS])
def test_the_editor_completes_the_vocabulary_and_resources_from_this_server(
        driver, live_server, release, typed, term, kind):
    driver.get(live_server + "/sparql")
    driver.execute_script("window.localStorage.clear()")
    driver.refresh()
    wait_for(driver, lambda d: d.execute_script("return Boolean(window.yasgui)"))
    yasqe = "yasgui.getTab().getYasqe()"
    driver.execute_script(f"{yasqe}.setValue(arguments[0]); {yasqe}.focus(); "
                          f"{yasqe}.getDoc().setCursor({yasqe}.getDoc().lineCount(), 0)",
                          release.vocabulary.rebase(
                              "".join(f"PREFIX {p}: <{i}>\n" for p, i in
                                      release.vocabulary.prefixes.items())) + typed[:-1])
    # The last key, typed as a person would; YASGUI may still redraw its editor once after it
    # appears, which replaces the focused element.
    for attempt in range(3):
        try:
            driver.switch_to.active_element.send_keys(typed[-1])
            break
        except StaleElementReferenceException:
            if attempt == 2:
                raise
    iri = release.base_uri + ("ontology" + term.removeprefix("ontology")
                              if term.startswith("ontology") else term)
    label = next(iter(labels_of(release, iri)))
    prefix = "dko:" if term.startswith("ontology#") else "dkg:"
    local = term.split("#")[-1] if "#" in term else term.removeprefix("id/")
    expected = f"{prefix}{local}  ({label})"

    def hints(d) -> list[str] | None:
        """The hints shown once they hold the expected one: the list is drawn again as the
        server's completions arrive, so a hint read from the first drawing may be gone."""
        try:
            shown = [h.text for h in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
        except StaleElementReferenceException:
            return None
        return shown if expected in shown else None

    assert expected in wait_for(driver, hints)
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert all(url.startswith(live_server + "/") for url in loaded), loaded


def labels_of(release, iri: str) -> list[str]:
    store = QueryStore.from_release(release)
    rows = store.query(f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "
                       "?l }")
    return [row["l"].value for row in rows]
