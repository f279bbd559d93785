# The two commands a newcomer runs: `make demo` and `make test`.
# Both create .venv and install the project into it; both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench eval eval-cv lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,piper]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/broadcast build seeds/npr-wpsu-putin-kim-meeting.txt

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check broadcast tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/build_speed.py

# How the plain-text extractor does on the labelled corpus in ../shared/corpus (or $$BROADCAST_CORPUS).
eval: $(STAMP)
	$(BIN)/python benchmarks/extraction_eval.py

# The same judgement by 5-fold cross-validation over pages, for the rules and the trained line models.
eval-cv: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python benchmarks/train_line_model.py

clean:
	rm -rf $(VENV) output/*/ output/feed.xml
