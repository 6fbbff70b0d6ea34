"""Plain-Python change notifications from the services. The desktop app registers one adapter
that re-emits them as Qt signals on the GUI thread; the core never knows Qt exists."""

from __future__ import annotations

import threading
from collections.abc import Callable

PARTICIPANT_CHANGED = "participant_changed"  # argument: the participant's id

_listeners: dict[str, list[Callable[[str], None]]] = {}
_guard = threading.Lock()


def subscribe(event: str, listener: Callable[[str], None]) -> None:
    with _guard:
        _listeners.setdefault(event, []).append(listener)


def unsubscribe(event: str, listener: Callable[[str], None]) -> None:
    with _guard:
        if listener in _listeners.get(event, []):
            _listeners[event].remove(listener)


def emit(event: str, argument: str) -> None:
    with _guard:
        targets = list(_listeners.get(event, []))
    for listener in targets:
        listener(argument)
