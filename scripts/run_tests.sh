#!/usr/bin/env bash
# Runs the whole test suite with what it needs: an offscreen Qt platform and a PulseAudio null sink as
# virtual microphone/speaker (see tests/live). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export PYTHONUNBUFFERED=1
# numba (librosa) caches compiled code beside the package; test processes running at once (batch workers) must
# not write into the venv's copy together
export NUMBA_CACHE_DIR=${NUMBA_CACHE_DIR:-$(mktemp -d)}
source scripts/virtual_audio.sh
if ! start_virtual_audio; then
  if [ "${CI:-}" = "true" ]; then
    echo "error: the PulseAudio virtual audio device did not start (scripts/virtual_audio.sh); CI needs it" >&2
    exit 1
  fi
  echo "warning: no virtual audio device; live/playback tests will be skipped"
fi
"$VENV/bin/python" -m pytest -ra -p no:cacheprovider "$@"
rc=$?
stop_virtual_audio
exit $rc
