"""Model downloads from a local HTTP server on 127.0.0.1: success, interrupted-and-resumed, corrupt -> refused."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from workbench.core.download import DownloadError, download, hf_url
from workbench.core.errors import JobCancelled, ModelUnavailableError
from workbench.core.models import ModelChecksumError, ModelSpec, ModelStore

PAYLOAD = np.random.default_rng(7).integers(0, 256, 300_000, dtype=np.uint8).tobytes()
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """Serves PAYLOAD at /good.bin (Range supported), a cut-short stream at /flaky.bin on its first
    request, and a damaged copy at /corrupt.bin. Records the Range headers it saw."""

    ranges: list[str | None] = []
    flaky_calls = 0

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        cls = type(self)
        cls.ranges.append(self.headers.get("Range"))
        body = PAYLOAD
        if self.path == "/corrupt.bin":
            body = PAYLOAD[:-1] + bytes([PAYLOAD[-1] ^ 0xFF])
        elif self.path not in ("/good.bin", "/flaky.bin"):
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if self.path == "/flaky.bin" and cls.flaky_calls == 0:
            cls.flaky_calls += 1
            self.wfile.write(body[start:start + 100_000])  # then drop the connection
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _store(tmp_path, base: str, file_url: str, sha: str = DIGEST) -> ModelStore:
    spec = ModelSpec(id="toy", task="test", name="Toy model", licence="MIT", files=("weights.bin",),
                     sha256={"weights.bin": sha}, urls={"weights.bin": f"{base}/{file_url}"})
    return ModelStore([spec], cache_dir=tmp_path / "cache")


def test_fetch_downloads_verifies_and_reports_progress(server, tmp_path):
    store = _store(tmp_path, server, "good.bin")
    assert not store.is_available("toy")
    seen = []
    folder = store.fetch("toy", progress=lambda f, text: seen.append(f))
    assert (folder / "weights.bin").read_bytes() == PAYLOAD
    assert not (folder / "weights.bin.part").exists()
    assert store.locate("toy") == (folder, "cache")
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen) and len(seen) > 2
    assert store.verify("toy") == []


def test_interrupted_download_resumes_with_range(server, tmp_path):
    _Handler.flaky_calls, _Handler.ranges[:] = 0, []
    store = _store(tmp_path, server, "flaky.bin")
    with pytest.raises(DownloadError, match="resume"):
        store.fetch("toy")
    part = store.cache_dir / "toy" / "weights.bin.part"
    assert part.stat().st_size == 100_000  # partial file kept
    folder = store.fetch("toy")
    assert (folder / "weights.bin").read_bytes() == PAYLOAD
    assert _Handler.ranges[-1] == "bytes=100000-"  # only the missing bytes were asked for


def test_corrupt_download_is_removed_and_refused(server, tmp_path):
    store = _store(tmp_path, server, "corrupt.bin")
    with pytest.raises(DownloadError, match="corrupt.*sha256.*removed"):
        store.fetch("toy")
    folder = store.cache_dir / "toy"
    assert not (folder / "weights.bin").exists() and not (folder / "weights.bin.part").exists()
    assert not store.is_available("toy")


def test_cancel_keeps_partial_file(server, tmp_path):
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(JobCancelled):
        download(f"{server}/good.bin", tmp_path / "w.bin", DIGEST, cancelled=cancelled)
    assert (tmp_path / "w.bin.part").exists() and not (tmp_path / "w.bin").exists()
    assert download(f"{server}/good.bin", tmp_path / "w.bin", DIGEST) == DIGEST  # resumes to the end


def test_unreachable_server_gives_clear_error(tmp_path):
    with pytest.raises(DownloadError, match="127.0.0.1.*failed"):
        download("http://127.0.0.1:9/x.bin", tmp_path / "x.bin", timeout=2)


def test_damaged_file_in_cache_is_refused_when_loaded(server, tmp_path):
    store = _store(tmp_path, server, "good.bin")
    folder = store.fetch("toy")
    (folder / "weights.bin").write_bytes(b"not the model")
    with pytest.raises(ModelChecksumError, match="refused.*sha256"):
        store.cached_load("toy", "cpu", lambda p: p.read_bytes())
    assert store.verify("toy") and "does not match" in store.verify("toy")[0]


def test_missing_model_message_says_how_to_get_it(tmp_path):
    spec = ModelSpec(id="gone", task="t", name="Gone", licence="MIT", files=("a.bin",), hf_repo="org/repo")
    store = ModelStore([spec], cache_dir=tmp_path)
    with pytest.raises(ModelUnavailableError, match="workbench models fetch gone"):
        store.path("gone")
    assert spec.download_urls() == {"a.bin": "https://huggingface.co/org/repo/resolve/main/a.bin"}
    assert hf_url("Systran/faster-whisper-small", "model.bin") == (
        "https://huggingface.co/Systran/faster-whisper-small/resolve/main/model.bin")
