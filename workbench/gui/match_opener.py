"""Double-clicking a cover-search match loads that recording, time-aligned to the query by its alignment path,
as a Tracks layer: it gets a lane with mute/solo and is an A/B source at the same playback position."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox


def open_match(window, match, query_offset: float = 0.0) -> None:
    """Start a background job that loads and aligns ``match.item``; its layer is added when ready."""
    if not match.item or not Path(match.item).is_file():
        QMessageBox.warning(window, "Open match", f"The matched file is not there any more: {match.item}")
        return
    if window.doc.audio is None:
        return
    rate, channels = window.doc.audio.sample_rate, window.doc.audio.channels

    def work(ctx):
        from workbench.core.audio_io import load_audio
        from workbench.core.layers import Tracks
        from workbench.core.time_align import align_to_query

        ctx.progress(0.1, "loading the match")
        item = load_audio(match.item)
        ctx.progress(0.4, "aligning to the query")
        aligned, offset = align_to_query(item, match.alignment, rate, channels)
        title = match.title or Path(match.item).stem
        return Tracks(name=f"match: {title}", source="cover_search", tracks={title: aligned},
                      offset=query_offset + offset,
                      metadata={"item": match.item, "tempo_ratio": match.tempo_ratio,
                                "transposition": match.transposition})

    job = window.jobs.submit("Open match", work)

    def finished(job_id: str) -> None:
        if job_id != job.id:
            return
        window.jobs.finished.disconnect(finished)
        if job.error:
            QMessageBox.warning(window, "Open match", job.error)
        elif job.result is not None:
            window.doc.add_layers([job.result], "Open match")
            window.statusBar().showMessage(f"{job.result.name} added: press B to switch A/B", 8000)

    window.jobs.finished.connect(finished)
