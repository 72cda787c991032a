#!/usr/bin/env bash
# Builds the self-contained Linux bundle: dist/audio-workbench/ (one folder) + a .desktop entry and icon, then
# runs the smoke test on it. Usage: installers/build_linux.sh [--no-smoke]
# Slow (many minutes) and big (torch with its CUDA libraries): run it on its own, e.g. `make installer`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# PyInstaller comes from the lock (the `bundle` extra), like everything else in the bundle
"$VENV/bin/python" -c "import PyInstaller" 2>/dev/null || { echo "PyInstaller missing: run make install" >&2; exit 1; }
rm -rf dist/audio-workbench  # build/pyinstaller is kept: PyInstaller reuses its analysis cache
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist installers/workbench.spec
install -m 644 installers/audio-workbench.desktop dist/audio-workbench/audio-workbench.desktop
install -m 644 resources/app/workbench.png dist/audio-workbench/workbench.png
install -m 755 installers/install_desktop_entry.sh dist/audio-workbench/install_desktop_entry.sh
echo "bundle: dist/audio-workbench ($(du -sh dist/audio-workbench | cut -f1))"
[ "${1:-}" = "--no-smoke" ] || bash installers/smoke_test.sh dist/audio-workbench
