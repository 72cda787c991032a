"""Downloads have limits: a server that trickles (one byte at a time) is given up on as stalled, keeping the
partial file; a damaged downloaded model is re-downloaded by `models fetch --repair`; a model without a
published checksum gets a note that its first download was trusted."""

from __future__ import annotations

import argparse
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workbench.cli import models as model_commands
from workbench.core.download import DownloadError, download
from workbench.core.models import ModelChecksumError, ModelSpec, ModelStore

PAYLOAD = bytes(range(256)) * 400  # 100 KB
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.path == "/trickle.bin":  # one byte every 50 ms for at most 4 s, then hang up
            t0 = time.monotonic()
            for b in PAYLOAD:
                if time.monotonic() - t0 > 4.0:
                    return
                try:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)
            return
        self.wfile.write(PAYLOAD)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_trickling_server_is_given_up_on_as_stalled(server, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match="stalled") as err:
        download(f"{server}/trickle.bin", tmp_path / "w.bin", DIGEST, stall_seconds=1.0, stall_bytes=1000)
    assert time.monotonic() - t0 < 3.5  # gave up after about one stall window, before the server hung up
    assert "resume" in str(err.value) and (tmp_path / "w.bin.part").is_file() and not (tmp_path / "w.bin").exists()


def _download_spec(base: str, sha: dict) -> ModelSpec:
    return ModelSpec(id="dl", task="test", name="Downloaded", licence="MIT", files=("w.bin",), sha256=sha,
                     urls={"w.bin": f"{base}/good.bin"})


def test_damaged_download_is_repaired_by_fetch_repair(server, tmp_path, capsys):
    store = ModelStore([_download_spec(server, {"w.bin": DIGEST})], cache_dir=tmp_path / "c")
    path = store.fetch("dl") / "w.bin"
    path.write_bytes(b"bit rot")
    with pytest.raises(ModelChecksumError, match="workbench models fetch dl --repair"):
        ModelStore([_download_spec(server, {"w.bin": DIGEST})], cache_dir=tmp_path / "c").path("dl")
    assert model_commands.run(argparse.Namespace(models_command="fetch", model_id="dl", repair=True), store) == 0
    assert path.read_bytes() == PAYLOAD


def test_first_download_without_a_published_checksum_is_announced(server, tmp_path, capsys):
    store = ModelStore([_download_spec(server, {})], cache_dir=tmp_path / "c")
    assert model_commands.run(argparse.Namespace(models_command="fetch", model_id="dl", repair=False), store) == 0
    assert "no published checksum" in capsys.readouterr().err
    (tmp_path / "c" / "dl" / "w.bin").write_bytes(b"changed later")  # the recorded sum now catches damage
    with pytest.raises(ModelChecksumError):
        ModelStore([_download_spec(server, {})], cache_dir=tmp_path / "c").path("dl")
