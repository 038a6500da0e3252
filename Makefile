# Fangyi — two commands: `make demo` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FANGYI := $(VENV)/bin/fangyi
PORT ?= 8000
RESIDENTS ?= 20000

.PHONY: demo test lint typecheck unit install install-test browser serve bench messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's chromium for the browser tests (Playwright's own download needs the internet),
# and a CJK font so that screenshots show Chinese rather than empty boxes.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "missing: run 'sudo apt-get install $(BROWSER_PACKAGES)' (browser tests are skipped without chromium)"; fi; fi

demo: install
	$(FANGYI) migrate --no-input -v 0
	$(FANGYI) demo --residents $(RESIDENTS)
	@echo "Fangyi: http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(FANGYI) db_worker --queue-name '*' >var/worker.log 2>&1 & \
	  $(VENV)/bin/gunicorn fangyi.wsgi -b 127.0.0.1:$(PORT) -w 2 --threads 4 --access-logfile - 

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-test
	$(VENV)/bin/mypy fangyi

unit: install-test browser
	$(PY) -m pytest --cov --cov-report=term -p no:cacheprovider $(PYTEST_ARGS)

test: lint typecheck unit

bench: install
	$(PY) -m bench $(BENCH_ARGS)

messages: install
	cd fangyi && ../$(FANGYI) makemessages -l en --no-obsolete --no-location && ../$(FANGYI) compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
