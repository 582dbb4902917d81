# The front door: `make site` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VAULT  ?= vault

.PHONY: install test check site serve bench clean

install: $(STAMP)

# Re-install only when the project's metadata changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest -q

check: install
	$(BIN)/vaultc check $(VAULT)

site: install
	$(BIN)/vaultc check $(VAULT)
	@echo "make site: the vault checks passed; the MkDocs site emitter is not built yet (issue 6), so site/ is not produced."

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site .pytest_cache
