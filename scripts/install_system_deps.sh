#!/usr/bin/env bash
# System packages the workbench and its tests need. Installs them when run as root (apt-get), otherwise
# says what to install. Safe to run again: it skips packages that are already there.
set -euo pipefail
PKGS=(python3-venv libportaudio2 libsndfile1 pulseaudio pulseaudio-utils espeak-ng fluidsynth fluid-soundfont-gm
      sox xvfb libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}"
  echo "Install them with:  sudo apt-get install ${missing[*]}"
  echo "(PortAudio is needed for playback/capture; PulseAudio, espeak-ng, fluidsynth and xvfb for the tests.)"
  [ "${WORKBENCH_ALLOW_MISSING_SYSTEM_DEPS:-0}" = 1 ] || exit 1
fi
