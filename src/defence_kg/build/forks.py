"""Run independent tasks in forked processes, a few at a time, so that they use every core
while the parent does its own share.

Forked, not spawned: a child starts in milliseconds with what the parent has loaded (the
functions and their arguments are not pickled; only what a task returns is). A task must not
use the parent's open stores. (validate.Beside spawns instead: its child would otherwise keep
the pages the parent writes to while it runs, gigabytes at scale.)
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait


class ForkedTaskError(RuntimeError):
    """A task failed in its process: the message carries its traceback."""


class Forked:
    """Tasks started at once, at most `at_once` together, in the order given (put the longest
    first); results() waits for all of them. Use it as a context manager: leaving it stops
    those still running."""

    def __init__(self, tasks: dict[str, Callable[[], object]], at_once: int):
        self._context = multiprocessing.get_context("fork")
        self._waiting, self._running, self._at_once = list(tasks.items()), {}, at_once
        self._start()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def allow(self, at_once: int) -> None:
        """Let `at_once` tasks run together from now on."""
        self._at_once = at_once
        self._start()

    def stop(self) -> None:
        """Stop the tasks still running (their results are lost)."""
        self._waiting.clear()
        for _, process in self._running.values():
            process.kill()
            process.join()
        self._running.clear()

    def results(self) -> dict[str, object]:
        """What each task returned, by name; a task's failure raises ForkedTaskError."""
        results = {}
        while self._running:
            for receive in wait(list(self._running)):
                name, process = self._running.pop(receive)
                try:
                    failed, value = receive.recv()
                except EOFError:  # ended without a word: killed, or out of memory
                    failed, value = True, None
                receive.close()
                process.join()
                if value is None and failed:
                    value = f"the process ended with code {process.exitcode}"
                if failed:
                    raise ForkedTaskError(f"{name}: {value}")
                results[name] = value
            self._start()
        return results

    def _start(self) -> None:
        while self._waiting and len(self._running) < self._at_once:
            name, task = self._waiting.pop(0)
            receive, send = self._context.Pipe(duplex=False)
            process = self._context.Process(target=_run, args=(task, send), daemon=True)
            process.start()
            send.close()
            self._running[receive] = (name, process)


def _run(task: Callable[[], object], send) -> None:
    gc.freeze()  # the parent's objects: collecting them would copy its pages into this process
    try:
        result = (False, task())
    except BaseException:  # reported to the parent, which raises it
        result = (True, traceback.format_exc())
    send.send(result)
    send.close()
