# Two commands: `make demo` and `make test`. Each creates .venv if missing, installs what the project needs
# (Debian packages too, when they are missing and we are root), then runs. A second run skips the install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the system needs (the sandbox, the report's browser check); installed only if missing.
APT_PACKAGES := bubblewrap chromium
PYTEST_ARGS ?=

.PHONY: setup test test-fast demo lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Debian packages missing:$$missing — install them: sudo apt-get install -y$$missing"; exit 1; fi; \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Everything that runs no notebook (about a minute): the tier to run while editing.
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check grader tests bench

demo: setup
	$(BIN)/grader demo

clean:
	rm -rf $(VENV) demo .pytest_cache
