"""Accept-header negotiation as a table: (Accept, offers) -> chosen offer."""

import pytest

from defence_kg.web.negotiation import negotiate

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]

TABLE = [
    # no preference: the server's first offer
    (None, RESULTS, "application/sparql-results+json"),
    ("", RESULTS, "application/sparql-results+json"),
    ("*/*", GRAPHS, "text/turtle"),
    # an exact type
    ("text/csv", RESULTS, "text/csv"),
    ("application/rdf+xml", GRAPHS, "application/rdf+xml"),
    ("TEXT/CSV", RESULTS, "text/csv"),
    # q-values decide
    ("application/sparql-results+xml;q=0.5, application/sparql-results+json;q=0.4", RESULTS,
     "application/sparql-results+xml"),
    ("text/csv;q=0.2, */*;q=0.1", RESULTS, "text/csv"),
    ("text/csv;q=0.1, text/tab-separated-values;q=0.9", RESULTS, "text/tab-separated-values"),
    # the most specific range sets an offer's quality: text/csv is refused, text/* is not
    ("text/*;q=0.5, text/csv;q=0", RESULTS, "text/tab-separated-values"),
    ("*/*;q=0.1, application/sparql-results+json;q=0", RESULTS, "application/sparql-results+xml"),
    # a browser: nothing offered by name, so */* picks the default
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GRAPHS, "text/turtle"),
    # type wildcards
    ("application/*", RESULTS, "application/sparql-results+json"),
    ("text/*", GRAPHS, "text/turtle"),
    # parameters other than q do not stop a match
    ("text/tab-separated-values; charset=utf-8", RESULTS, "text/tab-separated-values"),
    ("application/ld+json; profile=\"http://www.w3.org/ns/json-ld#compacted\"", GRAPHS,
     "application/ld+json"),
    # nothing acceptable
    ("text/turtle", RESULTS, None),
    ("*/*;q=0", RESULTS, None),
    ("image/png", GRAPHS, None),
    ("text/csv;q=0", ["text/csv"], None),
]


@pytest.mark.parametrize(("accept", "offers", "expected"), TABLE)
def test_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


def test_ties_go_to_the_earlier_offer():
    offers = ["text/turtle", "application/ld+json"]
    assert negotiate("text/turtle, application/ld+json", offers) == "text/turtle"
    assert negotiate("text/turtle, application/ld+json", offers[::-1]) == "application/ld+json"
