# The two commands: `make run` starts the whole system, `make test` runs the whole suite.
# Both set everything up first (virtualenv, pinned packages).
# `make openapi` writes docs/openapi.json, the API description generated from the routes (api_description/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: openapi ocr-packages redis-package libmagic-package bench-cluster run cluster test test-soak lint format install system-packages cluster-system-packages clean bench bench-setup bench-system-packages bench-search

# Packages are installed with uv (pinned below; from PyPI like pip, and pip's work in seconds rather
# than minutes), which pip installs into the project's virtualenv first.
UV_VERSION := 0.13.9
UV := $(BIN)/uv

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(INSTALLED): requirements.txt requirements-dev.txt | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# make run's two workers count wrong sign-in passwords in one redis-server (RATELIMIT_STORAGE_URI).
run: $(INSTALLED) redis-package libmagic-package ocr-packages
	$(BIN)/python -m stack.run

# N app instances behind HAProxy, self-hosted Inngest on PostgreSQL and Redis (docs/deploy.md).
CLUSTER ?= 2
cluster: $(INSTALLED) cluster-system-packages libmagic-package ocr-packages
	CLUSTER=$(CLUSTER) $(BIN)/python -m stack.cluster

# The committed description must be this command's output: a test fails, saying to run it, when it is not.
openapi: $(INSTALLED)
	$(BIN)/python -m api_description docs/openapi.json

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# libmagic, which the app itself needs to sniff a document's content (processing/sniffing.py).
LIBMAGIC := $(if $(wildcard /usr/lib/*/libmagic.so.1 /usr/lib/libmagic.so.1),,libmagic1)

# System packages the tests need, from Debian, installed when missing and we are root:
# chromium for the browser tests (tests/web/, never a browser Playwright downloads), the
# PostgreSQL server for the tests marked on_both_databases, and poppler-utils, whose pdftotext is the
# independent reference the PDF corpus tests (tests/processing/) measure our reader against; libmagic1
# for the app. Without them those tests skip (or fail when CI=true).
SYSTEM_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
	$(if $(wildcard /usr/bin/pdftotext),,poppler-utils) $(LIBMAGIC)

system-packages: ocr-packages
	@if [ -n "$(strip $(SYSTEM_PACKAGES))" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(strip $(SYSTEM_PACKAGES)) for the tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

# Tesseract's language data, which OCR reads (the tesserocr wheel brings the engine itself): English, and
# osd, which tells a rotated scan's orientation. Installed for `make run` and `make test` when missing and we
# are root; without them the app refuses to start with OCR_ENABLED=1, naming the package.
OCR_PACKAGES := $(if $(wildcard /usr/bin/tesseract),,tesseract-ocr) \
	$(if $(wildcard /usr/share/tesseract-ocr/5/tessdata/eng.traineddata),,tesseract-ocr-eng) \
	$(if $(wildcard /usr/share/tesseract-ocr/5/tessdata/osd.traineddata),,tesseract-ocr-osd)

ocr-packages:
	@if [ -n "$(strip $(OCR_PACKAGES))" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(strip $(OCR_PACKAGES)) for OCR (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; \
	fi

# What `make cluster` and tests/cluster/ run: Debian's PostgreSQL, redis-server and HAProxy.
CLUSTER_PACKAGES := $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
	$(if $(shell command -v redis-server),,redis-server) $(if $(shell command -v haproxy),,haproxy)

cluster-system-packages:
	@if [ -n "$(strip $(CLUSTER_PACKAGES))" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing $(strip $(CLUSTER_PACKAGES)) for the cluster (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CLUSTER_PACKAGES) >/dev/null; \
		else echo "the cluster needs $(strip $(CLUSTER_PACKAGES)): install them (Debian: apt-get install)"; exit 1; fi; \
	fi

# The end-to-end tests need the Inngest server: scripts/inngest-dev-server finds or installs it, or
# says why it cannot, and the suite then fails rather than skip them.
test: lint system-packages cluster-system-packages bench-setup
	server=$$(scripts/inngest-dev-server) && \
		INNGEST_DEV_SERVER_BIN="$$server" REQUIRE_INNGEST_DEV_SERVER=1 $(BIN)/pytest

# The real-server tests (tests/e2e, tests/cluster, tests/web) RUNS times back to back while a busy loop
# holds one core, as CI's shared machine is when it is busiest; not part of `make test`.
RUNS ?= 5
test-soak: system-packages cluster-system-packages $(INSTALLED)
	server=$$(scripts/inngest-dev-server) && \
		INNGEST_DEV_SERVER_BIN="$$server" REQUIRE_INNGEST_DEV_SERVER=1 CI=true $(BIN)/python scripts/soak_tests.py --runs $(RUNS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) bench/.bin bench/.corpus .pytest_cache .mypy_cache .ruff_cache test-artifacts

# `make bench`: the benchmarks (bench/, BENCHMARKS.md) in their own virtualenv, with vegeta
# (the load generator, a Go module built with the machine's Go) and Debian's redis-server.
BENCH_VENV := .venv-bench
BENCH_INSTALLED := $(BENCH_VENV)/.installed
VEGETA := bench/.bin/vegeta

$(BENCH_INSTALLED): requirements.txt requirements-dev.txt bench/requirements.txt | $(UV)
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(UV) pip install --quiet --python $(BENCH_VENV)/bin/python -r bench/requirements.txt
	touch $(BENCH_INSTALLED)

$(VEGETA):
	GOBIN=$(CURDIR)/bench/.bin go install github.com/tsenart/vegeta/v12@v12.12.0

# Debian's redis-server, when missing and we are root: make run's sign-in throttle and the bench's peers use it.
redis-package:
	@if ! command -v redis-server >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing redis-server (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	fi

libmagic-package:
	@if [ -n "$(LIBMAGIC)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing libmagic1 (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmagic1 >/dev/null; \
	fi

bench-system-packages: redis-package libmagic-package ocr-packages

# The bench's virtualenv, vegeta and redis-server; `make test` needs them for its smoke run (tests/bench/).
bench-setup: $(BENCH_INSTALLED) $(VEGETA) bench-system-packages

bench: bench-setup
	$(BENCH_VENV)/bin/python -m bench.run $(BENCH_ARGS)

# The cluster (make cluster) with 1, 2 and 4 app instances: processing and the accept ladder (BENCHMARKS.md).
bench-cluster: bench-setup cluster-system-packages
	$(BENCH_VENV)/bin/python -m bench.cluster $(BENCH_ARGS)

# Search at 10 k and 100 k chunks on SQLite and PostgreSQL, and worst-case searches at once under gunicorn
# (BENCHMARKS.md, "Search").
bench-search: $(INSTALLED) system-packages
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.search_concurrency
