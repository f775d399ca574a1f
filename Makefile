# The two quick-start commands are `make demo` and `make test`; each installs what it needs first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench system-deps bundle templates clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[test,bundle,data]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(VENV)/bin/pqa demo out/demo.xlsx

system-deps:
	scripts/system-deps.sh

test: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen PQA_REQUIRE_LIBREOFFICE=1 $(PY) -m pytest -n 2 -q

# A large council's year, generated once into out/bench-data; times, memory, references and targets (issue 6).
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/bench.py --runs $${BENCH_RUNS:-3}

templates: $(STAMP)
	$(VENV)/bin/pqa templates workbook_templates

bundle: $(STAMP)
	scripts/build_bundle.sh

clean:
	rm -rf build dist out
