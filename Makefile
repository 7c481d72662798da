# Every target sets up its own virtual environment, so a fresh clone needs only Python >= 3.11
# (and npm, for the query editor's front-end). Runs with GNU make 3.81 and later.
# The newest Python >= 3.11 on PATH, unless named: make test PYTHON=/opt/python3.14/bin/python3
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3.11 python3
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))
ifndef PYTHON
PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	$$p -c '$(NEW_ENOUGH)' >/dev/null 2>&1 && { echo $$p; break; }; done)
endif
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

.PHONY: serve test build bench lint clean eval system-tools

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: defence-kg needs Python >= 3.11; none of \
	$(PYTHON_CANDIDATES) on PATH is: install one, or name it: make PYTHON=/path/to/python3"; exit 1; }
	@$(PYTHON) -c '$(NEW_ENOUGH)' || { echo "make: $(PYTHON) is not Python >= 3.11, which \
	defence-kg needs: name another, make PYTHON=/path/to/python3"; exit 1; }
	@echo "$(PYTHON) -m venv $(VENV)"
	@$(PYTHON) -m venv $(VENV) || { echo "make: $(PYTHON) cannot create a virtual environment \
	(on Debian and Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js) is needed to install the query \
	editor's front-end (Debian and Ubuntu: apt-get install npm)"; exit 1; }
	cd $(FRONTEND) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(FRONTEND_STAMP)

# The build output is a release directory behind build/current; rebuild when an input is newer.
build/current/build-report.json: $(STAMP) $(INPUTS)
	$(BIN)/defence-kg build

build: $(STAMP)
	$(BIN)/defence-kg build

serve: build/current/build-report.json $(FRONTEND_STAMP)
	$(BIN)/defence-kg serve --host $(HOST) --port $(PORT)

# Browser tests drive Chromium and chromedriver; the dump tests parse with Raptor's rapper.
# Installed with apt-get as root or through sudo; where that cannot work, their tests are
# skipped, one line each, except under CI=true, where this fails (tests/system-tools.sh).
system-tools:
	@sh tests/system-tools.sh

test: $(STAMP) $(FRONTEND_STAMP) system-tools
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
