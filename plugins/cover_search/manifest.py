"""Manifest of the cover-search plugin (light: no analysis code imported)."""

from workbench.core.params import Int, Text
from workbench.core.contributions import Command, LiveProcessor, Widget
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="cover_search",
    name="Cover search",
    module="workbench_plugins.cover_search.plugin",
    category="music",
    description="Finds other versions (covers, transposed or faster/slower renditions) of the audio in a music "
                "library: chroma embeddings for candidates, Qmax alignment with key transposition for ranking.",
    outputs=("matches",),
    params=(
        Text("library", default="", help="library database file (empty: the default library)"),
        Int("top_k", default=10, range=(1, 1000), help="number of matches returned"),
        Int("rerank", default=50, range=(0, 2000), help="candidates re-ranked by alignment"),
    ),
    commands=(Command("library", "cover-search library: add folders, rescan, query",
                      "workbench_plugins.cover_search.cli"),),
    widgets=(Widget("cover-library", "Cover-song &library…", "workbench_plugins.cover_search.dialog:open_dialog"),),
    live=(LiveProcessor(id="identify", title="Identify song",
                        factory="workbench_plugins.cover_search.live_identify:make_processor", hop_s=0.5),),
)
