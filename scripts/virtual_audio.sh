# Source this file: start_virtual_audio makes a PulseAudio null sink "virt" whose monitor is the default
# source, so what is played into the sink can be recorded back (a virtual microphone). stop_virtual_audio ends it.
start_virtual_audio() {
  command -v pulseaudio >/dev/null || return 1
  export WORKBENCH_VIRTUAL_AUDIO_DIR=${WORKBENCH_VIRTUAL_AUDIO_DIR:-$(mktemp -d)}
  export XDG_RUNTIME_DIR=$WORKBENCH_VIRTUAL_AUDIO_DIR
  export PULSE_RUNTIME_PATH=$WORKBENCH_VIRTUAL_AUDIO_DIR/pulse
  pulseaudio --kill >/dev/null 2>&1 || true
  local args=(--start --exit-idle-time=-1 -n --load=module-native-protocol-unix
              "--load=module-null-sink sink_name=virt" --load=module-always-sink)
  [ "$(id -u)" -eq 0 ] && args=(--system=false "${args[@]}")
  pulseaudio "${args[@]}" >/dev/null 2>&1 || return 1
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl set-default-source virt.monitor >/dev/null 2>&1 || return 1
  pactl set-default-sink virt >/dev/null 2>&1 || true
  export WORKBENCH_VIRTUAL_MIC=1
}
stop_virtual_audio() {
  [ -n "${WORKBENCH_VIRTUAL_MIC:-}" ] && pulseaudio --kill >/dev/null 2>&1
  return 0
}
