"""Make screenshots of the main window on real renderings (for docs and visual checks).

    python -m workbench.gui.screenshots OUT_DIR

Renders a melody with fluidsynth (General MIDI soundfont) and a sentence with espeak-ng, runs the real
pitch and notes plugins on them, and saves PNGs of the window with the resulting layers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
MELODY = [(72, 0.5), (74, 0.5), (76, 0.5), (77, 0.5), (79, 1.0), (77, 0.5), (76, 0.5), (74, 0.5), (72, 1.0)]


def render_melody(path: Path, program: int = 73, sr: int = 22050) -> Path:
    """A flute melody rendered by fluidsynth from a MIDI file written with mido."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=500000))
    tr.append(mido.Message("program_change", program=program, time=0))
    for note, beats in MELODY:
        tr.append(mido.Message("note_on", note=note, velocity=96, time=0))
        tr.append(mido.Message("note_off", note=note, velocity=0, time=int(beats * 480)))
    midi = path.with_suffix(".mid")
    mid.save(str(midi))
    subprocess.run(["fluidsynth", "-ni", "-g", "0.8", "-r", str(sr), "-F", str(path), SOUNDFONT, str(midi)],
                   check=True, capture_output=True)
    return path


def render_speech(path: Path, text: str = "The quick brown fox jumps over the lazy dog.") -> Path:
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    return path


def run_plugin(plugin_id: str, audio, **params):
    from workbench.core.jobs import JobRunner
    from workbench.core.registry import default_registry

    runner = JobRunner(max_workers=1)
    job = runner.submit_plugin(default_registry().get(plugin_id), audio, params)
    job.wait()
    runner.shutdown()
    if job.error:
        raise RuntimeError(job.error)
    return job.result


def open_and_wait(window, app, path: Path) -> None:
    from PySide6.QtCore import QElapsedTimer

    opened = []
    window.file_opened.connect(opened.append)
    window.files.open_paths([str(path)])
    timer = QElapsedTimer()
    timer.start()
    while not opened and timer.elapsed() < 30000:
        app.processEvents()


def shoot(window, app, path: Path) -> None:
    from PySide6.QtCore import QElapsedTimer

    timer = QElapsedTimer()
    timer.start()
    while not window.pane.is_up_to_date() and timer.elapsed() < 30000:
        app.processEvents()
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(path))
    print(f"saved {path}")


def main(out_dir: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from workbench.core.layers import Tracks
    from workbench.gui.app import create_app, create_window
    from workbench.gui.settings_store import SettingsStore

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    app = create_app()
    store = SettingsStore(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    if shutil.which("fluidsynth") and Path(SOUNDFONT).exists():
        melody = render_melody(tmp / "flute_melody.wav")
        w = create_window([], settings=store)
        w.resize(1500, 900)
        open_and_wait(w, app, melody)
        audio = w.doc.audio
        w.doc.add_layers(run_plugin("pitch", audio) + run_plugin("notes", audio))
        for kind in ("cqt", "stft", "mel"):
            w.view_controls.set_kind(kind)
            shoot(w, app, out / f"melody_{kind}.png")
        w.close()
    if shutil.which("espeak-ng"):
        speech = render_speech(tmp / "sentence.wav")
        w = create_window([], settings=store)
        w.resize(1500, 900)
        open_and_wait(w, app, speech)
        audio = w.doc.audio
        from scipy.signal import butter, sosfiltfilt

        sos = butter(4, 1000, "highpass", fs=audio.sample_rate, output="sos")
        from workbench.core.audio import AudioBuffer

        hp = AudioBuffer(sosfiltfilt(sos, audio.samples, axis=-1).astype("float32"), audio.sample_rate, name="highpass")
        layers = run_plugin("pitch", audio)
        for plugin_id in ("asr", "vad", "audioset"):  # lanes: words, speech regions, tag heat map
            try:
                layers += [layer for layer in run_plugin(plugin_id, audio) if layer.kind != "segments"]
            except Exception as exc:  # a missing model only leaves its lane out of the picture
                print(f"{plugin_id} skipped: {exc}")
        w.doc.add_layers(layers + [Tracks(name="high-passed", tracks={"high-passed": hp})])
        from dataclasses import replace

        w.view_controls.set_settings(replace(w.view_controls.settings, kind="stft", freq_scale="log", fmax=6000.0))
        w.view_controls.settings_changed.emit(w.view_controls.settings)
        w.pane.set_selection(0.4, 1.1)
        shoot(w, app, out / "speech_stft.png")
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gui_shots"))
