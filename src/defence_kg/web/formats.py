"""The formats the endpoint offers per query form, and how one is chosen for a request.

A `format=` parameter (for browsers and links) wins over the Accept header.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Request

from . import errors
from .negotiation import negotiate


@dataclass(frozen=True)
class Format:
    name: str  # the value of format=
    syntax: ox.QueryResultsFormat | ox.RdfFormat
    aliases: tuple[str, ...] = ()  # other media types clients use for the same syntax

    @property
    def media_type(self) -> str:
        """The bare registered media type (pyoxigraph's, without parameters)."""
        return self.syntax.media_type.split(";")[0]

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# First is the default (for */* or no Accept header).
RESULTS = (
    Format("json", ox.QueryResultsFormat.JSON, ("application/json",)),
    Format("xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    Format("csv", ox.QueryResultsFormat.CSV),
    Format("tsv", ox.QueryResultsFormat.TSV),
)
GRAPHS = (
    Format("ttl", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("nt", ox.RdfFormat.N_TRIPLES),
    Format("rdf", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml")),
    Format("jsonld", ox.RdfFormat.JSON_LD, ("application/json",)),
    Format("trig", ox.RdfFormat.TRIG),
    Format("nq", ox.RdfFormat.N_QUADS),
)


def choose(request: Request, formats: tuple[Format, ...], what: str) -> tuple[Format, str]:
    """The format to answer in and the media type to label it with; 406 when none fits."""
    offered = [media_type for f in formats for media_type in f.media_types]
    requested = request.values.get("format")
    if requested:
        for f in formats:
            if requested.lower() in (f.name, *f.media_types):
                return f, f.media_type
        raise errors.unknown_format(requested, [f.name for f in formats])
    chosen = negotiate(request.headers.get("Accept"), offered)
    if chosen is None:
        raise errors.not_acceptable(what, offered)
    return next(f for f in formats if chosen in f.media_types), chosen
