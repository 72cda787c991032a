"""A file shown while it decodes: its spectrogram fills from the left as blocks arrive, as in Sonic Visualiser.

The decoder writes into one zero-filled array that the previews share (``DecodePreview.samples``). A provider
made on that array with a moving frontier stores only tiles whose frames are all decoded, so when the decode
ends the window keeps that provider and its tiles; the pane just asks again for the ones that reached past
the frontier. The document itself gets the audio only when the whole file is there (plugins never see half).
"""

from __future__ import annotations

import time

import numpy as np

from workbench.core.audio import AudioBuffer


REFRESH_EVERY = 0.3  # s between redraws of the growing decoded part


class _Decoding:
    def __init__(self, preview, device: str):
        from workbench.core.spectrogram_view import SpectrogramProvider

        self.path, self.samples, self.frames = preview.path, preview.samples, preview.decoded_frames
        self.buffer = AudioBuffer.adopt(preview.samples, preview.sample_rate, source=preview.path)
        self.provider = SpectrogramProvider(self.buffer, device=device, decoded=lambda: self.frames)
        self.refreshed = time.monotonic()


class DecodingView:
    """Owned by the main window: ``preview(p)`` for each DecodePreview, ``take(audio)`` when the decode ended
    (the provider to keep, or None), ``abandon()`` when it failed."""

    def __init__(self, window):
        self.w = window
        self.active: _Decoding | None = None

    def preview(self, preview) -> None:
        if getattr(preview, "samples", None) is None or not preview.decoded_frames:
            return
        act = self.active
        if act is None or act.samples is not preview.samples:
            act = self.active = _Decoding(preview, self.w.compute_device)
            self.w.pane.set_audio(act.buffer, act.provider, self.w.view_controls.settings)
        else:
            act.frames = preview.decoded_frames
            now = time.monotonic()
            # Rendering competes with the decoder for the CPU; until torch has loaded (its FFT is ~7x numpy's)
            # the first image stays, instead of taking the decoder's CPU for the rest.
            warm = getattr(self.w, "warmed_up", None)
            if now - act.refreshed >= REFRESH_EVERY and (warm is None or warm.is_set()):
                act.refreshed = now
                self.w.pane.bridge.refresh()

    def take(self, audio: AudioBuffer):
        """The provider that was drawing ``audio`` while it decoded, now complete; None for another buffer."""
        act, self.active = self.active, None
        if act is None or audio.samples.shape != act.buffer.samples.shape \
                or not np.shares_memory(audio.samples, act.buffer.samples):
            return None
        act.provider.finish_decoding(audio)
        return act.provider

    def abandon(self) -> None:
        """The file could not be opened: show the document's audio again (or nothing)."""
        if self.active is None:
            return
        self.active = None
        if self.w.doc.audio is not None and self.w.provider is not None:
            self.w.pane.set_audio(self.w.doc.audio, self.w.provider, self.w.view_controls.settings)
            self.w.overview.set_duration(self.w.doc.audio.duration)
            self.w.pane.bridge.request_overview(max(400, self.w.overview.width()))
        else:
            self.w.pane.show_nothing()
            self.w.overview.set_duration(1.0)
