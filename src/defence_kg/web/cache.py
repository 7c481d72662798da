"""A bounded in-process cache of rendered query results, least recently used out first, by bytes.
Equal bodies are kept once: the same result asked by queries written differently (comments,
spacing, prefixes) or with Accept headers naming the same format costs its bytes once.

The data cannot change while the server runs (a new build means a new server), so a cached
result stays right until it is evicted; its strong ETag (RFC 9110, section 8.8.3) names the
data, the query and the media type, so it is the same in every worker and after a restart.
https://www.rfc-editor.org/rfc/rfc9110#name-etag
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

ENTRY_OVERHEAD = 200  # bytes of bookkeeping per entry beyond its body, roughly


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    rows: int
    truncated: bool
    etag: str | None  # None for results that may differ next time (SERVICE, RAND(), NOW())


def digest(*parts: str) -> str:
    """A digest of several strings, none of which can be mistaken for a split of another."""
    hashed = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        hashed.update(len(encoded).to_bytes(8, "big"))
        hashed.update(encoded)
    return hashed.hexdigest()


class ResultCache:
    """Rendered results by key, at most `max_bytes` of them; safe to share between threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._bodies: dict[bytes, list] = {}  # a body: [the one kept, how many entries hold it]
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Rendered) -> None:
        if _size(entry) > self.max_bytes:
            return  # would evict everything else and be evicted by the next result
        with self._lock:
            if key in self._entries:
                self._drop(self._entries.pop(key))
            self._entries[key] = self._hold(entry)
            while self._bytes > self.max_bytes:
                self._drop(self._entries.popitem(last=False)[1])

    def _hold(self, entry: Rendered) -> Rendered:
        """The entry, with its body shared with the entries already holding an equal one."""
        held = self._bodies.get(entry.body)
        if held is None:
            held = self._bodies[entry.body] = [entry.body, 0]
            self._bytes += len(entry.body)
        held[1] += 1
        self._bytes += ENTRY_OVERHEAD
        return replace(entry, body=held[0])

    def _drop(self, entry: Rendered) -> None:
        held = self._bodies[entry.body]
        held[1] -= 1
        self._bytes -= ENTRY_OVERHEAD
        if not held[1]:
            del self._bodies[entry.body]
            self._bytes -= len(entry.body)

    @property
    def size(self) -> int:
        """The bytes held, bookkeeping included."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def _size(entry: Rendered) -> int:
    return len(entry.body) + ENTRY_OVERHEAD
