from workbench.core.contributions import Command, Exporter, LayerKind, Widget
from workbench.core.params import Float
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="example_peaks",
    name="Example: loudness peaks",
    module="wb_example_plugin.plugin",
    category="analysis",
    description="Times where the signal's 50 ms RMS is a local maximum above a threshold.",
    outputs=("peaks",),
    params=(Float("threshold_db", default=-30.0, range=(-90.0, 0.0), unit=" dB"),),
    layer_kinds=(LayerKind("peaks", "wb_example_plugin.layers:Peaks", renderer="wb_example_plugin.render:PeaksLane"),),
    exporters=(Exporter("peaks", ".peaks", "wb_example_plugin.layers:write_peaks", "one 'time level' line a peak"),),
    commands=(Command("peaks", "print the loudness peaks of a file", "wb_example_plugin.cli"),),
    widgets=(Widget("example-peaks", "Example &peaks…", "wb_example_plugin.widget:open_dialog"),),
)
