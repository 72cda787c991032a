# Two commands on a fresh Debian/Ubuntu machine:  `make run` (install + start)  and  `make test` (install + all tests).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install system-deps venv lock benchmarks installer clean

run: install
	$(VENV)/bin/workbench

test: install
	bash scripts/run_tests.sh

install: system-deps venv

system-deps:
	bash scripts/install_system_deps.sh

venv: $(STAMP)

# Everything comes from requirements.lock (exact versions + hashes), never from what the registry serves today.
$(STAMP): requirements.lock pyproject.toml setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

lock:
	bash scripts/lock.sh

benchmarks: install
	$(PY) benchmarks/run_all.py

installer: install
	bash installers/build_linux.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
