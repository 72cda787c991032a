"""Subtitles and plain text for Segments/Words: SubRip (.srt), WebVTT (.vtt) and plain text (.text)."""

from __future__ import annotations

from pathlib import Path

from ..audio import AudioBuffer
from ..layers import Segments, Words
from .atomic import write_text


def timestamp(seconds: float, sep: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT; ``sep='.'`` gives WebVTT's ``HH:MM:SS.mmm``), rounded to the millisecond."""
    ms = max(0, int(round(float(seconds) * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(layer: Segments):
    """(start, end, text) per non-empty entry; end is at least 1 ms after start (players drop empty cues).
    Entries with a speaker (``metadata["speakers"]``, one name per entry) start with ``[Speaker 1]``."""
    speakers = layer.metadata.get("speakers") or []
    speakers = speakers if len(speakers) == len(layer.texts) else [""] * len(layer.texts)
    for a, b, text, who in zip(layer.starts, layer.ends, layer.texts, speakers):
        text = " ".join(str(text).split())  # a blank line would end the cue
        if text and who:
            text = f"[{who}] {text}"
        if text:
            yield float(a), max(float(b), float(a) + 0.001), text


EMPTY_SRT = "1\n00:00:00,000 --> 00:00:00,001\n\n"  # one cue without text


def segments_srt(layer: Segments, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """SubRip: numbered cues ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` followed by the text and a blank line."""
    blocks = [f"{n}\n{timestamp(a)} --> {timestamp(b)}\n{text}\n"
              for n, (a, b, text) in enumerate(_cues(layer), 1)]
    # A 0-byte file is not SubRip to ffmpeg and players: with nothing said, write one cue with no text.
    return [write_text(path, "\n".join(blocks) or EMPTY_SRT)]


def _vtt_escape(text: str) -> str:
    # WebVTT cue text treats '&' and '<' as markup and a literal '-->' would end the timing line.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def segments_vtt(layer: Segments, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """WebVTT: a ``WEBVTT`` header, then cues ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` and their text."""
    blocks = ["WEBVTT\n"] + [f"{timestamp(a, '.')} --> {timestamp(b, '.')}\n{_vtt_escape(text)}\n"
                             for a, b, text in _cues(layer)]
    return [write_text(path, "\n".join(blocks))]


def segments_txt(layer: Segments, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Plain text: one line per segment; for Words, the words joined with spaces."""
    if isinstance(layer, Words):
        text = layer.text + "\n" if layer.text else ""
    else:
        text = "".join(t + "\n" for _, _, t in _cues(layer))
    return [write_text(path, text)]
