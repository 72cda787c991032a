#!/usr/bin/env bash
# Start-up time to a visible main window with a file loaded (offscreen Qt), median of N runs, for the venv and,
# when built, the desktop bundle. The time is measured inside the process from its kernel start time
# (workbench/gui/smoke.py), so it includes interpreter start, imports and the file load.
# Usage: installers/startup_time.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sox -n -r 16000 -b 16 "$tmp/tone.wav" synth 2 sine 220 vol 0.5
measure() {  # label, executable
  [ -x "$2" ] || { echo "$1: not built ($2)"; return; }
  local times=()
  for _ in $(seq "$N"); do
    t=$(WORKBENCH_EXIT_WHEN_SHOWN=1 QT_QPA_PLATFORM=offscreen "$2" "$tmp/tone.wav" 2>/dev/null \
        | sed -n 's/^window shown after \([0-9.]*\) s.*/\1/p')
    times+=("${t:-nan}")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-8s median %s s   runs: %s\n' "$1" "$median" "${times[*]}"
}
echo "time from process start to visible window with the file loaded ($N runs, load average $(cut -d' ' -f1 /proc/loadavg))"
measure venv .venv/bin/workbench
measure bundle dist/audio-workbench/workbench
