"""The action plan's print preview (Print action plan…, Ctrl+P, on a participant's record).

The plan is built and rendered to PDF on the vault's worker (`plan_ops.prepare`); the dialog then
draws every page from those bytes, in memory, with pypdfium2. (QtPdf is not used: its wheel exists
only for the Qt release that leaks references on Python 3.11.) Nothing reaches the disk unless the
coach chooses Save PDF…; Print… paints pages rendered for the printer straight onto the QPrinter.
Printing or saving notes the day in the record's `action_plans_issued` (once a day).

Characters the printing font cannot draw are named above the preview, and Print and Save stay
off until the record is spelt differently: a plan is never printed with empty boxes in it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, QObject, QRectF, QStandardPaths, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.ui.controller import AppController
from coachdesk.ui.record import plan_ops
from coachdesk.ui.record.fields import MessageLabel
from coachdesk.ui.record.plan_ops import PlanDocument

log = logging.getLogger("coachdesk.ui.print_preview")

LARGE_PRINT_KEY = "printing/large_print"
POINTS_PER_INCH = 72
PRINT_DPI_LIMIT = 600  # a printer's 1200 dpi would mean 35 MB a page in grey, 140 MB in colour
PAGE_GAP = 18  # pixels between pages, and around them
MIN_PAGE_WIDTH = 320  # pixels: narrower than this, the preview scrolls sideways instead

_FORMATS = {
    "RGBX": QImage.Format.Format_RGBX8888,
    "RGBA": QImage.Format.Format_RGBA8888,
    "RGB": QImage.Format.Format_RGB888,
    "BGR": QImage.Format.Format_BGR888,
    "L": QImage.Format.Format_Grayscale8,
}


def render_page(page: pdfium.PdfPage, scale: float, *, grayscale: bool = False, for_print: bool = False) -> QImage:
    """One PDF page as a QImage on white, `scale` pixels per point. The pixels are copied out of
    pdfium's bitmap, which is freed at once."""
    options: dict[str, object] = {"optimize_mode": "print"} if for_print else {}
    bitmap = page.render(scale=scale, grayscale=grayscale, prefer_bgrx=True, rev_byteorder=True, **options)
    try:
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, _FORMATS[bitmap.mode])
        return image.copy()  # detach from pdfium's buffer before it is freed
    finally:
        bitmap.close()


def describe_characters(characters: Iterable[str]) -> str:
    """'李 (U+674E), 明 (U+660E)': the code tells the coach which character it is even when the
    screen's own fonts cannot draw it either."""
    return ", ".join(f"{c} (U+{ord(c):04X})" for c in sorted(characters))


def page_text(page: pdfium.PdfPage) -> str:
    """The words on a page, for screen readers (the page image itself says nothing to them)."""
    textpage = page.get_textpage()
    try:
        return " ".join(textpage.get_text_bounded().split())
    finally:
        textpage.close()


def _paper_shadow(parent: QObject) -> QGraphicsDropShadowEffect:
    """A soft shadow under each page, so the paper's edge shows against the background."""
    shadow = QGraphicsDropShadowEffect(parent)
    shadow.setBlurRadius(10)
    shadow.setOffset(0, 2)
    shadow.setColor(QColor(0, 0, 0, 110))
    return shadow


class _ResizeWatcher(QObject):
    """Tells the dialog when the scroll area's viewport changes width (to fit the pages again)."""

    def __init__(self, callback: object, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._callback()  # type: ignore[operator]
        return False


class PrintPreviewDialog(QDialog):
    """Shows the participant's action plan as it will print; Print…, Save PDF… and Close."""

    def __init__(
        self,
        controller: AppController,
        participant_id: str,
        parent: QWidget | None = None,
        *,
        saved_version_only: bool = False,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.participant_id = participant_id
        self.document: PlanDocument | None = None
        self._pdf: pdfium.PdfDocument | None = None
        self._request = 0
        self._busy = False
        self._closed = False
        self._fitted_width = 0
        self._page_labels: list[QLabel] = []
        self._captions: list[QLabel] = []
        self.page_images: list[QImage] = []  # what the preview shows, one per page

        self.setWindowTitle(self.tr("Action plan: print preview"))
        self.setAccessibleName(self.tr("Action plan print preview"))
        self.setSizeGripEnabled(True)

        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.heading.setIndent(0)  # a styled label otherwise indents by half an "x"
        self.heading.setAccessibleName(self.tr("Whose action plan"))
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Number of pages and print size"))
        self.large_print = QCheckBox(self.tr("&Large print"))
        self.large_print.setToolTip(self.tr("Bigger text for people who find small print hard to read (more pages)"))
        self.large_print.setAccessibleName(self.tr("Large print"))
        self.large_print.setAccessibleDescription(self.tr("Prints the plan in bigger text. The choice is remembered."))
        self.large_print.setChecked(self._remembered_large_print())  # before connecting: opening writes nothing
        self.large_print.toggled.connect(self._large_print_toggled)

        self.saved_note = MessageLabel(self.tr("Which version of the record"))
        if saved_version_only:
            self.saved_note.setText(
                self.tr(
                    "This plan is made from the record as last saved: the changes you have not saved are not in it."
                )
            )
        self.warning = MessageLabel(self.tr("Characters the printer cannot print"), error=True)
        self.problem = MessageLabel(self.tr("Problem with the action plan"), error=True)
        self.status = MessageLabel(self.tr("Action plan message"))

        self.pages = QWidget()
        self.pages.setAutoFillBackground(True)
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self.pages_layout.setSpacing(6)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows and Page Down scroll the pages
        self.scroll.setAccessibleName(self.tr("Pages of the action plan"))
        self._shade_background()
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(80)
        self._refit.timeout.connect(self._fit_pages)
        self.scroll.viewport().installEventFilter(_ResizeWatcher(self._refit.start, self))

        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setToolTip(self.tr("Print the action plan (Ctrl+P)"))
        self.print_button.setAccessibleName(self.tr("Print the action plan"))
        self.print_button.clicked.connect(self.print_plan)
        self.save_button = QPushButton(self.tr("Save PDF…"))
        self.save_button.setToolTip(self.tr("Save the action plan as a PDF file where you choose (Ctrl+S)"))
        self.save_button.setAccessibleName(self.tr("Save the action plan as a PDF"))
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Close the preview (Esc)"))
        self.close_button.setAccessibleName(self.tr("Close the preview"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)

        self.print_action = QAction(self.tr("Print the action plan"), self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_plan)
        self.save_action = QAction(self.tr("Save the action plan as a PDF"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save_pdf)
        self.addActions([self.print_action, self.save_action])

        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.heading)
        titles.addWidget(self.summary)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addWidget(self.large_print, 0, Qt.AlignmentFlag.AlignVCenter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.saved_note)
        layout.addWidget(self.warning)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

        self._size_to_screen()
        self._update_buttons()
        self.scroll.setFocus()
        self.load()

    # -- building the plan ------------------------------------------------------------------------
    def _remembered_large_print(self) -> bool:
        return bool(self.controller.settings.value(LARGE_PRINT_KEY, False, type=bool))

    def _large_print_toggled(self, checked: bool) -> None:
        self.controller.settings.setValue(LARGE_PRINT_KEY, checked)
        self.load()

    def load(self) -> None:
        """Build and render the plan on the worker, then show its pages."""
        self._request += 1
        token, pid = self._request, self.participant_id
        large, now = self.large_print.isChecked(), datetime.now()
        self.document = None
        self.problem.clear()
        self.status.setText(self.tr("Preparing the action plan…"))
        self._update_buttons()
        self.controller.run(
            lambda vault: plan_ops.prepare(vault, pid, now, large),
            on_done=lambda doc: self._prepared(token, doc),
            on_error=lambda exc: self._prepare_failed(token, exc),
        )

    def _prepared(self, token: int, doc: PlanDocument) -> None:
        if self._closed or token != self._request:
            return
        self._close_pdf()
        self.document = doc
        self._pdf = pdfium.PdfDocument(doc.pdf)
        plan = doc.plan
        self.heading.setText(self.tr("Action plan for {0}").format(plan.name))
        count = len(self._pdf)
        size = self.tr("large print") if plan.large_print else self.tr("standard print")
        pages = self.tr("1 page") if count == 1 else self.tr("{0} pages").format(count)
        self.summary.setText(self.tr("{0}, {1}, A4").format(pages, size))
        if plan.unsupported:
            self.warning.setText(
                self.tr(
                    "The printer font cannot draw: {0} — change the spelling in the record before printing. "
                    "Print and Save PDF are turned off until then."
                ).format(describe_characters(plan.unsupported))
            )
        else:
            self.warning.clear()
        self.status.clear()
        self._build_pages(count)
        self._fitted_width = 0
        self._fit_pages()
        self.scroll.verticalScrollBar().setValue(0)
        self._update_buttons()

    def _prepare_failed(self, token: int, exc: Exception) -> None:
        if self._closed or token != self._request:
            return
        self.status.clear()
        if isinstance(exc, CoachDeskError):
            self.problem.setText(self.tr("The action plan could not be made: {0}").format(exc.message))
        else:
            log.error("action plan preview failed: %s", type(exc).__name__)
            self.problem.setText(self.tr("The action plan could not be made. Close this window and try again."))
        self._update_buttons()

    # -- showing the pages ------------------------------------------------------------------------
    def _shade_background(self) -> None:
        """Pages sit on a darker ground, so the white paper and its edges stand out."""
        palette = self.pages.palette()
        palette.setColor(QPalette.ColorRole.Window, self.palette().color(QPalette.ColorRole.Mid))
        self.pages.setPalette(palette)
        self.scroll.viewport().setPalette(palette)
        self.scroll.viewport().setAutoFillBackground(True)

    def _build_pages(self, count: int) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # at once: the deferred delete may wait for the event loop
                widget.deleteLater()
        self._page_labels, self._captions, self.page_images = [], [], []
        assert self._pdf is not None
        for index in range(count):
            caption = QLabel(self.tr("Page {0} of {1}").format(index + 1, count))
            caption.setObjectName("pageCaption")
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            image = QLabel()
            image.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            image.setGraphicsEffect(_paper_shadow(image))
            image.setAccessibleName(self.tr("Page {0} of {1}").format(index + 1, count))
            image.setAccessibleDescription(page_text(self._pdf[index]))
            if index:
                self.pages_layout.addSpacing(PAGE_GAP - 6)
            self.pages_layout.addWidget(caption)
            self.pages_layout.addWidget(image)
            self._captions.append(caption)
            self._page_labels.append(image)
        self.pages_layout.addStretch(1)

    def _fit_pages(self) -> None:
        """Render every page to fill the viewport's width (on white, at the screen's pixel ratio)."""
        if self._pdf is None or self._closed:
            return
        available = max(MIN_PAGE_WIDTH, self.scroll.viewport().width() - 2 * PAGE_GAP)
        if available == self._fitted_width:
            return
        self._fitted_width = available
        ratio = self.devicePixelRatioF()
        images = []
        for index, label in enumerate(self._page_labels):
            page = self._pdf[index]
            scale = available * ratio / page.get_width()
            image = render_page(page, scale)
            image.setDevicePixelRatio(ratio)
            pixmap = QPixmap.fromImage(image)
            label.setPixmap(pixmap)
            label.setFixedHeight(round(image.height() / ratio))
            label.setMinimumWidth(round(image.width() / ratio))
            images.append(image)
        self.page_images = images

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the pages to the width the dialog really has, once its layout has placed the scroll area."""
        super().showEvent(event)
        self.layout().activate()
        self._fit_pages()

    def _size_to_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen else None
        if room is None:
            self.resize(900, 900)
            return
        self.resize(min(900, int(room.width() * 0.9)), int(room.height() * 0.9))

    # -- the buttons ------------------------------------------------------------------------------
    def can_output(self) -> bool:
        """Print and Save are possible: a plan is shown, nothing is running, and the font draws it all."""
        return self.document is not None and not self._busy and not self.document.plan.unsupported

    def _update_buttons(self) -> None:
        ready = self.can_output()
        for widget in (self.print_button, self.save_button, self.print_action, self.save_action):
            widget.setEnabled(ready)
        self.large_print.setEnabled(not self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def print_plan(self) -> None:
        """The system print dialog, then every chosen page painted onto the printer."""
        if not self.can_output():
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: PLC0415 - only when printing

        assert self._pdf is not None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)  # the PDF carries its own margins
        printer.setDocName("Action plan")  # print queues are seen by others: never a name
        printer.setCreator("CoachDesk")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the action plan"))
        dialog.setMinMax(1, len(self._pdf))
        if dialog.exec() != QDialog.DialogCode.Accepted or self._closed or not self.can_output():
            return
        self.problem.clear()
        self.status.clear()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            printed = self._paint(printer)
        finally:
            QApplication.restoreOverrideCursor()
        if printed:
            self._record_issued(self.tr("Sent to the printer."))
        else:
            self.problem.setText(self.tr("The plan could not be printed. Check the printer and try again."))

    def _paint(self, printer: object) -> bool:
        """Each page rendered at the printer's resolution (at most PRINT_DPI_LIMIT), in grey: the plan
        is black and grey by design. A page is fitted to the paper, centred, if the paper is not A4."""
        from PySide6.QtPrintSupport import QPrinter  # noqa: PLC0415

        assert isinstance(printer, QPrinter) and self._pdf is not None
        count = len(self._pdf)
        first, last = printer.fromPage(), printer.toPage()
        chosen = range(first - 1, min(last, count)) if first > 0 and last >= first else range(count)
        dpi = min(printer.resolution(), PRINT_DPI_LIMIT)
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        painter = QPainter()
        if not painter.begin(printer):
            return False
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            for n, index in enumerate(chosen):
                if n and not printer.newPage():
                    return False
                page = self._pdf[index]
                width, height = page.get_size()
                fit = min(paper.width() / width, paper.height() / height)
                target = QRectF(
                    paper.x() + (paper.width() - width * fit) / 2,
                    paper.y() + (paper.height() - height * fit) / 2,
                    width * fit,
                    height * fit,
                )
                painter.drawImage(target, render_page(page, dpi / POINTS_PER_INCH, grayscale=True, for_print=True))
        finally:
            painter.end()
        return printer.printerState() != QPrinter.PrinterState.Error

    def save_pdf(self) -> None:
        """Ask where, then write the PDF there on the worker (never inside the vault folder)."""
        if not self.can_output():
            return
        assert self.document is not None
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / self.tr("Action plan.pdf"))
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the action plan as a PDF"), suggested, self.tr("PDF documents (*.pdf)")
        )
        if not chosen or self._closed or not self.can_output():
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_name(f"{path.name}.pdf")
            if path.exists() and not self._confirm_replace(path):
                return
        pdf = self.document.pdf
        self.problem.clear()
        self.status.clear()
        self._set_busy(True)
        self.controller.run(
            lambda vault: plan_ops.write_pdf(vault, path, pdf),
            on_done=lambda written: self._record_issued(self.tr("Saved as {0}.").format(written)),
            on_error=self._save_failed,
        )

    def _confirm_replace(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Replace the file?"),
            self.tr("{0} already exists. Replace it?").format(path),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _save_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if self._closed:
            return
        if isinstance(exc, CoachDeskError):
            self.problem.setText(self.tr("Not saved. {0}").format(exc.message))
        elif isinstance(exc, OSError):
            where = f" ({exc.filename})" if exc.filename else ""
            self.problem.setText(self.tr("Not saved: {0}{1}.").format(exc.strerror or exc, where))
        else:
            log.error("saving the action plan failed: %s", type(exc).__name__)
            self.problem.setText(self.tr("Not saved: the file could not be written."))

    def _record_issued(self, done: str) -> None:
        """Note in the record that the plan was given today (the service adds a day only once)."""
        pid, today = self.participant_id, date.today()
        self._set_busy(True)
        self.controller.run(
            lambda vault: plan_ops.record_issued(vault, pid, today),
            on_done=lambda _added: self._issued(done),
            on_error=lambda exc: self._issue_failed(done, exc),
        )

    def _issued(self, done: str) -> None:
        self._set_busy(False)
        if not self._closed:
            self.status.setText(self.tr("{0} The record shows the plan as given today.").format(done))

    def _issue_failed(self, done: str, exc: Exception) -> None:
        self._set_busy(False)
        if self._closed:
            return
        reason = exc.message if isinstance(exc, CoachDeskError) else self.tr("the vault could not be written.")
        self.status.setText(done)
        self.problem.setText(self.tr("The record could not note that the plan was given: {0}").format(reason))

    # -- closing ----------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Close, and let go of the plan: its PDF and page images are the participant's data."""
        self._closed = True
        self._refit.stop()
        self._close_pdf()
        self.document = None
        self.page_images = []
        for label in self._page_labels:
            label.clear()
        super().done(result)

    def _close_pdf(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
