# galley: `make convert`, `make test` and `make lint` set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
IN     ?= samples
OUT    ?= out
TO     ?= md,epub,docx

.PHONY: convert test lint setup test-setup bench bench-hostile render-check a11y-check clean
SUDO ?= $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installing is cheap to repeat but slow to do for nothing: redo it when pyproject changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	@touch $(VENV)/.installed $@

setup: $(VENV)/.installed
test-setup: $(VENV)/.installed-test

# Incremental: a second run converts only what changed (ARGS="--force -j 4 --exclude drafts"...).
convert: setup
	$(BIN)/galley convert $(IN) -o $(OUT) --to $(TO) $(ARGS)

# galley against pandoc on a 200-file corpus, -j 1/-j 2 throughput, 5/10/20 MB inputs.
bench: setup
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# Inputs built to be slow (deep nesting, bracket and star runs...): time at 1x, 2x, 4x.
bench-hostile: setup
	$(BIN)/python bench/pathological.py $(BENCH_ARGS)

test: test-setup
	$(BIN)/python -m pytest -n auto -q

# Style and types (set in pyproject.toml): ruff's format check, ruff's lint rules, mypy --strict
# on pipeline/. All three run; the target fails if any of them does.
lint: test-setup
	@status=0; \
	echo "ruff format --check ."; $(BIN)/ruff format --check . || status=1; \
	echo "ruff check ."; $(BIN)/ruff check . || status=1; \
	echo "mypy"; $(BIN)/mypy || status=1; \
	exit $$status

# LibreOffice renders the DOCX of $(IN) to PDF and PNG pages in $(OUT)/render, for a look.
render-check: test-setup
	@command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install LibreOffice and poppler-utils first"; exit 2; }; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libreoffice-writer-nogui fonts-noto-cjk fonts-liberation2 fonts-crosextra-carlito \
	    fonts-crosextra-caladea poppler-utils python3-uno; }
	$(BIN)/python -m pytest -q -p no:xdist tests/test_docx.py tests/test_pdf.py -k 'libreoffice or pdf'
	$(BIN)/python tests/render_check.py $(IN) -o $(OUT)/render

# Ace by DAISY checks the EPUB of every sample and corpus article: any violation fails.
# Ace comes from the npm registry into .ace/; its browser is the system's Chromium
# (Puppeteer cannot download one here): Debian's package, installed when missing.
ACE_DIR ?= .ace
ACE      = $(ACE_DIR)/node_modules/.bin/ace-cli

$(ACE):
	@command -v npm >/dev/null 2>&1 || { echo "a11y-check needs Node.js and npm"; exit 2; }
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
	  npm install --prefix $(ACE_DIR) --no-audit --no-fund --loglevel=error @daisy/ace-cli

a11y-check: setup $(ACE)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install Chromium first"; exit 2; }; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	GALLEY_ACE=$(ACE) $(BIN)/python tests/a11y_check.py $(A11Y_ARGS)

clean:
	rm -rf $(OUT) build *.egg-info
