# Every target sets up its own virtual environment, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
INPUTS := $(shell find ontology data queries -type f 2>/dev/null) $(shell find src -name '*.py')

# The query editor's front-end (YASGUI), installed from the committed lock file. Install
# scripts are skipped: the only ones print Font Awesome's attribution, not needed to serve.
FRONTEND := src/defence_kg/web/frontend
FRONTEND_STAMP := $(FRONTEND)/node_modules/.installed

# Browser tests drive Debian's Chromium; the dump tests parse with Raptor's rapper.
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/chromedriver /usr/bin/rapper

.PHONY: serve test build bench lint clean eval

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(FRONTEND_STAMP)

# The build output is a release directory behind build/current; rebuild when an input is newer.
build/current/build-report.json: $(STAMP) $(INPUTS)
	$(BIN)/defence-kg build

build: $(STAMP)
	$(BIN)/defence-kg build

serve: build/current/build-report.json $(FRONTEND_STAMP)
	$(BIN)/defence-kg serve --host $(HOST) --port $(PORT)

$(SYSTEM_TOOLS) &:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		chromium chromium-driver raptor2-utils

test: $(STAMP) $(FRONTEND_STAMP) $(SYSTEM_TOOLS)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

# The SPARQL endpoint against Oxigraph server and rdflib-endpoint, then the build and reasoner
# against owlrl and reasonable, then the build, an added report and the server at 1M quads
# against issue 11's targets; tables on stdout and in bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.reasoning
	$(BIN)/python -m bench.scale --quads 1m

# Extraction scored on the development reports (../shared/reports) and the held-out ones
# (tests/fixtures/reports), each ingested into a temporary copy of the repository.
eval: $(STAMP)
	$(BIN)/python -m bench.extraction

clean:
	rm -rf build
