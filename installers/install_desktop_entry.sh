#!/usr/bin/env bash
# Installs the bundle's menu entry and icon for the current user (no root): run it from the unpacked bundle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
apps=${XDG_DATA_HOME:-$HOME/.local/share}/applications
icons=${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps
mkdir -p "$apps" "$icons"
install -m 644 "$here/workbench.png" "$icons/workbench.png"
sed "s|^Exec=workbench|Exec=\"$here/workbench\"|" "$here/audio-workbench.desktop" > "$apps/audio-workbench.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "installed $apps/audio-workbench.desktop"
