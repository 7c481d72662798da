"""The query editor at /sparql: when a browser gets it, what it is prefilled with, its assets,
and YASGUI driven in headless Chromium against a real server."""

from __future__ import annotations

import gzip
import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from PIL import Image, ImageStat
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from defence_kg.web import editor
from defence_kg.web.pages import read_saved_query

CHROMIUM_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                   "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Typed without PREFIX lines: the editor adds the project's prefixes as they are used.
PLATFORM_LABELS = "SELECT ?label WHERE { ?platform a dko:MilitaryPlatform ; rdfs:label ?label }"
WAIT_SECONDS = 20


def get(url: str, headers: dict[str, str] | None = None):
    """Status, headers and body of a GET, also for error statuses."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                    timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def editor_config(page: str) -> dict:
    """The JSON the page hands the editor's script."""
    found = re.search(r'<script id="editor-config" type="application/json">(.*?)</script>',
                      page, re.S)
    assert found, "the page has no editor configuration"
    return json.loads(found.group(1))


@pytest.mark.parametrize(("method", "query_string", "accept", "wanted"), [
    ("GET", "", CHROMIUM_ACCEPT, True),
    ("GET", "", FIREFOX_ACCEPT, True),
    ("GET", "", "text/html", True),
    ("GET", "query=ASK{}", CHROMIUM_ACCEPT, True),  # a shared link opens the editor
    ("GET", "query=ASK{}&format=json", CHROMIUM_ACCEPT, False),  # format= asks for data
    ("GET", "format=ttl", CHROMIUM_ACCEPT, False),
    ("GET", "update=CLEAR+ALL", CHROMIUM_ACCEPT, False),  # refused as always (403)
    ("POST", "", CHROMIUM_ACCEPT, False),
    ("GET", "", None, False),  # no Accept, */*: a tie keeps the data
    ("GET", "", "*/*", False),
    ("GET", "", "text/turtle", False),
    ("GET", "", "text/turtle, text/html", False),
    ("GET", "", "text/html;q=0.5, text/turtle", False),
    ("GET", "query=ASK{}", "application/sparql-results+json", False),
    ("GET", "query=ASK{}", "text/*", False),  # text/csv ties with text/html
    ("GET", "", "application/xhtml+xml", False),
])
def test_only_a_browser_asking_for_html_gets_the_editor(method, query_string, accept, wanted):
    headers = {"Accept": accept} if accept else {}
    request = Request(EnvironBuilder(path="/sparql", method=method, query_string=query_string,
                                     headers=headers).get_environ())
    assert editor.is_wanted(request) is wanted


def test_data_clients_keep_the_protocol(live_server):
    """Without an HTML preference /sparql answers as before: the service description, results."""
    status, headers, _ = get(live_server + "/sparql")
    assert (status, headers.get_content_type()) == (200, "text/turtle")
    status, headers, _ = get(live_server + "/sparql?format=ttl", {"Accept": CHROMIUM_ACCEPT})
    assert (status, headers.get_content_type()) == (200, "text/turtle")
    ask = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    status, headers, body = get(f"{live_server}/sparql?{ask}")
    assert headers.get_content_type() == "application/sparql-results+json"
    assert json.loads(body) == {"head": {}, "boolean": True}
    status, _, _ = get(f"{live_server}/sparql?update=CLEAR+ALL", {"Accept": CHROMIUM_ACCEPT})
    assert status == 403


def test_a_browser_gets_the_editor_prefilled_with_prefixes_and_examples(live_server, release):
    status, headers, body = get(live_server + "/sparql", {"Accept": CHROMIUM_ACCEPT})
    assert status == 200
    assert headers.get_content_type() == "text/html"
    assert "Accept" in headers["Vary"]
    page = body.decode("utf-8")
    config = editor_config(page)
    prefixes = release.vocabulary.prefixes
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == prefixes
    for name, iri in prefixes.items():
        assert f"PREFIX {name}: <{iri}>\n" in config["query"]
    saved = [read_saved_query(path, release.vocabulary.rebase)
             for path in sorted(release.queries_dir.glob("*.rq"))]
    assert saved, "the repository has no saved queries (queries/*.rq)"
    assert config["examples"] == [{"name": q.question, "query": q.text} for q in saved]
    # Each example is also a link that works without JavaScript.
    links = [urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(href)).query)["query"]
             for href in re.findall(r'<a href="([^"]+)"\s+data-example=', page)]
    assert links == [[q.text] for q in saved]


def test_the_home_page_links_each_saved_question_to_the_editor(live_server, release):
    _, _, body = get(live_server + "/")
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', body.decode("utf-8"))]
    queries = [urllib.parse.parse_qs(urllib.parse.urlsplit(href).query) for href in hrefs]
    editor_links = [q["query"][0] for q in queries if "query" in q and "format" not in q]
    saved = [read_saved_query(path, release.vocabulary.rebase)
             for path in sorted(release.queries_dir.glob("*.rq"))]
    assert editor_links == [q.text for q in saved]
    link = f"{live_server}/sparql?" + urllib.parse.urlencode({"query": saved[0].text})
    status, headers, body = get(link, {"Accept": CHROMIUM_ACCEPT})
    assert (status, headers.get_content_type()) == (200, "text/html")
    assert "yasgui.min.js" in body.decode("utf-8")


def test_without_javascript_the_page_is_a_plain_form(live_server):
    query = 'SELECT ?label WHERE { ?x rdfs:label ?label FILTER(?label = "<&>") }'
    status, _, body = get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": query}),
                          {"Accept": FIREFOX_ACCEPT})
    assert status == 200
    noscript = re.search(r"<noscript>(.*?)</noscript>", body.decode("utf-8"), re.S)
    assert noscript, "the page has no <noscript> fallback"
    form = noscript.group(1)
    assert '<form action="/sparql" method="get">' in form
    prefilled = re.search(r'<textarea [^>]*name="query"[^>]*>(.*?)</textarea>', form, re.S)
    assert prefilled and html.unescape(prefilled.group(1)) == query
    assert "<&>" not in form  # escaped, not markup
    assert '<select id="format" name="format">' in form


def test_every_page_asset_is_served_from_the_package_and_nothing_else(live_server):
    _, _, body = get(live_server + "/sparql", {"Accept": CHROMIUM_ACCEPT})
    page = body.decode("utf-8")
    sources = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', page)
    assert sources
    for source in sources:  # relative, so they come from this server, whatever its address
        url = urllib.parse.urljoin(live_server + "/sparql", source)
        assert url.startswith(("data:", live_server + "/")), source
    for name in ("yasgui.min.js", "yasgui.min.css"):
        assert f"/editor/{name}" in sources
        status, headers, served = get(f"{live_server}/editor/{name}",
                                      {"Accept-Encoding": "gzip"})
        assert status == 200, served[:200]
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(served) == (editor.YASGUI_BUILD / name).read_bytes()
        assert "max-age" in headers["Cache-Control"]
    for path in ("/editor/package.json", "/editor/../frontend/package.json",
                 "/editor/%2e%2e/yasgui.min.js", "/editor/yasgui.esm.js"):
        status, _, _ = get(live_server + path)
        assert status == 404, path


def test_the_front_end_is_pinned():
    """One exact YASGUI version, in package.json and in the committed lock file."""
    package = json.loads((editor.FRONTEND / "package.json").read_text())
    lock = json.loads((editor.FRONTEND / "package-lock.json").read_text())
    pinned = package["dependencies"]["@zazuko/yasgui"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned)
    assert lock["packages"]["node_modules/@zazuko/yasgui"]["version"] == pinned
    installed = json.loads((editor.YASGUI_BUILD.parent / "package.json").read_text())
    assert installed["version"] == pinned
    assert installed["license"] == "MIT"


@pytest.fixture
def editor_page(browser, live_server):
    """The editor in the shared browser, as on a first visit (no tabs kept from earlier tests)."""
    browser.get(live_server + "/sparql")
    browser.execute_script("window.localStorage.clear()")
    browser.get_log("browser")  # drain: only this page's messages count
    browser.refresh()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: driver.execute_script("return Boolean(window.yasgui)"))
    return browser


def active(selector: str) -> str:
    return f".tabPanel.active {selector}"


def result_cells(driver) -> list[str]:
    return [cell.text for cell in driver.find_elements(
        By.CSS_SELECTOR, active(".yasr table.dataTable tbody td"))]


def answered(driver) -> bool:
    """Whether the active tab shows a result table or an error."""
    return bool(driver.find_elements(
        By.CSS_SELECTOR, active(".yasr .errorResult, .yasr table.dataTable tbody tr")))


def test_a_typed_query_runs_and_shows_the_result_table(editor_page, live_server, tmp_path):
    driver = editor_page
    yasqe = "return yasgui.getTab().getYasqe()"
    assert driver.execute_script(f"{yasqe}.getValue()").startswith(
        "PREFIX dkg: <https://w3id.org/defence-kg/id/>\n")
    assert driver.execute_script("return yasgui.getTab().getEndpoint()") == live_server + "/sparql"

    driver.find_element(By.CSS_SELECTOR, active(".CodeMirror")).click()
    (ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL)
     .send_keys(Keys.DELETE).send_keys(PLATFORM_LABELS).perform())
    typed = driver.execute_script(f"{yasqe}.getValue()")
    # The prefixes used were added from the project's (YASGUI's own list lacks dko:).
    assert "PREFIX dko: <https://w3id.org/defence-kg/ontology#>" in typed
    assert typed.endswith(PLATFORM_LABELS)

    driver.find_element(By.CSS_SELECTOR, active(".yasqe_queryButton")).click()
    WebDriverWait(driver, WAIT_SECONDS).until(result_cells)

    # The same query over plain HTTP is the oracle for what the table must show.
    _, _, body = get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": typed}),
                     {"Accept": "application/sparql-results+json"})
    labels = {row["label"]["value"] for row in json.loads(body)["results"]["bindings"]}
    assert "S-400" in labels
    shown = " ".join(result_cells(driver))
    for label in labels:
        assert f'"{label}"' in shown, (label, shown)

    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    # Everything the page loaded (scripts, styles, the query) came from this server.
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert any(url.endswith("/editor/yasgui.min.js") for url in loaded)
    assert all(url.startswith(live_server + "/") for url in loaded), loaded

    screenshot = tmp_path / "editor.png"
    assert driver.save_screenshot(str(screenshot))
    with Image.open(screenshot) as image:
        stats = ImageStat.Stat(image.convert("L"))
        assert image.size[0] > 600 and image.size[1] > 400
        assert stats.stddev[0] > 20, "the screenshot is blank"


def test_an_example_opens_in_its_own_tab_and_runs(editor_page, release):
    driver = editor_page
    saved = [read_saved_query(path, release.vocabulary.rebase)
             for path in sorted(release.queries_dir.glob("*.rq"))]
    example = next(q for q in saved if q.name == "partners-of-india")
    driver.find_element(By.LINK_TEXT, example.question).click()
    WebDriverWait(driver, WAIT_SECONDS).until(result_cells)
    assert driver.execute_script("return yasgui.getTab().getName()") == example.question
    assert driver.execute_script("return yasgui.getTab().getYasqe().getValue()") == example.text
    assert '"Russia"@en' in result_cells(driver)
    tabs = driver.execute_script(
        "return Object.values(yasgui._tabs).map(tab => tab.getName())")
    assert tabs == ["Query", example.question]


def test_result_links_to_the_data_set_open_on_this_server(editor_page, live_server, release):
    driver = editor_page
    iri = f"{release.base_uri}id/s-400"
    query = f"SELECT ?platform WHERE {{ VALUES ?platform {{ <{iri}> }} }}"
    driver.get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": query}))
    WebDriverWait(driver, WAIT_SECONDS).until(result_cells)
    link = driver.find_element(By.CSS_SELECTOR, active(f'.yasr a[href="{iri}"]'))
    editor_window = driver.current_window_handle
    driver.execute_script("arguments[0].click()", link)  # a real click event, as a person's
    assert link.get_attribute("href") == f"{live_server}/id/s-400"
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: len(d.window_handles) == 2)
    opened = next(h for h in driver.window_handles if h != editor_window)  # YASR: target=_blank
    driver.switch_to.window(opened)
    try:
        WebDriverWait(driver, WAIT_SECONDS).until(
            lambda d: d.current_url.startswith(live_server + "/doc/id/s-400"))
        assert "S-400" in driver.find_element(By.TAG_NAME, "h1").text
    finally:
        driver.close()
        driver.switch_to.window(editor_window)


def test_a_shared_link_opens_the_editor_and_runs_its_query(editor_page, live_server):
    driver = editor_page
    query = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
    driver.get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": query}))
    WebDriverWait(driver, WAIT_SECONDS).until(result_cells)
    assert driver.execute_script("return yasgui.getTab().getYasqe().getValue()") == query
    _, _, body = get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": query}))
    count = json.loads(body)["results"]["bindings"][0]["triples"]["value"]
    assert any(cell.startswith(f'"{count}"') for cell in result_cells(driver))


@pytest.mark.parametrize("live_server", ["embedded"], indirect=True)  # links, not stores
def test_every_saved_question_on_the_home_page_opens_whole_in_the_editor_and_runs(
        browser, live_server, release):
    saved = [read_saved_query(path, release.vocabulary.rebase)
             for path in sorted(release.queries_dir.glob("*.rq"))]
    browser.get(live_server + "/")
    questions = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "a.question")]
    assert questions == [q.question for q in saved]
    answered_rows = []
    for query in saved:
        browser.get(live_server + "/")
        browser.execute_script("window.localStorage.clear()")  # no tabs kept from before
        browser.find_element(By.LINK_TEXT, query.question).click()
        WebDriverWait(browser, WAIT_SECONDS).until(answered)
        assert browser.execute_script(
            "return yasgui.getTab().getYasqe().getValue()") == query.text, query.name
        errors = browser.find_elements(By.CSS_SELECTOR, active(".yasr .errorResult"))
        assert errors == [], (query.name, errors[0].text)
        # Over plain HTTP, the oracle: as many rows (YASR shows up to 50 a page).
        _, _, body = get(f"{live_server}/sparql?" + urllib.parse.urlencode(
            {"query": query.text}), {"Accept": "application/sparql-results+json"})
        rows = len(json.loads(body)["results"]["bindings"])
        shown = browser.find_elements(  # but DataTables' "No data available" row
            By.CSS_SELECTOR, active(".yasr table.dataTable tbody tr:not(:has(td.dt-empty))"))
        assert len(shown) == min(rows, 50), query.name
        # A query may find nothing in today's data (claims-that-differ needs two sources that
        # measure one thing), but most find something: the oracle is no empty answer throughout.
        answered_rows.append(rows)
    assert sum(answered_rows) > 0


def test_a_link_with_a_bare_semicolon_opens_the_whole_query(editor_page, live_server):
    """URLs allow `;` unencoded in a query string, and YASGUI would cut the query there."""
    driver = editor_page
    query = "SELECT ?s WHERE { ?s a ?type ; ?p ?o } LIMIT 3"
    driver.get(f"{live_server}/sparql?query=" + urllib.parse.quote(query, safe=";"))
    WebDriverWait(driver, WAIT_SECONDS).until(answered)
    assert driver.execute_script("return yasgui.getTab().getYasqe().getValue()") == query
    assert result_cells(driver)


def test_without_javascript_the_form_runs_the_query(browser, live_server):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": PLATFORM_LABELS}))
        form = browser.find_element(By.CSS_SELECTOR, "form[action='/sparql']")
        assert form.is_displayed()
        assert browser.find_elements(By.CSS_SELECTOR, ".yasgui") == []
        textarea = browser.find_element(By.NAME, "query")
        textarea.clear()
        textarea.send_keys("PREFIX dko: <https://w3id.org/defence-kg/ontology#>\n"
                           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                           + PLATFORM_LABELS)
        # JSON, because Chromium shows it; it downloads CSV and SPARQL XML.
        browser.find_element(By.CSS_SELECTOR, "#format option[value='json']").click()
        form.submit()
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda driver: driver.find_element(By.TAG_NAME, "body").text.startswith('{"head"'))
        answer = json.loads(browser.find_element(By.TAG_NAME, "body").text)
        assert "S-400" in {row["label"]["value"] for row in answer["results"]["bindings"]}
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
