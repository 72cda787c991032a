"""Manifest of the DDSP timbre-transfer plugin (light: lists timbre files, imports no torch)."""

from workbench.core.params import Choice, Float
from workbench.core.contributions import Command, Widget
from workbench.core.plugin_api import PluginManifest

from .timbres import available_timbres

_TIMBRES = tuple(available_timbres()) or ("violin",)

MANIFEST = PluginManifest(
    id="ddsp",
    name="DDSP timbre transfer",
    module="workbench_plugins.ddsp.plugin",
    category="synthesis",
    description="Re-synthesises the melody (f0 and loudness) of a monophonic input with a learnt instrument timbre.",
    outputs=("tracks",),
    params=(
        Choice("timbre", default="violin" if "violin" in _TIMBRES else _TIMBRES[0], choices=_TIMBRES,
               help="timbre model (shipped or trained with 'learn this timbre')"),
        Float("pitch_shift", default=0.0, range=(-24.0, 24.0), unit=" st", help="transpose the melody (semitones)"),
        Float("loudness_offset", default=0.0, range=(-30.0, 30.0), unit=" dB",
              help="added to the input loudness after it is matched to the timbre's training level"),
    ),
    models=("torchfcpe", "ddsp-violin", "ddsp-flute"),
    requires=("pitch",),  # f0 of the input comes from the pitch plugin's FCPE
    commands=(Command("ddsp", "DDSP timbre models: train, list", "workbench_plugins.ddsp.cli"),),
    widgets=(Widget("ddsp-train", "Learn this &timbre (DDSP)…", "workbench_plugins.ddsp.dialog:open_dialog"),),
)
