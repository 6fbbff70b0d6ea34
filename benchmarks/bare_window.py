"""The baseline for benchmarks/startup.py: a bare PySide6 window, timed from process start to
its first paint exactly as `coachdesk --smoke` times itself."""

from __future__ import annotations

import os
import time


def process_start_time() -> float:
    with open("/proc/self/stat", encoding="ascii") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as f:
        uptime = float(f.read().split()[0])
    return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    started = process_start_time()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    window = QLabel("Hello")
    window.resize(1200, 800)

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                QTimer.singleShot(0, report)
            return False

    def report() -> None:
        print(f"startup_ms={round((time.time() - started) * 1000)}", flush=True)
        app.quit()

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
