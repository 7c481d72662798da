"""Repeated queries: the bounded result cache (a hit skips evaluation), strong ETags that name
the data, the query and the media type, 304 on If-None-Match, and Cache-Control.

The handlers are called through Flask's test client on the real release; the ETag's stability
across workers is checked on the live server.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest

from defence_kg.stores.embedded import QueryStore
from defence_kg.web import create_app
from defence_kg.web.cache import ENTRY_OVERHEAD, Rendered, ResultCache

QUERY = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?label { ?s rdfs:label ?label } ORDER BY ?s ?label"  # noqa: E501
JSON_TYPE = "application/sparql-results+json"


class CountingStore(QueryStore):
    """The real store, counting the queries it evaluates for the endpoint."""

    evaluations = 0

    def answer(self, query, limit):
        self.evaluations += 1
        return super().answer(query, limit)


@pytest.fixture
def store(release):
    return CountingStore.from_release(release)


@pytest.fixture
def client(release, store):
    return create_app(release, store).test_client()


def get(client, query=QUERY, headers=None, **params):
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers or {})


# --- the cache --------------------------------------------------------------------------------

def test_a_repeated_query_is_answered_from_the_cache(client, store):
    first, second = get(client), get(client)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and len(first.json["results"]["bindings"]) > 1
    assert store.evaluations == 1


def test_each_format_is_cached_apart(client, store):
    as_json, as_xml = get(client), get(client, format="xml")
    assert as_json.mimetype == JSON_TYPE and as_xml.mimetype == "application/sparql-results+xml"
    assert get(client, format="xml").data == as_xml.data
    assert store.evaluations == 2
    assert as_json.headers["ETag"] != as_xml.headers["ETag"]


def test_the_same_text_with_another_dataset_is_another_query(client, store):
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    union = get(client, query)
    inferred = get(client, query, **{"default-graph-uri":
                                     "https://w3id.org/defence-kg/graph/inferred"})
    assert union.json != inferred.json
    assert store.evaluations == 2


def test_truncation_is_kept_in_the_cache(release):
    client = create_app(replace(release, result_limit=2)).test_client()
    first, second = get(client), get(client)
    for response in (first, second):
        assert response.headers["X-Result-Truncated"] == "true"
        assert len(response.json["results"]["bindings"]) == 2
    assert second.data == first.data


def test_results_that_may_change_are_not_cached(client, store):
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?id) {}"
    first, second = get(client, query), get(client, query)
    assert first.json != second.json
    assert store.evaluations == 2
    assert "ETag" not in first.headers
    assert first.headers["Cache-Control"] == "no-store"


def test_federated_results_are_not_cached(release, store, remote_endpoint):
    url = remote_endpoint.url
    client = create_app(replace(release, allowed_remote=(url,)), store).test_client()
    query = f"SELECT ?x {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
    answers = [get(client, query).json["results"]["bindings"][0]["x"]["value"]
               for _ in range(2)]
    assert answers == ["answer 1", "answer 2"]


def test_errors_are_not_cached(client, store):
    for _ in range(2):
        response = get(client, "SELECT * { ?s ?p }")
        assert response.status_code == 400
        assert "ETag" not in response.headers
    assert store.evaluations == 2


# --- validators ------------------------------------------------------------------------------

def test_the_etag_is_strong_and_the_same_in_every_process(release, client):
    etag = get(client).headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    # another app over the same release: another worker, or the same one after a restart
    assert get(create_app(release).test_client()).headers["ETag"] == etag


def test_the_etag_names_the_data_the_query_the_type_and_the_base(release, protocol_dataset,
                                                                  client):
    etag = get(client).headers["ETag"]
    other_data = create_app(replace(release, load=(protocol_dataset,)))
    others = [
        get(other_data.test_client()),
        get(client, QUERY + " LIMIT 1000"),
        get(client, format="tsv"),
        client.get("/sparql", query_string={"query": QUERY}, base_url="http://example.org/"),
    ]
    tags = [response.headers["ETag"] for response in others]
    assert etag not in tags and len(set(tags)) == len(tags)


@pytest.mark.parametrize("if_none_match", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_gives_304(client, if_none_match):
    etag = get(client).headers["ETag"]
    response = get(client, headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept" in response.headers["Vary"]


def test_another_etag_gets_the_result(client):
    response = get(client, headers={"If-None-Match": '"not-this-one"'})
    assert response.status_code == 200 and response.json["results"]["bindings"]


def test_304_from_a_process_that_never_saw_the_query(release, client):
    etag = get(client).headers["ETag"]
    fresh = create_app(release).test_client()
    assert get(fresh, headers={"If-None-Match": etag}).status_code == 304


def test_a_post_naming_the_current_etag_is_412(client):
    etag = get(client).headers["ETag"]
    response = client.post("/sparql", data={"query": QUERY}, headers={"If-None-Match": etag})
    assert response.status_code == 412
    assert client.post("/sparql", data={"query": QUERY}).headers["ETag"] == etag


def test_the_gzip_representation_has_its_own_etag(client):
    plain = get(client)
    assert len(plain.data) > 4096  # large enough to be compressed
    zipped = get(client, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    again = get(client, headers={"Accept-Encoding": "gzip",
                                 "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == zipped.headers["ETag"]


def test_cache_control_lets_public_caches_keep_results(client, release):
    response = get(client)
    assert response.headers["Cache-Control"] == f"public, max-age={release.cache_max_age}"


def test_the_live_server_gives_one_etag_whichever_worker_answers(live_server):
    address = f"{live_server}/sparql?{urllib.parse.urlencode({'query': QUERY})}"
    tags = set()
    for _ in range(8):  # two workers, each with its own cache
        with urllib.request.urlopen(address, timeout=30) as response:
            tags.add(response.headers["ETag"])
    assert len(tags) == 1
    request = urllib.request.Request(address, headers={"If-None-Match": tags.pop()})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=30)
    assert not_modified.value.code == 304


# --- the LRU by bytes -------------------------------------------------------------------------

def entry(size: int, fill: bytes = b"x") -> Rendered:
    return Rendered(fill * (size - ENTRY_OVERHEAD), "text/plain", 1, False, "tag")


def test_the_least_recently_used_goes_first():
    cache = ResultCache(3000)
    for key in "abc":
        cache.put(key, entry(1000, key.encode()))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", entry(1000, b"d"))
    assert [key for key in "abcd" if cache.get(key)] == ["a", "c", "d"]
    assert cache.size == 3000


def test_the_cache_never_holds_more_than_its_bytes():
    cache = ResultCache(10_000)
    for number in range(100):
        cache.put(str(number), entry(300 + number * 37 % 2000))
        assert cache.size <= 10_000
    assert cache.size == sum(len(cache.get(str(n)).body) + ENTRY_OVERHEAD
                             for n in range(100) if cache.get(str(n)))


def test_a_result_larger_than_the_cache_is_not_kept():
    cache = ResultCache(1000)
    cache.put("small", entry(500))
    cache.put("huge", entry(1001))
    assert cache.get("huge") is None and cache.get("small") is not None


def test_replacing_an_entry_counts_its_bytes_once():
    cache = ResultCache(1000)
    cache.put("a", entry(600))
    cache.put("a", entry(400))
    assert (cache.size, len(cache)) == (400, 1)


def test_equal_bodies_are_kept_once():
    cache = ResultCache(5000)
    for key in "abcdef":  # one result, asked six ways
        cache.put(key, entry(1000))
    cache.put("other", entry(1000, b"o"))
    assert cache.size == 2 * 1000 + 5 * ENTRY_OVERHEAD
    assert cache.get("a").body is cache.get("f").body
    for key in "abcdef":  # the body goes with the last entry holding it
        cache.put(key, entry(300, key.encode()))
    assert cache.size == 1000 + 6 * 300
    assert {len(cache.get(key).body) for key in "abcdef"} == {300 - ENTRY_OVERHEAD}
