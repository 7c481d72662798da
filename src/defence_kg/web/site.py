"""What crawlers read first: robots.txt (RFC 9309) and a sitemap of every resource page
(https://www.sitemaps.org/protocol.html)."""

from __future__ import annotations

from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, request

from .addresses import document_path
from .linked_data import linked_data
from .state import state

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

bp = Blueprint("site", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/robots.txt")
def robots() -> Response:
    # Pages and dumps may be crawled; queries are for people and programs that ask them.
    text = f"User-agent: *\nAllow: /\nDisallow: /sparql\nSitemap: {request.url_root}sitemap.xml\n"
    return Response(text, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The page of every resource described here, at this server's origin."""
    base = state().settings.base_uri
    pages = dict.fromkeys(document_path(iri, base) for iri in linked_data().sources.described(base))
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for path in ["", "dumps/", *pages]:
        ElementTree.SubElement(ElementTree.SubElement(urlset, "url"), "loc").text = (
            request.url_root + path)
    body = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/xml")
