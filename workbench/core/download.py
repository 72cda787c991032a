"""HTTP(S) downloads of model files: progress, cancel, resume with HTTP Range, sha256 check, atomic rename.

The file is written to ``<dest>.part``; an interrupted download leaves that partial file so the next attempt
asks the server only for the missing bytes (``Range: bytes=N-``). Once complete, the sha256 is checked and the
file renamed into place in one step, so a half-written file is never mistaken for a model. A corrupt file
(wrong checksum) is deleted and reported. Uses only the standard library (urllib); no Qt.

Threading: :func:`download` blocks; run it in a worker thread. ``cancelled`` is polled between blocks.

Limits: no single read waits longer than ``timeout`` seconds, and a server that trickles (fewer than
``stall_bytes`` in any ``stall_seconds``, e.g. one byte every 10 s) is given up on as stalled, keeping the
partial file for a resume; reads return what has arrived (``read1``) so the check runs while data trickles.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from .errors import JobCancelled, WorkbenchError

BLOCK = 1 << 16  # bytes read per step; small enough for a responsive cancel
ProgressFn = Callable[[float, int], None]  # (fraction 0..1 or -1 when the size is unknown, bytes so far)


class DownloadError(WorkbenchError):
    """A download failed (network, HTTP status, checksum). The message names the URL and the reason."""


def hf_url(repo: str, file: str, revision: str = "main") -> str:
    """Plain HTTPS URL of a file in a Hugging Face model repository (no client library needed)."""
    return f"https://huggingface.co/{repo}/resolve/{revision}/{file}"


def _sha256_file(path: Path, h: "hashlib._Hash | None" = None) -> "hashlib._Hash":
    h = h or hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h


def download(
    url: str,
    dest: Path,
    sha256: str = "",
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    timeout: float = 30.0,
    stall_seconds: float = 60.0,
    stall_bytes: int = 32 * 1024,
) -> str:
    """Download ``url`` to ``dest`` (resuming ``dest.part`` when present); returns the file's sha256 (hex).

    Raises :class:`DownloadError` (partial file kept, so a retry resumes) on network errors,
    :class:`DownloadError` (partial file removed) when the checksum does not match ``sha256``, and
    :class:`JobCancelled` (partial file kept) when ``cancelled()`` turns true.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "audio-workbench"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # range past the end: the partial file is already complete
            return _finish(part, dest, sha256, url)
        raise DownloadError(f"Download of {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise DownloadError(f"Download of {url} failed: {getattr(exc, 'reason', exc)} (are you online?)") from None

    with response:
        status = getattr(response, "status", 200)
        if have and status != 206:  # the server ignored the Range header: start again from zero
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else -1
        done = have
        read = getattr(response, "read1", response.read)  # read1: what has arrived, not a full block
        window_start, window_bytes = time.monotonic(), 0
        try:
            with open(part, "ab" if have else "wb") as out:
                while True:
                    if cancelled and cancelled():
                        raise JobCancelled()
                    block = read(BLOCK)
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    window_bytes += len(block)
                    if progress:
                        progress(done / total if total > 0 else -1.0, done)
                    now = time.monotonic()
                    if now - window_start >= stall_seconds:
                        if window_bytes < stall_bytes:
                            raise DownloadError(
                                f"Download of {url} stalled: only {window_bytes} bytes in the last "
                                f"{now - window_start:.0f} s ({done} bytes so far, kept); run it again to resume")
                        window_start, window_bytes = now, 0
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise DownloadError(
                f"Download of {url} was interrupted after {done} bytes ({exc}); run it again to resume"
            ) from None
    if total > 0 and done < total:
        raise DownloadError(f"Download of {url} was interrupted after {done} of {total} bytes; run it again to resume")
    return _finish(part, dest, sha256, url)


def _finish(part: Path, dest: Path, sha256: str, url: str) -> str:
    digest = _sha256_file(part).hexdigest()
    if sha256 and digest != sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"Download of {url} is corrupt: sha256 {digest[:12]}... does not match the expected "
            f"{sha256[:12]}...; the file was removed"
        )
    os.replace(part, dest)  # atomic on the same file system
    return digest
