#!/usr/bin/env bash
# Builds the macOS one-folder bundle dist/audio-workbench/ with the same spec as Linux, then runs the same smoke
# test. Untested here (the project's CI builds only Linux); see installers/README.md.
# Needs: Python 3.11+, Homebrew `portaudio libsndfile sox espeak-ng` (sox only for the smoke test's tone).
# torch on macOS has no CUDA: plugins run on the CPU (the workbench does not use Apple's MPS device).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e . "pyinstaller>=6.10" pillow
"$VENV/bin/python" -m pip install -q --no-deps -r requirements-nodeps.txt
rm -rf dist/audio-workbench
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist installers/workbench.spec
echo "bundle: dist/audio-workbench ($(du -sh dist/audio-workbench | cut -f1))"
# The smoke test is POSIX shell and works unchanged (process start time falls back to interpreter start on macOS).
[ "${1:-}" = "--no-smoke" ] || bash installers/smoke_test.sh dist/audio-workbench
