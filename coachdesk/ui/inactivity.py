"""Locking the vault when the coach walks away (security.md): an application-wide event filter
restarts a single-shot timer on every key press, click and wheel turn; when it fires, the app
locks. The OS screen lock and suspend lock it too, where the platform tells Qt about them."""

from __future__ import annotations

import logging

from PySide6.QtCore import SLOT, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

log = logging.getLogger("coachdesk.ui.lock")

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.InputMethod,
}


class InactivityTimer(QObject):
    """Emits `idle` after `minutes` with no input anywhere in the application."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._installed = False

    def start(self, milliseconds: int) -> None:
        self._timer.setInterval(max(milliseconds, 1000))
        if not self._installed:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
                self._installed = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False


class SessionWatcher(QObject):
    """Emits `screen_locked` when the OS locks the screen or is about to sleep.

    Linux desktops announce both on D-Bus (org.freedesktop.ScreenSaver ActiveChanged, logind
    PrepareForSleep). Elsewhere, and where no session bus exists, the idle timer and Ctrl+L
    remain; the watcher then stays silent rather than guessing."""

    screen_locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connected: list[str] = []
        try:
            from PySide6.QtDBus import QDBusConnection  # noqa: PLC0415 - optional per platform
        except ImportError:
            return
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for interface in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
                # Any sender: the screen saver's well-known name may not be taken yet at start-up.
                path = "/" + interface.replace(".", "/")
                if session.connect("", path, interface, "ActiveChanged", self, SLOT("screen_saver_changed(bool)")):
                    self.connected.append(interface)
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("sleep_coming(bool)"),
        ):
            self.connected.append("login1")

    @Slot(bool)
    def screen_saver_changed(self, active: bool) -> None:
        if active:
            self.screen_locked.emit()

    @Slot(bool)
    def sleep_coming(self, going: bool) -> None:
        if going:
            self.screen_locked.emit()
