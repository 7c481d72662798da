"""Every kind of page in headless Chromium: it renders, logs no errors, is accessible in the basic
ways (lang, one h1, alt text, labelled controls) and every link on it to this server resolves."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from io import BytesIO

import pyoxigraph as ox
import pytest
from PIL import Image, ImageStat

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = {  # one of each kind of page
    "home": "/",
    "downloads": "/dumps/",
    "a thing": "/id/s-500",
    "a state": "/id/india",
    "a sentence": "/id/source/ani-2025-12-02/sentence/8",
    "a source": "/id/source/ani-2025-12-02",
    "an inference rule": "/id/rule/cax-sco",
    "a named graph": "/graph/ani-2025-12-02/sentence-8",
    "the data set": "/dataset",
    "the ontology": "/ontology",
    "a term of the ontology": "/doc/ontology/MissileDefenceSystem",
    "not found": "/id/atlantis",
    "search": "/search?q=s400",
    "timeline": "/timeline",
}


def status_of(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": BROWSER_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def checked_links() -> dict[str, int]:
    """Links already followed, shared by the pages (most link to the same resources)."""
    return {}


@pytest.mark.parametrize("kind", PAGES)
def test_page_renders_accessibly_and_its_links_resolve(kind, browser, live_server,
                                                       checked_links):
    browser.get(live_server + PAGES[kind])
    browser.get_log("browser")  # start from an empty log for this page
    browser.refresh()
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
              and not (kind == "not found" and "404" in entry["message"])]
    assert not errors, errors
    assert browser.execute_script("return document.documentElement.lang") == "en"
    headings = browser.execute_script(
        "return Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim())")
    assert len(headings) == 1 and headings[0], headings
    assert browser.title.strip()
    assert browser.execute_script(
        "return Array.from(document.images).filter(i => !i.hasAttribute('alt')).length") == 0
    assert browser.execute_script("""return Array.from(document.querySelectorAll(
        'input:not([type=hidden]), textarea, select')).filter(c =>
        !(c.labels && c.labels.length) && !c.getAttribute('aria-label')).length""") == 0
    with Image.open(BytesIO(browser.get_screenshot_as_png())) as shot:
        assert ImageStat.Stat(shot.convert("L")).stddev[0] > 10, "the screenshot is blank"
    links = browser.execute_script("return Array.from(document.links).map(a => a.href)")
    assert links
    here = urllib.parse.urldefrag(browser.current_url).url  # in-page links (skip to content)
    local = {urllib.parse.urldefrag(link).url for link in links
             if link.startswith(live_server + "/")} - {here}
    for url in sorted(local - checked_links.keys()):
        checked_links[url] = status_of(url)
    broken = {url: checked_links[url] for url in local if checked_links[url] >= 400}
    assert not broken, broken


def test_the_ontology_page_anchors_every_term_and_lists_instances(browser, live_server):
    browser.get(live_server + "/ontology#MissileDefenceSystem")
    assert urllib.parse.urlsplit(browser.current_url).path == "/doc/ontology"
    section = browser.find_element("id", "MissileDefenceSystem")
    text = section.text
    assert "missile defence system" in text.lower()
    assert "S-500" in text  # an instance, from the data
    assert "military platform" in text.lower()  # its superclass


def test_a_thing_page_shows_provenance_and_inferences_apart(browser, live_server):
    browser.get(live_server + "/id/s-500")
    marked = browser.execute_script(
        "return Array.from(document.querySelectorAll('blockquote mark')).map(m => m.textContent)")
    assert "S-500" in marked
    inferred = browser.find_element("css selector", "#types").find_element(
        "xpath", "following-sibling::h3[text()='Inferred']/following-sibling::ul[1]").text
    assert "military platform" in inferred.lower()
    assert "because:" in inferred
    assert "sentence 8" in inferred and "ontology" in inferred
    formats = browser.find_element("id", "formats").find_element(
        "xpath", "following-sibling::ul[1]").text
    for name in ("HTML", "Turtle", "N-Triples", "RDF/XML", "JSON-LD"):
        assert name in formats


def test_the_home_page_lists_the_latest_sources_and_counts_them_all(settings):
    """A data set of many reports lists its latest on the home page, and says how many."""
    from defence_kg.stores.embedded import QueryStore
    from defence_kg.web.pages import describe_dataset

    dct = "http://purl.org/dc/terms/"
    dataset = ox.NamedNode(settings.vocabulary.dataset_iri)
    graph = ox.NamedNode("https://example.org/void")
    days = ["2025-12-02", "2024-01-15", "2026-03-01", "2025-06-30"]
    quads = []
    for number, day in enumerate(days):
        source = ox.NamedNode(f"https://example.org/source/{number}")
        quads += [ox.Quad(dataset, ox.NamedNode(dct + "source"), source, graph),
                  ox.Quad(source, ox.NamedNode(dct + "title"), ox.Literal(f"Report {number}"),
                          graph),
                  ox.Quad(source, ox.NamedNode(dct + "issued"),
                          ox.Literal(day, datatype=ox.NamedNode(
                              "http://www.w3.org/2001/XMLSchema#date")), graph)]
    void = ox.Store()
    void.bulk_extend(quads)
    _, _, listed, count = describe_dataset(QueryStore(void, settings), dataset.value, limit=2)
    assert count == len(days)
    latest = sorted(days)[-2:]
    assert [source.issued for source in listed] == latest
    assert [source.title for source in listed] == [f"Report {days.index(d)}" for d in latest]
