# galley: `make convert` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
IN     ?= samples
OUT    ?= out
TO     ?= md,epub,docx

.PHONY: convert test setup test-setup bench render-check clean

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

convert: setup
	$(BIN)/galley convert $(IN) -o $(OUT) --to $(TO)

test: test-setup
	$(BIN)/python -m pytest -n auto -q

clean:
	rm -rf $(OUT) build *.egg-info
