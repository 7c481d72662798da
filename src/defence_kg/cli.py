"""The `defence-kg` command: ingest | drafts | accept | build | validate | publish | serve | query.

Exit codes: 0 success; 1 the data is invalid (syntax, shapes, contradictions, checks) or a query
is malformed; 2 any other error (usage, missing build, I/O).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .build import BuildError
from .settings import Settings

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
RESULT_FORMATS = ("tsv", "csv", "json", "xml")
# Arguments of ingest and accept that are not settings.
INGEST_ARGS = ("path", "source_id", "publisher", "date", "title", "url", "replace")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides = {key: value for key, value in vars(args).items()
                 if key not in ("command", "name", "format", "force", *INGEST_ARGS)
                 and value not in (None, [])}
    if "load" in overrides:
        overrides["load"] = tuple(overrides["load"])
    settings = Settings.from_env(**overrides)
    try:
        return COMMANDS[args.command](settings, args)
    except (BuildError, SyntaxError) as error:
        print(f"defence-kg {args.command}: {error}", file=sys.stderr)
        return EXIT_INVALID
    except (OSError, ValueError) as error:
        print(f"defence-kg {args.command}: error: {error}", file=sys.stderr)
        return EXIT_ERROR


def build_command(settings: Settings, args) -> int:
    from .build import build, is_up_to_date, publish

    if not args.force and is_up_to_date(settings):
        print(f"up to date: {settings.release_dir.resolve()} was built from these inputs "
              "(--force rebuilds)")
        return EXIT_OK
    result = build(settings)
    release = publish(result, settings)
    triples = result.report["triples"]
    print(f"built {release}: {triples['asserted']} asserted, {triples['ontology']} ontology, "
          f"{triples['inferred']} inferred, {triples['dropped_total']} dropped triples")
    return EXIT_OK


def validate_command(settings: Settings, args) -> int:
    from .build import build

    result = build(settings)
    print(f"valid: {result.report['triples']['asserted']} asserted triples")
    return EXIT_OK


def publish_command(settings: Settings, args) -> int:
    from .stores.publishing import publish_to_store

    if not settings.release_dir.exists():
        print("defence-kg publish: no build yet; run `defence-kg build`", file=sys.stderr)
        return EXIT_ERROR
    published = publish_to_store(settings)
    print(f"published {published.quads} quads in {published.graphs} graphs to {settings.store} "
          f"(release {published.fingerprint[:16]}; {published.deleted} old graphs deleted)")
    return EXIT_OK


def serve_command(settings: Settings, args) -> int:
    from .server import run
    from .stores import open_store

    if not settings.release_dir.exists():
        print("defence-kg serve: no build yet; run `defence-kg build` (or `make serve`)",
              file=sys.stderr)
        return EXIT_ERROR
    if settings.store:
        open_store(settings)  # refuses a store that does not hold this release, before forking
    run(settings)
    return EXIT_OK


def query_command(settings: Settings, args) -> int:
    import pyoxigraph as ox

    from .stores.embedded import QueryStore

    path = Path(args.name)
    if not path.exists():
        path = settings.queries_dir / f"{args.name.removesuffix('.rq')}.rq"
    if not path.exists():
        saved = ", ".join(sorted(p.stem for p in settings.queries_dir.glob("*.rq")))
        print(f"defence-kg query: no query {args.name!r}; saved queries: {saved}", file=sys.stderr)
        return EXIT_ERROR
    store = QueryStore.from_release(settings)
    result = store.query(settings.vocabulary.rebase(path.read_text(encoding="utf-8")))
    if isinstance(result, ox.QueryTriples):
        output = result.serialize(format=ox.RdfFormat.TURTLE)
    else:
        output = result.serialize(format=getattr(ox.QueryResultsFormat, args.format.upper()))
    sys.stdout.write(output.decode("utf-8"))
    return EXIT_OK


def ingest_command(settings: Settings, args) -> int:
    from .ingest import ingest

    result = ingest(settings, args.path, args.source_id, args.publisher, args.date, args.title,
                    args.url, args.replace)
    if result.note:
        print(f"note: {result.note}")
    if result.files:
        state = "written" if result.changed else "unchanged (the same text gives the same files)"
        print(f"{result.source_id}: {result.sentences} sentences, {result.candidates} candidate "
              f"facts; {state}:")
        for path in result.files:
            print(f"  {path.relative_to(settings.root).as_posix()}")
        print(f"review data/drafts/{result.source_id}.trig, then "
              f"`defence-kg accept {result.source_id}`")
    return EXIT_OK


def drafts_command(settings: Settings, args) -> int:
    from .ingest.accept import pending_drafts

    drafts = pending_drafts(settings)
    if not drafts:
        print("no pending drafts")
    for draft in drafts:
        changed = "  (its source text has changed: ingest it again)" if draft.text_changed else ""
        print(f"{draft.source_id}\t{draft.candidates} candidates\t{draft.sentences} sentences"
              f"{changed}")
    return EXIT_OK


def accept_command(settings: Settings, args) -> int:
    from .ingest.accept import accept

    target = accept(settings, args.name)
    print(f"accepted: {target.relative_to(settings.root).as_posix()} (checked with the whole "
          "graph); `defence-kg build` publishes it")
    return EXIT_OK


COMMANDS = {"ingest": ingest_command, "drafts": drafts_command, "accept": accept_command,
            "build": build_command, "validate": validate_command, "publish": publish_command,
            "serve": serve_command, "query": query_command}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="defence-kg", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--output-dir", type=Path, help="where releases are written (./build)")
    common.add_argument("--base-uri", help="base IRI of the published data")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", parents=[common],
                                help="validate, reason and publish the dumps")
    build.add_argument("--force", action="store_true",
                       help="rebuild even when the inputs are unchanged")
    commands.add_parser("validate", parents=[common], help="check the data without publishing")
    serve = commands.add_parser("serve", parents=[common], help="serve the last good build")
    serve.add_argument("--host", help="interface to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (8000)")
    serve.add_argument("--workers", type=int, help="worker processes (2)")
    serve.add_argument("--load", type=Path, action="append", metavar="FILE",
                       help="also serve this N-Quads/TriG file (repeatable)")
    serve.add_argument("--query-timeout", type=float, help="seconds per query (30)")
    serve.add_argument("--result-limit", type=int, help="rows per result (10000)")
    serve.add_argument("--store", metavar="URL",
                       help="answer queries with the SPARQL store at URL (its query URL; "
                            "publish the release there first) instead of the embedded store")
    publish = commands.add_parser(
        "publish", parents=[common],
        help="load the last good build into a SPARQL store (Graph Store Protocol + Update); "
             "credentials from DEFENCE_KG_STORE_USER/_PASSWORD or DEFENCE_KG_STORE_TOKEN")
    publish.add_argument("--to", dest="store", metavar="URL", required=True,
                         help="the store's SPARQL query URL")
    publish.add_argument("--graph-store", dest="store_graph_url", metavar="URL",
                         help="its Graph Store Protocol URL (beside --to: …/store)")
    publish.add_argument("--update-url", dest="store_update_url", metavar="URL",
                         help="its SPARQL Update URL (beside --to: …/update)")
    publish.add_argument("--load", type=Path, action="append", metavar="FILE",
                         help="also publish this N-Quads/TriG file (repeatable); serve it "
                              "with the same --load")
    ingest = commands.add_parser(
        "ingest", parents=[common],
        help="turn a plain-text report into data/sources/ID.{txt,ttl} and a draft of candidate "
             "facts, data/drafts/ID.trig")
    ingest.add_argument("path", type=Path, help="the report, UTF-8 plain text")
    ingest.add_argument("--id", dest="source_id",
                        help="the source's ID, [a-z0-9-] (publisher-date-first-words)")
    ingest.add_argument("--publisher", help="who published it (from 'Based On X Report')")
    ingest.add_argument("--date", help="when, YYYY-MM-DD (from the 'date YYYY-MM-DD' dateline)")
    ingest.add_argument("--title", help="its title (its first words)")
    ingest.add_argument("--url", help="where it was published")
    ingest.add_argument("--replace", action="store_true",
                        help="ingest this text in place of a different one under the same ID")
    commands.add_parser("drafts", parents=[common],
                        help="list the drafts awaiting review, with their candidate counts")
    accept = commands.add_parser(
        "accept", parents=[common],
        help="check a reviewed draft with the whole graph, then move it into data/")
    accept.add_argument("name", metavar="ID", help="the source's ID (data/drafts/ID.trig)")
    query = commands.add_parser("query", parents=[common], help="run a saved query")
    query.add_argument("name", help="a saved query's name (queries/NAME.rq) or a .rq file")
    query.add_argument("--format", choices=RESULT_FORMATS, default="tsv")
    return parser


if __name__ == "__main__":
    sys.exit(main())
