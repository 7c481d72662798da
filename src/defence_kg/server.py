"""Serve the web app with gunicorn: several workers sharing one store loaded before the fork.

A query that outlives its deadline is answered at once (503), but its evaluation cannot be
stopped inside the process; the worker then retires gracefully, as gunicorn's max_requests
does: it stops accepting, finishes its other requests, and exits, so the runaway evaluation
dies with it, and the arbiter forks a fresh worker from the preloaded app (docs/design.md,
"Query limits").
"""

from __future__ import annotations

import logging
import math

from gunicorn.app.base import BaseApplication

from .settings import Settings
from .stores.querying import RUNAWAY
from .web import create_app

THREADS = 4  # requests a worker serves at once; Oxigraph releases the GIL while it evaluates
# Beyond the query's own deadline: time to render and send its answer.
SEND_SECONDS = 30


class Server(BaseApplication):
    """gunicorn configured from Settings alone (no config file, no command-line parsing)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        request_seconds = math.ceil(self.settings.query_timeout) + SEND_SECONDS
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread",  # keep-alive, and other requests while one query runs
            "threads": THREADS,
            # Load the store once in the master: forked workers share its pages.
            "preload_app": True,
            # A worker is killed only if it stops answering the arbiter for this long...
            "timeout": request_seconds,
            # ...and a retiring one may take this long to finish its other requests.
            "graceful_timeout": request_seconds,
            "post_request": retire_after_runaway,
            "accesslog": None,  # requestlog writes one structured line per request instead
            "errorlog": "-",
            "control_socket_disable": True,  # no runtime control socket in the user's home
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(self.settings)


def retire_after_runaway(worker, request, environ, response) -> None:
    """gunicorn's post_request hook: a worker whose query ran out of time stops after this."""
    if environ.get(RUNAWAY) and worker.alive:
        worker.log.warning("a query outlived its deadline: retiring worker %s", worker.pid)
        worker.handle_exit(None, None)  # what SIGTERM does: stop accepting, finish, exit


def run(settings: Settings) -> None:
    """Serve until stopped (SIGINT or SIGTERM)."""
    logging.getLogger("defence_kg").setLevel(logging.INFO)
    Server(settings).run()


if __name__ == "__main__":
    run(Settings.from_env())
