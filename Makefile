# The two quick-start commands are `make demo` and `make test`; each installs what it needs first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

BUILD_ONLY := $(VENV)/build-only
BUILD_ONLY_STAMP := $(BUILD_ONLY)/.installed

.PHONY: demo test fuzz bench system-deps bundle templates comparators clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[test,bundle]"
	touch $(STAMP)

# pyarrow reads the DfE LAIT data (Parquet) for scripts/build_published_comparators.py only. It is kept out
# of the virtual environment itself: pandas uses pyarrow-backed strings whenever it can import pyarrow, and the
# app (and so the tests) must run as the bundle does, without it.
$(BUILD_ONLY_STAMP): constraints.txt
	$(PY) -m pip install -q --no-deps -c constraints.txt --target $(BUILD_ONLY) pyarrow
	touch $(BUILD_ONLY_STAMP)

# Rebuild resources/published_comparators.json (and the docs' pairing tables) from the LAIT download.
comparators: $(STAMP) $(BUILD_ONLY_STAMP)
	$(PY) scripts/build_published_comparators.py $${LAIT:-../shared/data/dfe-lait} --docs docs/published-comparators.md

demo: $(STAMP)
	mkdir -p out
	$(VENV)/bin/pqa demo out/demo.xlsx

system-deps:
	scripts/system-deps.sh

# Bytecode compiled once and kept, as pip and the bundle have it: with PYTHONDONTWRITEBYTECODE set (as on some
# machines, this one included) every xdist worker compiled the package and rewrote every test module's asserts
# again (about 5 s of a worker's start-up), and every command line, spawned worker and fork server the tests
# start compiled the package again (0.2-0.5 s of CPU each). compileall writes whatever that variable says; pytest
# keeps its rewritten test modules only when it is empty.
test: $(STAMP) $(BUILD_ONLY_STAMP) system-deps
	$(PY) -m compileall -q pqa_desktop tests scripts
	PYTHONDONTWRITEBYTECODE= QT_QPA_PLATFORM=offscreen PQA_REQUIRE_LIBREOFFICE=1 $(PY) -m pytest -n 2 --dist worksteal -q

# The long reliability profiles (issue 15): 10,000 mutations per input format (.xlsx, .xls, .ods, .csv, .eml,
# .msg, .zip), 200 mutated folders through the pipeline, 200 SIGKILLs at distinct points of a workspace
# import, and every hostile-input test; the counts are in the warnings summary. About half an hour on two
# cores, so not in `make test` (which runs the seeded 1,000-per-format profile and 50 kills).
fuzz: $(STAMP) system-deps
	PQA_FUZZ_LONG=1 QT_QPA_PLATFORM=offscreen PQA_REQUIRE_LIBREOFFICE=1 $(PY) -m pytest -n 2 --dist worksteal -q -p no:cacheprovider \
		tests/test_fuzz_readers.py tests/test_workspace_kill.py tests/test_hostile_inputs.py \
		tests/test_reader_containment.py tests/test_damaged_inputs.py tests/test_input_volume.py \
		tests/test_csv_text.py tests/test_output_paths.py tests/test_inspect_hidden_text.py

# A large council's year, generated once into out/bench-data; times, memory, references and targets (issue 6).
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench.py --runs $${BENCH_RUNS:-3}

templates: $(STAMP)
	$(VENV)/bin/pqa templates workbook_templates

bundle: $(STAMP)
	scripts/build_bundle.sh

clean:
	rm -rf build dist out
