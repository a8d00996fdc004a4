"""A small form in a window of its own: labelled fields, a line for a refusal, Save and
Cancel. It never closes itself on Save: the tab that opened it writes, and closes it
once the change is saved, or shows the refusal here so it can be put right."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import label


class FormDialog(QDialog):
    submitted = Signal()

    def __init__(self, title: str, parent: QWidget | None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("AdminFormDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 14, 16, 12)
        if intro:
            box.addWidget(label(intro, "muted", wrap=True))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        box.addLayout(self.form)
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("form_error")
        self.error.setVisible(False)
        box.addWidget(self.error)
        self.body = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save is not None
        self.save_button: QPushButton = save
        self.save_button.setObjectName("form_save")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.finished.connect(self.deleteLater)

    def line(self, text: str, name: str, value: str = "", placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(value)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        self.form.addRow(label(text, "field-name", buddy=edit), edit)
        return edit

    def choice(
        self, text: str, name: str, options: list[tuple[str, str]], current: str | None = None
    ) -> QComboBox:
        """A drop-down of (value, label) pairs."""
        combo = QComboBox()
        combo.setObjectName(name)
        for value, shown in options:
            combo.addItem(shown, value)
        if current is not None:
            at = combo.findData(current)
            combo.setCurrentIndex(max(0, at))
        self.form.addRow(label(text, "field-name", buddy=combo), combo)
        return combo

    def check(self, text: str, name: str, value: bool) -> QCheckBox:
        box = QCheckBox(text)
        box.setObjectName(name)
        box.setChecked(value)
        self.form.addRow("", box)
        return box

    def show_refusal(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.setVisible(True)

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    def _submit(self) -> None:
        self.error.setVisible(False)
        self.submitted.emit()
