"""Where queries are answered: the embedded store, or an external SPARQL store.

`querying` is the seam (Engine, Store, Query, Answer, deadlines); `embedded` holds a release in
pyoxigraph; `remote` reads an external store over the SPARQL Protocol, `http` talks to it, and
`publishing` writes a release into it.
"""

from __future__ import annotations

from ..settings import Settings
from .querying import Store


def open_store(settings: Settings) -> Store:
    """The store the server reads: the external one at settings.store, or the embedded one."""
    if settings.store:
        from .remote import RemoteStore

        return RemoteStore.connect(settings)
    from .embedded import QueryStore

    return QueryStore.from_release(settings)
