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
	# The distribution was called "broadcast" until 0.1.0; drop that install before the
	# new one writes the same `broadcast` command (no-op in a fresh .venv).
	$(BIN)/python -m pip uninstall --quiet --yes broadcast
	$(BIN)/python -m pip install --quiet -e '.[test,piper,dask]'
	# Bytecode now, as a wheel install does: an editable install leaves every build to compile
	# the package's modules again when PYTHONDONTWRITEBYTECODE is set (about 0.05 s a build).
	$(BIN)/python -m compileall -q broadcast
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/broadcast build seeds/npr-wpsu-putin-kim-meeting.txt

# The demo's feed for a podcast app on this machine: http://localhost:8000/feed.xml (show.toml's base_url).
.PHONY: serve
serve:
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory output

# Two workers, one test file each at a time: a file's shared (module-scoped) build is made once.
# tools/ensure-browser installs chromium + chromedriver for the review page tests when they are missing.
test: $(STAMP)
	bash tools/ensure-browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check broadcast tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/build_speed.py
	$(BIN)/python benchmarks/rebuild_speed.py
	$(BIN)/python benchmarks/length_scaling.py --configs built-in
	$(BIN)/python benchmarks/batch_speed.py

# How the plain-text extractor does on the labelled corpus in ../shared/corpus (or $$BROADCAST_CORPUS).
eval: $(STAMP)
	$(BIN)/python benchmarks/extraction_eval.py

# The same judgement by 5-fold cross-validation over pages, for the rules and the trained line models.
eval-cv: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python benchmarks/train_line_model.py

clean:
	rm -rf $(VENV) output/*/ output/feed.xml
