# Clientcare — `make demo` runs the main job on sample data, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample

.PHONY: demo test lint bench setup dev system-deps sample clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

system-deps:
	@bash scripts/system-deps.sh

setup: system-deps $(VENV)/.installed

dev: system-deps $(VENV)/.dev-installed

sample: setup
	$(BIN)/clientcare sample --out $(SAMPLE) --params-dir params

demo: sample
	$(BIN)/python scripts/demo.py

test: dev
	$(BIN)/ruff check toolkit tests bench scripts
	$(BIN)/python -m pytest
	$(BIN)/clientcare sample --out $(SAMPLE) --params-dir params
	$(BIN)/python -m pytest --nbval-lax notebooks/ -p no:cacheprovider

bench: dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf outputs $(SAMPLE) params/branches params/clients .pytest_cache .ruff_cache
