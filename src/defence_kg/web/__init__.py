"""The web server: a read-only SPARQL 1.1 endpoint, the dumps and a home page (Flask)."""

from __future__ import annotations

from flask import Flask

from ..release import release_void_store
from ..settings import Settings
from ..stores import open_store
from ..stores.embedded import QueryStore
from ..stores.querying import QueryThreads, Store
from . import (
    compression,
    cors,
    dumps,
    editor,
    errors,
    linked_data,
    pages,
    requestlog,
    search,
    site,
    sparql,
    timeline,
)
from .cache import ResultCache
from .state import KEY, AppState

# A form-encoded query takes up to three bytes per character; the rest is room for the other
# protocol parameters (graph IRIs).
BODY_OVERHEAD = 64 * 1024


def create_app(settings: Settings, store: Store | None = None) -> Flask:
    """The app over `store`, or over the release named by `settings`: loaded now, once, or
    found in the external store at settings.store."""
    store = store or open_store(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 3 * settings.max_query_length + BODY_OVERHEAD
    release = settings.release_dir.resolve()
    app.extensions[KEY] = AppState(settings, store, release, len(store),
                                   QueryStore(release_void_store(release), settings),
                                   ResultCache(settings.result_cache_bytes), QueryThreads())
    for blueprint in (pages.bp, sparql.bp, editor.bp, dumps.bp):
        app.register_blueprint(blueprint)
    for extension in (errors, requestlog, cors, compression, dumps, search, timeline,
                      linked_data, site):
        extension.init_app(app)
    return app
