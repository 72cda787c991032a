"""The view a project remembers: time zoom and scroll, frequency range (Hz), spectrogram settings, the track
shown, the channel and the inspect options. Plain JSON-able dicts (stored as ``Session.view_state``)."""

from __future__ import annotations

import logging
from dataclasses import asdict, fields, replace

import numpy as np

log = logging.getLogger(__name__)


def capture_view_state(window) -> dict:
    """What the window shows now, as a dict for the project file."""
    pane = window.pane
    state: dict = {}
    if pane.audio is None:
        return state
    t0, t1 = pane.time_range()
    state["time_range"] = [t0, t1]
    if pane.freq_axis is not None:
        _, (y0, y1) = pane.vb.viewRange()
        top = pane.freq_axis.n_rows - 0.5
        state["freq_range_hz"] = [float(pane.freq_axis.from_position(float(np.clip(y, -0.5, top)))) for y in (y0, y1)]
    if pane.settings is not None:
        state["settings"] = asdict(pane.settings)
    state["channel"] = pane.channel
    state["source"] = pane.source_name or ""
    inspect = getattr(window, "inspect", None)
    if inspect is not None:
        state.update(inspect.options())
    return state


def restore_view_state(window, state: dict) -> None:
    """Show ``state`` (from :func:`capture_view_state`); unknown or damaged entries are skipped."""
    if not state or window.pane.audio is None:
        return
    pane = window.pane
    try:
        saved = state.get("settings")
        if isinstance(saved, dict):
            known = {f.name for f in fields(window.view_controls.settings)}
            settings = replace(window.view_controls.settings, **{k: v for k, v in saved.items() if k in known})
            window.view_controls.set_settings(settings)
            window._settings_changed(settings)
        ch = state.get("channel")
        if isinstance(ch, int) and 0 <= ch < pane.audio.channels:
            i = window.channel_combo.findData(ch)
            if i >= 0:
                window.channel_combo.setCurrentIndex(i)
        inspect = getattr(window, "inspect", None)
        if inspect is not None:
            inspect.set_options(state)
        tr = state.get("time_range")
        if isinstance(tr, list) and len(tr) == 2:
            pane.set_time_range(float(tr[0]), float(tr[1]))
        fr = state.get("freq_range_hz")
        if isinstance(fr, list) and len(fr) == 2 and pane.freq_axis is not None:
            lo, hi = (float(pane.freq_axis.to_position(max(float(f), 1e-3))) for f in fr)
            if np.isfinite(lo) and np.isfinite(hi) and hi - lo >= 1:
                pane.vb.setYRange(lo, hi, padding=0)
    except (TypeError, ValueError) as exc:  # a hand-edited view must not stop the project from opening
        log.warning("view state not restored: %s", exc)
