"""What every handler shares: the settings, the loaded store and the release it came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..settings import Settings
from ..stores.embedded import QueryStore
from ..stores.querying import QueryThreads, Store
from .cache import ResultCache

KEY = "defence_kg"


@dataclass(frozen=True)
class AppState:
    settings: Settings
    store: Store  # the embedded store, or an external one (querying.Store)
    release: Path  # resolved once, so the dumps served match the data queried
    quads: int
    void: QueryStore  # the release's VoID description, in its own store (release.VOID_STORE_DIR)
    cache: ResultCache  # rendered query results (sparql.py)
    threads: QueryThreads  # where queries run, with a deadline (sparql.py)


def state() -> AppState:
    return current_app.extensions[KEY]
