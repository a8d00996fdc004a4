"""Preferences: a form built from the declared settings that carry a label."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.common.settings import SETTINGS, Setting, Settings
from ui.common.widgets import label


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(460)
        self.settings = settings
        box = QVBoxLayout(self)
        box.addWidget(
            label("Preferences of this workstation; the centre's data is kept apart.", "muted", wrap=True)
        )
        form = QFormLayout()
        form.setSpacing(10)
        self.editors: dict[str, QWidget] = {}
        for setting in SETTINGS:
            if not setting.label:
                continue
            editor = _editor(setting, settings.get(setting.key))
            editor.setObjectName(setting.key)
            editor.setToolTip(setting.description)
            self.editors[setting.key] = editor
            form.addRow(label(setting.label, "field-name", buddy=editor), editor)
        box.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                out[key] = editor.currentText()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                out[key] = editor.value()
            elif isinstance(editor, QLineEdit):
                out[key] = editor.text().strip()
        return out

    def _save(self) -> None:
        for key, value in self.values().items():
            self.settings.set(key, value)
        self.settings.sync()
        self.accept()


def _editor(setting: Setting, value: Any) -> QWidget:
    if setting.choices:
        combo = QComboBox()
        combo.addItems(list(setting.choices))
        combo.setCurrentText(str(value))
        return combo
    if isinstance(setting.default, str):
        line = QLineEdit(str(value))
        line.setPlaceholderText("(the default)")
        return line
    if isinstance(setting.default, float):
        spin = QDoubleSpinBox()
        spin.setDecimals(1)
        spin.setRange(setting.minimum or 0.0, setting.maximum or 1e6)
        spin.setValue(float(value))
        return spin
    whole = QSpinBox()
    whole.setRange(int(setting.minimum or 0), int(setting.maximum or 10**6))
    whole.setValue(int(value))
    return whole
