"""A list of small records with a form for the selected one: work history, goals, steps, employer
contacts, outcomes, benefit changes. The list is a read-only table (model/view); the form below or
beside it edits the selected row. Rows are dicts keyed by the record's field names holding the
form's values (text as typed), which the tab parses into domain records when the page saves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.ui.record.fields import empty_state, labelled, section_title

Row = dict[str, Any]
Column = tuple[str, Callable[[Row], str]]
FormField = tuple[str, str, QWidget]  # row key, label, field widget


class RowEditor(QWidget):
    changed = Signal()
    current_changed = Signal(int)  # the selected row, or -1

    def __init__(
        self,
        name: str,
        columns: Sequence[Column],
        empty_text: str,
        *,
        title: str | None = None,
        new_row: Callable[[], Row] | None = None,
        add_text: str | None = None,
        remove_text: str | None = None,
        fields: Sequence[FormField] = (),
        form_beside: bool = True,
        stretch_column: int | None = None,
    ) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self._columns = list(columns)
        self._new_row = new_row
        self._fields = list(fields)

        self.model = QStandardItemModel(0, len(self._columns), self)
        self.model.setHorizontalHeaderLabels([c[0] for c in self._columns])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(name)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        stretch = len(self._columns) - 1 if stretch_column is None else stretch_column
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._on_current(cur.row()))

        self.empty = empty_state(empty_text, centred=False)

        self.buttons = QHBoxLayout()
        self.add_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        if add_text and new_row is not None:
            self.add_button = QPushButton(add_text)
            self.add_button.clicked.connect(self._add_clicked)
            self.buttons.addWidget(self.add_button)
        if remove_text:
            self.remove_button = QPushButton(remove_text)
            self.remove_button.clicked.connect(self.remove_current)
            self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)
        self._extra_buttons: list[QPushButton] = []

        self.form = QWidget()
        form_layout = QFormLayout(self.form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for key, label, widget in self._fields:
            form_layout.addRow(labelled(label, widget), widget)
            widget.edited.connect(lambda key=key, widget=widget: self._field_edited(key, widget))  # type: ignore[attr-defined]

        # An empty list shrinks to its guidance with the Add button right under it.
        self.list_box = list_box = QVBoxLayout()
        list_box.setContentsMargins(0, 0, 0, 0)
        if title:
            list_box.addWidget(section_title(title))
        list_box.addWidget(self.empty)
        list_box.addWidget(self.view, 1)
        list_box.addLayout(self.buttons)
        list_box.addStretch(0)
        layout: QHBoxLayout | QVBoxLayout = QHBoxLayout(self) if form_beside else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(list_box, 3)
        if self._fields:
            layout.addWidget(self.form, 2 if form_beside else 0)
        self._show_state()
        self._order_tabs()

    def insert_button(self, index: int, button: QPushButton) -> None:
        """Another action beside Add and Remove (Book a session, Record sustained 13 weeks…)."""
        self.buttons.insertWidget(index, button)
        self._extra_buttons.append(button)
        self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab goes list → the selected row's fields → the buttons, whatever order they were made in."""
        chain: list[QWidget] = [self.view, *(w for _k, _l, w in self._fields)]
        for i in range(self.buttons.count()):
            item = self.buttons.itemAt(i).widget()
            if item is not None:
                chain.append(item)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- rows -------------------------------------------------------------------------------
    def set_rows(self, rows: list[Row], keep_selection: bool = False) -> None:
        """Show `rows` (the list itself is edited in place); select the first, or the same index."""
        previous = self.current_index() if keep_selection else -1
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for row in rows:
            self.model.appendRow(self._items(row))
        self._show_state()
        if rows:
            self.select(previous if 0 <= previous < len(rows) else 0)
        else:
            self._on_current(-1)

    def _items(self, row: Row) -> list[QStandardItem]:
        items = []
        for _header, show in self._columns:
            text = show(row)
            item = QStandardItem(text)
            item.setToolTip(text if len(text) > 30 else "")
            items.append(item)
        return items

    def refresh(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            for column, (_header, show) in enumerate(self._columns):
                text = show(self.rows[index])
                self.model.item(index, column).setText(text)
                self.model.item(index, column).setToolTip(text if len(text) > 30 else "")

    def current_index(self) -> int:
        index = self.view.selectionModel().currentIndex()
        return index.row() if index.isValid() and index.row() < len(self.rows) else -1

    def current_row(self) -> Row | None:
        i = self.current_index()
        return self.rows[i] if i >= 0 else None

    def select(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            model_index = self.model.index(index, 0)
            self.view.selectionModel().setCurrentIndex(
                model_index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(model_index)

    def insert(self, row: Row, at: int | None = None, focus: bool = True) -> None:
        """Add a row (at the end unless told), select it and put the cursor in the form."""
        at = len(self.rows) if at is None else at
        self.rows.insert(at, row)
        self.model.insertRow(at, self._items(row))
        self._show_state()
        self.select(at)
        if focus and self._fields:
            self._fields[0][2].setFocus()
        self.changed.emit()

    def _add_clicked(self) -> None:
        assert self._new_row is not None
        self.insert(self._new_row())

    def remove_current(self) -> None:
        i = self.current_index()
        if i < 0:
            return
        del self.rows[i]
        self.model.removeRow(i)
        self._show_state()
        if self.rows:
            self.select(min(i, len(self.rows) - 1))
        else:
            self._on_current(-1)
        self.changed.emit()

    # -- the form ---------------------------------------------------------------------------
    def _on_current(self, index: int) -> None:
        row = self.rows[index] if 0 <= index < len(self.rows) else None
        for key, _label, widget in self._fields:
            widget.set_value(row[key] if row is not None else None)  # type: ignore[attr-defined]
        self.form.setVisible(row is not None)  # an empty list shows its guidance, not a blank form
        if self.remove_button is not None:
            self.remove_button.setEnabled(row is not None)
        self.current_changed.emit(index if row is not None else -1)

    def _field_edited(self, key: str, widget: QWidget) -> None:
        i = self.current_index()
        if i < 0:
            return
        self.rows[i][key] = widget.value()  # type: ignore[attr-defined]
        self.refresh(i)
        self.changed.emit()

    def field(self, key: str) -> QWidget | None:
        return next((w for k, _l, w in self._fields if k == key), None)

    def label_of(self, key: str) -> str:
        return next((label.replace("&", "") for k, label, _w in self._fields if k == key), key)

    def focus_field(self, index: int, key: str | None) -> str | None:
        """Select row `index` and focus the field for `key`; the field's label, or None."""
        if not 0 <= index < len(self.rows):
            return None
        self.select(index)
        widget = self.field(key) if key else None
        (widget or self.view).setFocus()
        return self.label_of(key) if key else None

    def _show_state(self) -> None:
        self.view.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        self.list_box.setStretch(self.list_box.count() - 1, 0 if self.rows else 1)

    def clear(self) -> None:
        self.rows = []
        self.model.removeRows(0, self.model.rowCount())
        self._on_current(-1)
        self._show_state()
