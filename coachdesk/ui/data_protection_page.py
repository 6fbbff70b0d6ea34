"""Data protection (Ctrl+4): the duties the programme's data sharing agreement puts on a coach,
met from the app — backups (and restoring one), erasing closed cases past retention, and the
audit log. Erasure on request and subject access live on the participant's record."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from coachdesk.ui.audit_tab import AuditTab
from coachdesk.ui.backups_tab import BackupsTab
from coachdesk.ui.controller import AppController
from coachdesk.ui.retention_tab import RetentionTab

BACKUPS, RETENTION, AUDIT = 0, 1, 2


class DataProtectionPage(QWidget):
    erased = Signal(int)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        heading = QLabel(self.tr("Data protection"))
        heading.setObjectName("pageTitle")
        self.backups = BackupsTab(controller)
        self.retention = RetentionTab(controller)
        self.audit = AuditTab(controller)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Data protection"))
        self.tabs.addTab(self.backups, self.tr("&Backups"))
        self.tabs.addTab(self.retention, self.tr("&Retention"))
        self.tabs.addTab(self.audit, self.tr("&Audit log"))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.retention.erased.connect(self.erased.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        """Read what the shown tab needs (the others read when they are shown)."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, BackupsTab | RetentionTab | AuditTab):
            tab.refresh()

    def show_tab(self, index: int) -> None:
        if self.tabs.currentIndex() == index:
            self.refresh()
        else:
            self.tabs.setCurrentIndex(index)

    def start(self) -> None:
        """After unlock: the day's automatic backup, if due."""
        self.backups.run_automatic_if_due()

    def clear_sensitive(self) -> None:
        for tab in (self.backups, self.retention, self.audit):
            tab.clear_sensitive()
