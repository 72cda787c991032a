"""Cover-search plugin: the open file (or selection) against the library; returns a Matches layer.

Alignment times are seconds from the start of the audio handed to the plugin (the selection) and of each item.
"""

from __future__ import annotations

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.layers import Matches
from workbench.core.plugin_api import JobContext

from .features import analyse_samples
from .library import Library, default_library_path
from .query import CoverSearcher


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Matches]:
    path = params.get("library") or default_library_path()
    ctx.progress(0.0, "analysing the query")
    feats = analyse_samples(audio.mono_samples, audio.sample_rate)
    ctx.progress(0.2, "searching")
    with Library(path) as lib:
        if len(lib) == 0:
            raise WorkbenchError(f"The library {lib.path} is empty: add a folder of music first")
        searcher = CoverSearcher(lib)
        exclude = str(audio.source) if audio.source is not None else None
        matches = searcher.query(feats, params["top_k"], params["rerank"], exclude=exclude,
                                 progress=lambda f, t: ctx.progress(0.2 + 0.8 * f, t))
    return [Matches(name=f"covers of {audio.name or 'query'}", matches=matches,
                    metadata={"library": str(path), "library_size": searcher.size})]
