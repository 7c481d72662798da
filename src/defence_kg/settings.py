"""One settings object for the CLI, the server and the tests: defaults < environment < flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .namespaces import CANONICAL_BASE, Vocabulary

# The repository root: the package is installed in editable mode from src/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "DEFENCE_KG_"


@dataclass(frozen=True)
class Settings:
    root: Path = PROJECT_ROOT
    output_dir: Path = PROJECT_ROOT / "build"
    base_uri: str = CANONICAL_BASE
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    query_timeout: float = 30.0
    result_limit: int = 10_000
    max_query_length: int = 100_000
    # Seconds a client may take to send a request's head, and again its body; slower ones are
    # answered 408 and disconnected (server.py).
    client_timeout: float = 10.0
    result_cache_bytes: int = 64 * 1024 * 1024  # rendered results kept per worker process
    cache_max_age: int = 300  # seconds a client or proxy may reuse a result unrevalidated
    # Extra N-Quads/TriG files served beside the built data (e.g. the W3C protocol test data).
    load: tuple[Path, ...] = ()
    # SERVICE / FROM <url> targets a query may reach; empty means none.
    allowed_remote: tuple[str, ...] = field(default=())
    # An external SPARQL store (docs/stores.md): its query URL, empty for the embedded store,
    # and its Graph Store Protocol and Update URLs (by default beside the query URL). Its
    # credentials come from the environment only, never from here (stores/remote.py).
    store: str = ""
    store_graph_url: str = ""
    store_update_url: str = ""
    # The W3C SPARQL 1.1 tests (sparql/sparql11 of github.com/w3c/rdf-tests), an external test
    # resource: the test suite replays them when they are here (DEFENCE_KG_W3C_TESTS).
    w3c_tests: Path = PROJECT_ROOT.parent / "shared" / "w3c-sparql11"
    # Where the embedded store keeps the release: "disk" (the release's own store, opened
    # read-only by every worker) or "memory" (loaded at start; used whenever `load` is set).
    embedded_store: str = "disk"
    # The largest report `defence-kg ingest` reads, in bytes.
    max_report_bytes: int = 1_000_000
    # A build patches the last release's store when the asserted quads that changed are at
    # most this share of the new ones (in bytes of N-Quads), and loads a new store otherwise
    # (build/patch.py; docs/design.md has the measurements).
    patch_limit: float = 0.5

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def drafts_dir(self) -> Path:
        """Candidate facts awaiting review: never read by the build."""
        return self.data_dir / "drafts"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def release_dir(self) -> Path:
        """The last good build: a symlink swapped atomically by each successful build."""
        return self.output_dir / "current"

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.base_uri)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Defaults, then DEFENCE_KG_* environment variables, then explicit overrides (flags)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _parse(name: str, raw: str):
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, tuple):
        return tuple(item for item in raw.split() if item)
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes"}
    return type(default)(raw)
