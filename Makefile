# Two commands for a newcomer: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment .venv from requirements.txt on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: book test unit notebooks browser lint serve lab bench clean venv student

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

venv: $(STAMP)

# Explorable figures pre-render their frames only while the book is built (demos/explorable.py).
# Executed notebooks are cached by their own contents, so a change in demos/ would leave stale
# outputs on the site: the cache is dropped whenever the package's code or weights change.
DEMOS_HASH = $(shell find demos -type f \( -name '*.py' -o -name '*.pt' \) | sort | xargs cat | sha1sum | cut -c1-16)
book: $(STAMP)
	@if [ "$$(cat _build/.demos-hash 2>/dev/null)" != "$(DEMOS_HASH)" ]; then \
		echo "demos/ changed since the last build: executing every notebook again"; \
		rm -rf _build/.jupyter_cache; fi
	DEMOS_STATIC_EXPLORABLES=1 $(BIN)/jupyter-book build -W -n --keep-going .
	@echo "$(DEMOS_HASH)" > _build/.demos-hash

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -p no:cacheprovider tests/ --nbval-lax notebooks/

unit: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider tests/ -m "not browser"

notebooks: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax notebooks/

browser: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider tests/ -m browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

serve:
	@test -d _build/html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory _build/html

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Student versions (solutions out, stubs and nbgrader metadata in) and nbgrader sources, in _build/.
student: $(STAMP)
	$(BIN)/python -m demos.exercises.student

bench: $(STAMP)
	$(BIN)/python -m demos.bench --write BENCHMARKS.md

clean:
	rm -rf _build
