from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout


class PeaksDialog(QDialog):
    def __init__(self, parent=None, duration: float = 0.0):
        super().__init__(parent)
        self.setWindowTitle("Example peaks")
        layout = QVBoxLayout(self)
        self.label = QLabel(f"The open document lasts {duration:.1f} s")
        layout.addWidget(self.label)


def open_dialog(parent, host):
    audio = getattr(getattr(host, "doc", None), "audio", None)
    return PeaksDialog(parent, audio.duration if audio is not None else 0.0)
