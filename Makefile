# The front door: `make site` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
VAULT  ?= vault

.PHONY: install browser test check site serve bench clean

install: $(STAMP)

# Re-install only when the project's dependencies change. npm brings the site's JavaScript
# (cytoscape for the graph views), which is copied into site/ so the site works offline.
$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it never downloads one).
browser:
	@test -x /usr/bin/chromium || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "make: could not install chromium; the browser tests will be skipped"; }
	@if [ -n "$$CI" ] && [ ! -x /usr/bin/chromium ]; then echo "make: CI needs /usr/bin/chromium"; exit 1; fi

test: install browser
	$(BIN)/python -m pytest -q

check: install
	$(BIN)/vaultc check $(VAULT)

site: install
	$(BIN)/vaultc check $(VAULT)
	$(BIN)/vaultc site $(VAULT)

serve: install
	$(BIN)/vaultc serve $(VAULT)

# The yardsticks only the benchmarks need (the `bench` extra: obsidiantools), installed once.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site build node_modules .pytest_cache
