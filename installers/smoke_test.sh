#!/usr/bin/env bash
# Smoke test of a built bundle: start the GUI headless on a file (it quits once the window is shown and the file
# is loaded), run the pitch plugin through the bundled CLI, check the f0, and exit cleanly.
# Usage: installers/smoke_test.sh dist/audio-workbench
set -euo pipefail
BUNDLE=${1:-dist/audio-workbench}
EXE="$BUNDLE/workbench"
[ -x "$EXE" ] || { echo "no bundle at $BUNDLE (build it with make installer)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sox -n -r 16000 -b 16 "$tmp/tone.wav" synth 2 sine 220 vol 0.5

echo "1. plugins are discovered in the bundle"
"$EXE" plugins | tee "$tmp/plugins.txt" | head -5
grep -q "^pitch" "$tmp/plugins.txt"

echo "2. GUI starts headless and opens the file"
start=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen WORKBENCH_EXIT_WHEN_SHOWN=1 timeout 120 "$EXE" "$tmp/tone.wav" 2>&1 | tee "$tmp/gui.txt"
end=$(date +%s.%N)
grep -q "window shown" "$tmp/gui.txt"
awk -v a="$start" -v b="$end" 'BEGIN {printf "   process start to exit: %.2f s\n", b - a}'

echo "3. pitch through the bundled CLI"
(cd "$tmp" && env -u PYTHONPATH "$OLDPWD/$EXE" analyze tone.wav --plugin pitch --out f0.csv)
median=$(awk -F, 'NR>1 && $2>0 {print $2}' "$tmp/f0.csv" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "   median f0: $median Hz (expected 220)"
awk -v m="$median" 'BEGIN {exit !(m > 215 && m < 225)}'
echo "smoke test passed"
