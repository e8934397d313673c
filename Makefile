# galley: `make convert`, `make test` and `make lint` set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
IN     ?= samples
OUT    ?= out
TO     ?= md,epub,docx

.PHONY: convert test lint setup test-setup bench bench-hostile render-check clean
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
	    fonts-crosextra-caladea poppler-utils; }
	$(BIN)/python -m pytest -q -p no:xdist tests/test_docx.py -k libreoffice
	$(BIN)/python tests/render_check.py $(IN) -o $(OUT)/render

clean:
	rm -rf $(OUT) build *.egg-info
