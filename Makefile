# element.replication: set-up, tests, demo and benchmarks.
#
#   make demo    set up everything, start a simulator, run the DR playbooks, show the result
#   make test    set up everything and run every test suite, on both ends of the supported range
#   make bench   print speed and API-call figures (bench/results/ gets the JSON)
#
# Two virtual environments cover the supported range:
#   .venv       ansible-core 2.21 on the newest Python >= 3.12 found (pyenv's included), plus the
#               lint, docs, molecule and packaging tools and the SolidFire SDK
#   .venv-2.19  ansible-core 2.19 on Python 3.11

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
VENV_OLD := .venv-2.19
VENVS := $(VENV) $(VENV_OLD)
PYTHON_NEW = $(shell tools/find-python newest)
PYTHON_OLD = $(shell tools/find-python 3.11)
PYTEST_WORKERS ?= 2
export ANSIBLE_NOCOLOR := 1

.PHONY: help venv test demo bench clean \
	test-simulator test-units test-sanity test-system test-integration test-lint test-docs \
	test-molecule test-ee

help:
	@sed -n '2,6p' Makefile

# ---- environments -------------------------------------------------------------------------

venv: $(VENV)/.installed $(VENV_OLD)/.installed

$(VENV)/.installed: requirements/runtime.txt requirements/test.txt requirements/sdk.txt requirements/core-2.21.txt simulator/pyproject.toml
	rm -rf $(VENV)
	$(PYTHON_NEW) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements/core-2.21.txt -e simulator
	touch $@

$(VENV_OLD)/.installed: requirements/runtime.txt requirements/test.txt requirements/core-2.19.txt simulator/pyproject.toml
	rm -rf $(VENV_OLD)
	$(PYTHON_OLD) -m venv $(VENV_OLD)
	$(VENV_OLD)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_OLD)/bin/python -m pip install --quiet -r requirements/core-2.19.txt -e simulator
	touch $@

# ---- tests ----------------------------------------------------------------------------------

test: venv
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-simulator test-units test-sanity test-lint test-docs test-system \
		test-integration test-molecule test-ee; \
	echo "make test: every suite passed in $$(( $$(date +%s) - start )) s"

test-simulator: venv
	$(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) simulator/tests

test-units: venv
	for v in $(VENVS); do tools/ansible-test $$v units --local --python $$($$v/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); done

test-sanity: venv
	for v in $(VENVS); do tools/ansible-test $$v sanity --venv --python $$($$v/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); done

test-system: venv
	for v in $(VENVS); do $$v/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider tests/system; done

test-integration: venv
	for v in $(VENVS); do tools/integration $$v; done

test-lint: venv
	for v in $(VENVS); do tools/lint $$v; done

test-docs: venv
	tools/docs-lint $(VENV)

test-molecule: venv
	tools/molecule $(VENV)

test-ee: venv
	tools/ee-check $(VENV)

# ---- demo and benchmarks -------------------------------------------------------------------

demo: venv
	tools/demo $(VENV)

bench: venv
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENVS) .sim bench/results tests/output "$${TMPDIR:-/tmp}/element-replication-build"
