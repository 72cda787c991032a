"""Double-clicking a cover-search match adds the matched recording, aligned to the query, as an A/B track."""

import numpy as np
import soundfile as sf

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Match, Matches, Tracks


def test_match_opens_time_aligned_as_a_track(make_window, qtbot, tmp_path):
    sr = 22050
    t = np.arange(int(8 * sr)) / sr
    query = AudioBuffer((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sr, name="query")
    item_path = tmp_path / "cover.wav"
    sf.write(item_path, (0.3 * np.sin(2 * np.pi * 330 * np.arange(int(12 * sr)) / sr)).astype(np.float32), sr)
    match = Match(item=str(item_path), score=0.9, title="cover", tempo_ratio=1.5,
                  alignment=[(q, 1.5 * q) for q in np.linspace(0, 7, 15)])
    w = make_window()
    w.show_audio(query)
    layer = Matches(name="covers", matches=[match], metadata={"offset": 0.0})
    w.doc.add_layers([layer])
    w.details.show_layer(layer)
    w.details.match_activated.emit(match)
    qtbot.waitUntil(lambda: any(isinstance(x, Tracks) for x in w.doc.layers), timeout=30000)
    tracks = next(x for x in w.doc.layers if isinstance(x, Tracks))
    (aligned,) = tracks.tracks.values()
    assert aligned.sample_rate == sr
    assert abs(aligned.duration - 12 / 1.5) < 0.2  # played at the query's tempo
    assert tracks.offset == 0.0 and tracks.metadata["item"] == str(item_path)
