"""The build: load -> validate -> reason -> explain -> check -> publish, one module a stage.

One code path makes the dataset for the CLI, the server and the tests: build() makes it,
publish() writes it as a release.
"""

from .pipeline import BuildError, BuildResult, build, input_hash, is_up_to_date
from .publish import publish

__all__ = ["BuildError", "BuildResult", "build", "input_hash", "is_up_to_date", "publish"]
