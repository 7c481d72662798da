"""/timeline: every dated thing on a time axis, each with its sources, filtered by partner,
platform or any resource (about=), as a page (a list, no script needed) or as JSON."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from . import errors
from .addresses import local_path
from .chronology import Entry, dated_entries, labels, near, types
from .linked_data import linked_data
from .negotiation import negotiate
from .state import state

KEY = "defence_kg.timeline"
OFFERS = ("text/html", "application/json")
PARTNERS = "SELECT DISTINCT ?x WHERE { ?partnership <%shasPartner> ?x FILTER(isIRI(?x)) }"
PLATFORMS = "SELECT DISTINCT ?x WHERE { ?x a <%sMilitaryPlatform> }"
FILTERS = ("partner", "platform", "about")
AXIS_WIDTH, AXIS_MARGIN = 960, 40

bp = Blueprint("timeline", __name__)


class Chronicle:
    """The entries and the filters' choices, computed once per process on first use (the data
    does not change while the server runs), and the things near each filtered resource."""

    def __init__(self):
        self._lock = threading.Lock()
        self._computed: dict | None = None
        self._near: dict[str, set[str]] = {}

    def get(self) -> dict:
        with self._lock:
            if self._computed is None:
                self._computed = _compute()
            return self._computed

    def near(self, iri: str) -> set[str]:
        if iri not in self._near:
            self._near[iri] = near(state().store, state().settings.vocabulary, iri)
        return self._near[iri]


@dataclass
class View:
    """An entry as the page and the JSON show it."""

    entry: Entry
    anchor: str
    label: str
    types: list[str]
    role: list[str]


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Chronicle()
    app.register_blueprint(bp)


@bp.get("/timeline")
def timeline() -> Response:
    chronicle: Chronicle = current_app.extensions[KEY]
    computed = chronicle.get()
    chosen = {name: request.args.get(name, "") for name in FILTERS}
    for name in ("partner", "platform"):
        if chosen[name] and chosen[name] not in computed[name]:
            raise errors.bad_request(f"{chosen[name]!r} is not a {name} of this data set; "
                                     f"the {name}s are: {', '.join(computed[name])}")
    if chosen["about"] and not _is_known(chosen["about"]):
        raise errors.bad_request(f"nothing is known about {chosen['about']!r}")
    views = computed["views"]
    for iri in (value for value in chosen.values() if value):
        around = chronicle.near(iri)
        views = [v for v in views if v.entry.thing in around]
    names = computed["labels"]
    if request.args.get("format") == "json" or negotiate(
            request.headers.get("Accept"), OFFERS) == "application/json":
        response = jsonify(filters={k: v or None for k, v in chosen.items()},
                           entries=[_as_json(v, names) for v in views])
    else:
        response = Response(render_template(
            "timeline.html", title="Timeline", views=views, chosen=chosen, names=names,
            partners=computed["partner"], platforms=computed["platform"],
            axis=_axis(views), years=_by_year(views), json_url=url_for(
                "timeline.timeline", format="json", **{k: v for k, v in chosen.items() if v})))
    response.vary.add("Accept")
    return response


def _compute() -> dict:
    store, vocabulary = state().store, state().settings.vocabulary
    entries = dated_entries(store, vocabulary)
    partners = sorted({r["x"].value for r in store.query(PARTNERS % vocabulary.ontology)})
    platforms = sorted({r["x"].value for r in store.query(PLATFORMS % vocabulary.ontology)})
    things = {e.thing for e in entries}
    kinds = types(store, vocabulary, things)
    iris = things | {t for ts in kinds.values() for t in ts} | {
        i for e in entries for i in (*e.role, *(x for s in e.supports
                                                for x in (s.segment, s.source)))}
    names = labels(store, iris | set(partners) | set(platforms))
    views = [View(e, f"entry-{n}", names.get(e.thing, e.thing),
                  sorted({names.get(t, _words(t)) for t in kinds.get(e.thing, [])}),
                  [names.get(r, _words(r)) for r in e.role])
             for n, e in enumerate(entries, 1)]

    def by_label(iri: str) -> tuple:
        return names.get(iri, iri).casefold(), iri

    return {"views": views, "labels": names, "partner": sorted(partners, key=by_label),
            "platform": sorted(platforms, key=by_label)}


def _as_json(view: View, names: dict[str, str]) -> dict:
    def resource(iri: str) -> dict:
        return {"iri": iri, "label": names.get(iri), "page": _page(iri)}

    entry = view.entry
    return {"date": entry.date, "datatype": entry.datatype, "reported": entry.reported,
            "thing": {**resource(entry.thing), "types": view.types},
            "role": [{"iri": iri, "label": label} for iri, label in zip(
                entry.role, view.role, strict=True)],
            "sources": [{"sentence": resource(s.segment), "source": resource(s.source)}
                        for s in entry.supports]}


def _page(iri: str) -> str:
    local = local_path(iri, state().settings.base_uri)
    return iri if local is None else request.url_root + local


def _by_year(views: list[View]) -> list[tuple[str, list[View]]]:
    years: dict[str, list[View]] = {}
    for view in views:
        years.setdefault(view.entry.date[:4], []).append(view)
    return list(years.items())


def _axis(views: list[View]) -> dict | None:
    """Positions on a horizontal axis of years: a tick per year (or per few), a dot per entry."""
    if not views:
        return None
    times = [_year_fraction(v.entry.date) for v in views]
    first, last = int(min(times)), int(max(times)) + 1
    span = max(last - first, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if span / s <= 12)

    def x(time: float) -> float:
        return round(AXIS_MARGIN + (time - first) / span * (AXIS_WIDTH - 2 * AXIS_MARGIN), 1)

    ticks = [(x(year), year) for year in range(first, last + 1) if year % step == 0]
    stacked: dict[float, int] = {}
    dots = []
    for view, time in zip(views, times, strict=True):
        at = x(time)
        level = stacked[at] = stacked.get(at, -1) + 1
        dots.append({"x": at, "y": 56 - 12 * min(level, 3), "view": view})
    return {"width": AXIS_WIDTH, "ticks": ticks, "dots": dots, "axis_y": 70}


def _year_fraction(date: str) -> float:
    year, month, day = (int(p) for p in [*re.findall(r"\d+", date), "1", "1"][:3])
    return year + (max(month, 1) - 1) / 12 + (max(day, 1) - 1) / 365


def _is_known(text: str) -> bool:
    """Whether the text is an IRI that the data or its description uses."""
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*", text, re.IGNORECASE):
        return False
    return linked_data().sources.knows(text)


def _words(iri: str) -> str:
    """A local name in words, acronyms kept: inXSDDate -> in XSD date."""
    local = re.split(r"[#/]", iri)[-1]
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$|[^A-Za-z])|[A-Z]?[a-z]+|\d+", local)
    return " ".join(w if w.isupper() else w.lower() for w in words) or iri
