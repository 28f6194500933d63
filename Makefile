# element.replication: set-up, tests, demo and benchmarks.
#
#   make demo    set up everything, start a simulator, run the DR playbooks, show the result
#   make test    set up everything and run every test suite on every supported ansible-core
#   make bench   print speed and API-call figures (bench/results/ gets the JSON)
#   make docs    build the antsibull-docs site, user guide included (.build/docs/html)
#   make quick   units (boundaries included) and types on the newest core: a minute, while you work
#   make test-next  the next ansible-core (a pre-release) on the newest Python: not part of make test
#   make SUITE   one suite of make test (make help lists them)
#
# Three virtual environments cover the supported range:
#   .venv       ansible-core 2.21 on the newest Python >= 3.12 found (pyenv's included), plus the
#               lint, docs, changelog, typing, molecule and packaging tools and the SolidFire SDK
#   .venv-2.20  ansible-core 2.20 on Python 3.12
#   .venv-2.19  ansible-core 2.19 on Python 3.11 (with ansible-lint, to lint on the oldest core too)
#   .venv-next  the next ansible-core on the newest Python (make test-next only)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
VENV_MID := .venv-2.20
VENV_OLD := .venv-2.19
VENV_NEXT := .venv-next
VENVS := $(VENV) $(VENV_MID) $(VENV_OLD)
PYTHON_NEW = $(shell tools/find-python newest)
PYTHON_MID = $(shell tools/find-python 3.12)
PYTHON_OLD = $(shell tools/find-python 3.11)
PYTEST_WORKERS ?= 2
SUITE_JOBS ?= 2
SUITE_LOGS ?= tests/output/suites
DOCS_DIR ?= .build/docs
export ANSIBLE_NOCOLOR := 1

help:
	@sed -n '3,9p' Makefile
	@echo
	@echo "The suites of make test (run side by side; each one alone with make SUITE):"
	@for s in $(SUITES); do echo "  $$s"; done

# ---- environments -------------------------------------------------------------------------

venv: $(VENV)/.installed $(VENV_MID)/.installed $(VENV_OLD)/.installed

# One recipe for the three environments: $(1) is the Python; the core's requirements file is the
# last prerequisite.
define build_venv
rm -rf $(@D)
$(1) -m venv $(@D)
$(@D)/bin/python -m pip install --quiet --upgrade pip
$(@D)/bin/python -m pip install --quiet -r $(lastword $^) -e simulator
touch $@
endef
VENV_INPUTS := requirements/runtime.txt requirements/test.txt simulator/pyproject.toml

$(VENV)/.installed: $(VENV_INPUTS) requirements/sdk.txt requirements/publish.txt requirements/eda.txt requirements/core-2.21.txt
	$(call build_venv,$(PYTHON_NEW))

$(VENV_MID)/.installed: $(VENV_INPUTS) requirements/core-2.20.txt
	$(call build_venv,$(PYTHON_MID))

$(VENV_OLD)/.installed: $(VENV_INPUTS) requirements/core-2.19.txt
	$(call build_venv,$(PYTHON_OLD))

# Not part of `make venv`: only make test-next uses it.
$(VENV_NEXT)/.installed: $(VENV_INPUTS) requirements/core-next.txt
	$(call build_venv,$(PYTHON_NEW))

# ---- tests ----------------------------------------------------------------------------------

# The suites run side by side (tools/run-suites, SUITE_JOBS at a time, longest first); each writes
# its log to SUITE_LOGS and a failed suite's log is printed at the end, with every suite's time.
# The system tests (tests/system) run on the two ends of the range; 2.20 gets the units, sanity
# and the integration targets, which run every module against the simulator.
SUITES := test-system-2.21 test-system-2.19 test-sanity-2.21 test-sanity-2.19 test-sanity-2.20 \
	test-integration test-lint test-molecule test-ee test-units test-docs test-simulator \
	test-changelog test-types test-role-specs test-workflows test-docs-site
# Publishing: Galaxy's importer on the artifact.
SUITES += test-galaxy

.PHONY: help venv test quick test-next docs demo bench clean $(SUITES) test-sanity test-system

test: venv
	tools/run-suites $(SUITE_JOBS) $(SUITE_LOGS) $(SUITES)

test-simulator: venv
	$(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider simulator/tests

test-units: venv
	for v in $(VENVS); do tools/ansible-test $$v units --local --python $$($$v/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); done

# Sanity on every controller Python each core supports that the machine has (tools/ansible-test
# puts them on PATH); test-sanity runs the three cores one after the other.
test-sanity: test-sanity-2.21 test-sanity-2.20 test-sanity-2.19
test-sanity-2.21: venv
	tools/ansible-test $(VENV) sanity --venv
test-sanity-2.20: venv
	tools/ansible-test $(VENV_MID) sanity --venv
test-sanity-2.19: venv
	tools/ansible-test $(VENV_OLD) sanity --venv

test-system: test-system-2.21 test-system-2.19
test-system-2.21: venv
	$(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider tests/system
test-system-2.19: venv
	$(VENV_OLD)/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider tests/system

test-integration: venv
	for v in $(VENVS); do tools/integration $$v; done

# ansible-lint as a contributor runs it in a clone (plain, newest core), and on the oldest core.
test-lint: venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/ansible-lint --nocolor
	tools/lint $(VENV_OLD)

test-docs: venv
	$(VENV)/bin/python tools/user-guide-rst --check
	tools/docs-lint $(VENV)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs .

test-molecule: venv
	tools/molecule $(VENV)

test-ee: venv
	tools/ee-check $(VENV)

# The site, offline: intersphinx failures are allowed, any other warning fails (tools/docs-site).
test-docs-site docs: venv
	tools/docs-site $(VENV) $(DOCS_DIR)

# The fragments, and the release they make: antsibull-changelog release on a copy (tools/release-check).
test-changelog: venv
	$(VENV)/bin/antsibull-changelog lint
	tools/release-check $(VENV)

test-types: venv
	tools/mypy $(VENV)

test-role-specs: venv
	$(VENV)/bin/python tools/role-specs/generate --check

# galaxy-importer on the built artifact, as Galaxy runs it on upload (tools/galaxy-importer.cfg).
test-galaxy: venv
	tools/galaxy-import $(VENV)

test-workflows: venv
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# While you work: units (test_boundaries.py holds the layers) and types, on the newest core only.
quick: $(VENV)/.installed
	tools/ansible-test $(VENV) units --local --python $$($(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	tools/mypy $(VENV)

# The next ansible-core (requirements/core-next.txt, a pre-release) on the newest Python found
# (3.14 when the machine has it): sanity, units and the system tests, each run whatever the others
# did. Not part of make test: CI runs it as a job that may fail (.github/workflows/ci.yml).
# NEXT_SANITY_ARGS: 2.22.0rc1's pylint needs a GitHub download, so offline use --skip-test pylint.
NEXT_SANITY_ARGS ?=
test-next: $(VENV_NEXT)/.installed
	status=0; \
	tools/ansible-test $(VENV_NEXT) sanity --venv $(NEXT_SANITY_ARGS) || { status=1; echo "test-next: sanity FAILED"; }; \
	tools/ansible-test $(VENV_NEXT) units --local --python $$($(VENV_NEXT)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
		|| { status=1; echo "test-next: units FAILED"; }; \
	$(VENV_NEXT)/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider tests/system \
		|| { status=1; echo "test-next: system tests FAILED"; }; \
	exit $$status

# ---- demo and benchmarks -------------------------------------------------------------------

demo: venv
	tools/demo $(VENV)

bench: venv
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENVS) $(VENV_NEXT) .sim bench/results tests/output "$${TMPDIR:-/tmp}/element-replication-build"
