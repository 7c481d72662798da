"""Choose a media type from an Accept header (RFC 9110, section 12.5.1): a pure function.

https://www.rfc-editor.org/rfc/rfc9110#name-accept
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most, or None when it accepts none of them.

    Each offer takes the quality of the most specific media range that matches it
    (`text/csv` before `text/*` before `*/*`); media type parameters other than q are ignored,
    so `text/csv; charset=utf-8` matches `text/csv`. Ties go to the earlier offer, so the
    order of `offers` is the server's preference. No Accept header means `*/*`.
    """
    ranges = [(_bare(value), quality) for value, quality in
              parse_accept_header(accept if accept and accept.strip() else "*/*", Accept)]
    best, best_quality = None, 0.0
    for offer in offers:
        quality = _quality(_bare(offer), ranges)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    kind = offer.split("/")[0]
    for candidate in (offer, f"{kind}/*", "*/*"):
        qualities = [quality for media_range, quality in ranges if media_range == candidate]
        if qualities:
            return max(qualities)
    return 0.0


def _bare(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()
