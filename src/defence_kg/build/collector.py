"""The cycle collector paused while millions of small, acyclic objects live."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def pause_cycle_collector():
    """Pause the cycle collector. The reasoner's state and inference are millions of small
    containers (tuples, dicts, sets) with no cycle among them, which the collector's passes,
    started by so many allocations, would walk again and again to free nothing: about half
    the CPU of loading and continuing the state (docs/design.md, "The reasoner's state,
    cheaper"). Dropped before the collector runs again, they are never walked."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
