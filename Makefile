# The two commands: `make build` (set up, check and publish the demo site)
# and `make test` (set up and run the tests). Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROOT   ?= .
N      ?= 2500

.DEFAULT_GOAL := help
.PHONY: help setup build check due test bench bench-scale serve clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,pdf]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install arrears with its dependencies (and the pdf extra)

build: $(STAMP)  ## check the demo records and publish the site into site/
	$(BIN)/arrears check --root $(ROOT)
	$(BIN)/arrears build --root $(ROOT)

check: $(STAMP)  ## validate the records (warnings fail too)
	$(BIN)/arrears check --root $(ROOT) --strict

due: $(STAMP)  ## what is due today, per case
	$(BIN)/arrears due --root $(ROOT)

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## time check/due/build on a generated portfolio (N cases)
	$(BIN)/python tooling/bench.py --cases $(N)

bench-scale: $(STAMP)  ## every issue-18 figure with its target, at 625, 2,500 and 10,000 cases (minutes)
	$(BIN)/python tooling/bench_scale.py

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000
	$(BIN)/arrears serve --root $(ROOT)

clean:  ## remove build output and caches (keeps .venv)
	rm -rf site .arrears-cache .pytest_cache bench-out
