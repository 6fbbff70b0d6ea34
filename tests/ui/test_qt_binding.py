"""The Qt binding must not leak references to Python's singletons: PySide6 6.12.0 on Python 3.11
dropped one reference to None per void C++ call and aborted the app after a few thousand calls
(a coach typing notes all day would lose the window). pyproject.toml excludes that release."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(bool)


def test_void_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
        label.setVisible(False)
    assert sys.getrefcount(None) - before > -50


def test_signal_emits_keep_true_alive(qtbot) -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(True)
    assert len(received) == 200
    assert sys.getrefcount(True) - before > -50


def test_worker_shuts_down_once_and_quickly(qapp) -> None:
    """The window's close and the app's exit both shut the worker down; the second must not wait."""
    import time

    from coachdesk.ui.worker import VaultWorker

    worker = VaultWorker()
    results: list[int] = []
    worker.run(lambda _holder: 42, results.append)
    worker.shutdown()
    started = time.monotonic()
    worker.shutdown()
    assert time.monotonic() - started < 5
    qapp.processEvents()
    assert results == [42]
