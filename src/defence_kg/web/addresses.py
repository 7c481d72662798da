"""Where the data's IRIs live on this server: the configured base mapped onto the served origin.

Cool URIs for the Semantic Web (https://www.w3.org/TR/cooluris/, section 4.3, 303 URIs):
a thing's IRI `{base}P` is requested as `/P` and answers 303 See Other with `/doc/P` (the
document about it, negotiated) or `/doc/P.EXT` (one format). A hash IRI `{base}P#F` shares the
document of `{base}P`, since clients never send the fragment; its own page is `/doc/P/F`.
Pure functions: the routes in linked_data.py and the links in the pages use them.
"""

from __future__ import annotations

DOC = "doc/"


def local_path(iri: str, base: str) -> str | None:
    """The IRI as a path on this server (no leading slash), or None when it is not under base."""
    if not iri.startswith(base) or iri == base:
        return None
    return iri[len(base):]


def document_path(iri: str, base: str) -> str | None:
    """The path of the page about iri (`doc/P`, or `doc/P/F` for `{base}P#F`), or None."""
    local = local_path(iri, base)
    if local is None:
        return None
    return DOC + local.replace("#", "/", 1)


def iris_for(path: str, base: str) -> list[str]:
    """The IRIs a document path (after `doc/`) may be about, in order of preference:
    `{base}P` itself, then the hash IRI `{base}H#F` when P is `H/F`."""
    iris = [base + path]
    head, slash, tail = path.rpartition("/")
    if slash and head and tail:
        iris.append(f"{base}{head}#{tail}")
    return iris


def split_extension(path: str, extensions: tuple[str, ...]) -> tuple[str, str | None]:
    """`id/x.ttl` -> (`id/x`, `ttl`) when ttl is one of extensions; otherwise (path, None)."""
    stem, dot, extension = path.rpartition(".")
    if dot and stem and extension in extensions:
        return stem, extension
    return path, None


def relative_root(request_path: str) -> str:
    """The relative link from a page at request_path up to the server root (`../../` for
    `/doc/id/x`), so pages work behind a proxy under any prefix and from a static copy."""
    return "../" * (request_path.count("/") - 1) or "./"
