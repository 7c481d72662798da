"""Serve the web app with gunicorn: several workers sharing one store loaded before the fork."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from .settings import Settings
from .web import create_app


class Server(BaseApplication):
    """gunicorn configured from Settings alone (no config file, no command-line parsing)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            # Load the store once in the master: forked workers share its pages.
            "preload_app": True,
            "accesslog": None,  # requestlog writes one structured line per request instead
            "errorlog": "-",
            "control_socket_disable": True,  # no runtime control socket in the user's home
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(self.settings)


def run(settings: Settings) -> None:
    """Serve until stopped (SIGINT or SIGTERM)."""
    logging.getLogger("defence_kg").setLevel(logging.INFO)
    Server(settings).run()


if __name__ == "__main__":
    run(Settings.from_env())
