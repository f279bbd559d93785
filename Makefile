# The two commands a newcomer runs: `make demo` and `make test`.
# Both create .venv and install the project into it; both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,piper]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/broadcast build seeds/npr-wpsu-putin-kim-meeting.txt

# Two workers, one test file each at a time: a file's shared (module-scoped) build is made once.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check broadcast tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/build_speed.py

clean:
	rm -rf $(VENV) output/*/ output/feed.xml
