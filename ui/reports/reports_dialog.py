"""A sitting's reports: their state, an in-app preview, signing and saving.

Every report of the sitting is listed with its state (not ready and why, ready to sign,
signed with its version, or changed since it was signed). Choosing one shows it: the
draft drawn from today's data, or any signed version exactly as stored. Drawing,
signing and saving run in workers; a signature shows as made only once it is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import local_moment, local_time
from naas_centre.reports.states import (
    ReportState,
    SittingReports,
    draft_pdf,
    file_name,
    read_sitting_reports,
    save_latest,
    sign,
    signed_pdf,
    signs,
    who_signs,
)
from naas_centre.services.signatures import SignedDocumentView
from naas_centre.services.views import Actor, Role
from naas_centre.writes.changes import Changes
from ui.common import error_reporting, theme
from ui.common.widgets import card, label, primary_button, set_role
from ui.reports.pdf_preview import PdfPreview
from ui.reports.sign_dialog import SignDialog
from ui.work.changes import ChangeWatcher
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

DRAFT = "draft"
STATUS_ICONS = {"not_ready": "pending", "ready": "submit", "signed": "check", "changed": "warning"}


class _ReportDelegate(QStyledItemDelegate):
    """A report as two lines: its kind in bold, what it is about beneath, with room around."""

    PAD = 7

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        line = option.fontMetrics.height()
        lines = 2 if index.column() == 0 else 1
        return QSize(base.width() + 2 * self.PAD, max(base.height(), lines * line + 2 * self.PAD + 4))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if index.column() != 0:
            option.rect = option.rect.adjusted(self.PAD // 2, 0, 0, 0)
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        title, _, subject = str(index.data() or "").partition("\n")
        option.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        c = theme.colours()
        r = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD, -self.PAD)
        line = option.fontMetrics.height()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRect(r.left(), r.top(), r.width(), line), flags, title)
        painter.setFont(option.font)
        painter.setPen(QColor(c.muted))
        elided = option.fontMetrics.elidedText(subject, Qt.TextElideMode.ElideRight, r.width())
        painter.drawText(QRect(r.left(), r.top() + line + 2, r.width(), line), flags, elided)
        painter.restore()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def version_line(v: SignedDocumentView, latest: bool) -> str:
    who = ", ".join(v.signers) or "nobody"
    line = f"<b>Version {v.version}</b>{' (latest)' if latest else ''}: signed by {_escape(who)}"
    line += f", {local_moment(v.signed_at)}"
    if v.supersedes_id is not None:
        line += f"<br>&nbsp;&nbsp;replaces version {v.version - 1}: “{_escape(v.reason or '')}”"
    return line


class ReportsDialog(QDialog):
    reports_loaded = Signal()
    preview_shown = Signal(int)  # pages
    signed = Signal(object)  # SignedDocumentView, once committed
    saved = Signal(str)  # the file written

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        sitting_id: str,
        data_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReportsDialog")
        self.setWindowTitle("Reports")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.sitting_id = sitting_id
        self.data_dir = data_dir
        self.data: SittingReports | None = None
        self.sign_dialog: SignDialog | None = None
        self._preview_token = 0
        self._loading_token = 0
        self._keep_key: str | None = None
        self.resize(1240, 720)

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        top = QHBoxLayout()
        self.candidate = label("Loading…", "name")
        self.candidate.setObjectName("reports_candidate")
        top.addWidget(self.candidate)
        self.facts = label("", "muted")
        self.facts.setObjectName("reports_facts")
        top.addWidget(self.facts, 1)
        box.addLayout(top)
        self.sitting_line = label("", "muted", wrap=True)
        box.addWidget(self.sitting_line)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.setSpacing(8)
        self.counts = label("", "muted")
        self.counts.setObjectName("reports_counts")
        left_box.addWidget(self.counts)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("reports_table")
        self.table.setAccessibleName("Reports of the sitting")
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(["Report", "State"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setIconSize(QSize(18, 18))
        self.table.setItemDelegate(_ReportDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        left_box.addWidget(self.table, 1)

        details = card()
        details.setObjectName("report_details")
        d_box = QVBoxLayout(details)
        d_box.setContentsMargins(14, 12, 14, 12)
        d_box.setSpacing(8)
        self.detail_title = label("", "heading", wrap=True)
        self.detail_title.setObjectName("report_title")
        d_box.addWidget(self.detail_title)
        self.detail_state = label("", wrap=True)
        self.detail_state.setObjectName("report_state")
        self.detail_state.setTextFormat(Qt.TextFormat.RichText)
        d_box.addWidget(self.detail_state)
        self.versions = label("", "muted", wrap=True)
        self.versions.setObjectName("report_versions")
        self.versions.setTextFormat(Qt.TextFormat.RichText)
        d_box.addWidget(self.versions)
        buttons = QHBoxLayout()
        self.sign_button = primary_button(f"{who_signs(actor)}…")
        self.sign_button.setObjectName("sign_report")
        self.sign_button.clicked.connect(self.ask_sign)
        self.sign_button.setVisible(signs(actor))  # the services' rule; they check it again
        buttons.addWidget(self.sign_button)
        self.save_button = QPushButton("Save PDF…")
        self.save_button.setObjectName("save_pdf")
        self.save_button.setToolTip("Save the latest signed version as a PDF file")
        self.save_button.clicked.connect(self.ask_save)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        d_box.addLayout(buttons)
        left_box.addWidget(details)
        splitter.addWidget(left)

        self.preview = PdfPreview()
        self.preview.loaded.connect(self.preview_shown)
        self.show_label = label("&Show", "field-name")
        self.show_choice = QComboBox()
        self.show_choice.setObjectName("preview_choice")
        self.show_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.show_choice.setToolTip("The draft from today's data, or a signed version as stored")
        self.show_label.setBuddy(self.show_choice)
        self.show_choice.currentIndexChanged.connect(lambda _i: self._load_preview())
        self.preview.extra.addWidget(self.show_label)
        self.preview.extra.addWidget(self.show_choice)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([440, 800])
        box.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        self.status = label("", "muted")
        self.status.setObjectName("reports_status")
        bottom.addWidget(self.status, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        box.addLayout(bottom)
        self._show_details(None)
        self.reload()
        # A write that changes what these reports rest on (a score, a moderation, a batch
        # signing the day) refreshes the list.
        self.changes = ChangeWatcher(tasks, self, _changes_reports(sitting_id), lambda _c: self.reload())

    # -- the list -------------------------------------------------------------------------

    def reload(self) -> None:
        self._loading_token += 1
        token = self._loading_token
        current = self.current_state()
        self._keep_key = self._keep_key or (current.ref.key if current else None)
        self.counts.setText("Reading the reports…")
        self.tasks.run(
            read_sitting_reports,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=lambda data: self._loaded(token, data),
            on_error=self._failed,
            owner=self,
            name="read_reports",
        )

    def _failed(self, exc: BaseException) -> None:
        self.counts.setText("")
        self.candidate.setText("The reports cannot be shown")
        self.preview.show_message(error_reporting.plain_message(exc))

    def _loaded(self, token: int, data: SittingReports) -> None:
        if token != self._loading_token:
            return
        self.data = data
        s, who = data.detail.summary, data.detail.candidate
        self.setWindowTitle(f"Reports · {s.candidate_name}")
        self.candidate.setText(s.candidate_name)
        self.facts.setText(
            f"Registration {who.registration_number} · {who.employer} · {who.level.capitalize()} · "
            f"attempt {s.attempt}"
        )
        self.sitting_line.setText(
            f"{s.day:%A %d %B %Y} · {local_time(s.starts_at)} · {s.room} · {s.pack_title} · "
            f"assessors {', '.join(s.assessors) or 'none'}"
        )
        keep = self._keep_key
        self._keep_key = None
        self.table.blockSignals(True)
        self.table.setRowCount(len(data.reports))
        select = 0
        c = theme.colours()
        colours = {"not_ready": c.muted, "ready": c.accent, "signed": c.saved, "changed": c.pending}
        for row, state in enumerate(data.reports):
            what = QTableWidgetItem(f"{state.kind_title}\n{state.subject}")
            what.setToolTip(state.subject)
            status = QTableWidgetItem(theme.icon(STATUS_ICONS[state.status]), state.status_text)
            status.setForeground(QBrush(QColor(colours[state.status])))
            status.setToolTip(state.not_ready or state.status_text)
            self.table.setItem(row, 0, what)
            self.table.setItem(row, 1, status)
            if state.ref.key == keep:
                select = row
        self.table.blockSignals(False)
        # Every report of the sitting stays in view: there are only a handful.
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        frame = 2 * self.table.frameWidth()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + rows + frame + 2)
        signed = sum(1 for r in data.reports if r.latest is not None)
        ready = sum(1 for r in data.reports if r.status == "ready")
        self.counts.setText(f"{signed} of {len(data.reports)} reports signed · {ready} ready to sign")
        if data.reports:
            self.table.selectRow(select)
            self._selection_changed()
        self.reports_loaded.emit()

    def current_state(self) -> ReportState | None:
        if self.data is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.data.reports[row] if 0 <= row < len(self.data.reports) else None

    def select_report(self, key: str) -> None:
        """Chooses a report by its key (``observation/<sitting>/<station>``)."""
        assert self.data is not None
        for row, state in enumerate(self.data.reports):
            if state.ref.key == key:
                self.table.selectRow(row)
                return
        raise KeyError(key)

    def _selection_changed(self) -> None:
        state = self.current_state()
        self._show_details(state)
        self.show_choice.blockSignals(True)
        self.show_choice.clear()
        if state is not None:
            if state.not_ready is None and (state.latest is None or state.changed):
                self.show_choice.addItem("Draft (not signed)", DRAFT)
            for v in reversed(state.versions):
                latest = v is state.latest
                which = " (latest)" if latest else " (replaced)"
                self.show_choice.addItem(f"Signed v{v.version}{which}", v.id)
        self.show_choice.blockSignals(False)
        many = self.show_choice.count() > 1
        self.show_choice.setVisible(many)
        self.show_label.setVisible(many)
        self._load_preview()

    def _show_details(self, state: ReportState | None) -> None:
        if state is None:
            self.detail_title.setText("Choose a report")
            self.detail_state.setText("")
            self.versions.setText("")
            self.sign_button.setEnabled(False)
            self.save_button.setEnabled(False)
            return
        self.detail_title.setText(f"{state.kind_title}: {state.subject}")
        latest = state.latest
        if latest is None and state.not_ready:
            text = f"<b>Not ready.</b> {_escape(state.not_ready)}"
        elif latest is None:
            text = "<b>Ready to sign.</b> Every score is in; read the draft, then sign it."
        elif state.changed and state.not_ready:
            text = (
                f"<b>Changed since version {latest.version} was signed</b>, and not ready again yet: "
                f"{_escape(state.not_ready)}"
            )
        elif state.changed:
            text = (
                f"<b>Changed since version {latest.version} was signed.</b> Signing again makes "
                f"version {latest.version + 1}, with your reason; version {latest.version} stays as it is."
            )
        else:
            text = f"<b>Signed, version {latest.version}.</b> Nothing has changed since."
        signer = signs(self.actor)
        if state.sign_block and state.not_ready is None and signer:
            text += f"<br><span>{_escape(state.sign_block)}</span>"
        self.detail_state.setText(text)
        self.versions.setText(
            "<br>".join(version_line(v, v is latest) for v in reversed(state.versions))
            if state.versions
            else ""
        )
        self.versions.setVisible(bool(state.versions))
        self.sign_button.setEnabled(state.can_sign)
        self.sign_button.setToolTip(state.sign_block or "")
        self.save_button.setEnabled(latest is not None)

    # -- the preview ------------------------------------------------------------------------

    def _load_preview(self) -> None:
        self._preview_token += 1
        token = self._preview_token
        state = self.current_state()
        choice = self.show_choice.currentData()
        if state is None:
            self.preview.show_message("Choose a report to see it here.")
            return
        if choice is None:
            self.preview.show_message(f"Nothing to show yet.\n\n{state.not_ready or ''}".strip())
            return
        if choice == DRAFT:
            caption = "<b>Draft</b> · from today's data"
            self.preview.show_message("Drawing the report…", caption)
            self.tasks.run(
                draft_pdf,
                self.db,
                self.actor,
                state.ref,
                on_done=lambda pdf: self._preview_ready(token, pdf, caption),
                on_error=lambda exc: self._preview_failed(token, exc),
                owner=self,
                name="draft_pdf",
            )
            return
        version = next(v for v in state.versions if v.id == choice)
        caption = f"<b>Signed version {version.version}</b> · {_escape(', '.join(version.signers))}"
        self.preview.show_message("Opening the signed version…", caption)
        self.tasks.run(
            signed_pdf,
            self.db,
            self.actor,
            version.id,
            on_done=lambda pdf: self._preview_ready(token, pdf, caption),
            on_error=lambda exc: self._preview_failed(token, exc),
            owner=self,
            name="signed_pdf",
        )

    def _preview_ready(self, token: int, pdf: bytes, caption: str) -> None:
        if token == self._preview_token:
            self.preview.show_pdf(pdf, caption)

    def _preview_failed(self, token: int, exc: BaseException) -> None:
        if token == self._preview_token:
            self.preview.show_message(error_reporting.plain_message(exc))

    # -- signing ------------------------------------------------------------------------------

    def ask_sign(self) -> None:
        state = self.current_state()
        if state is None or not state.can_sign or self.data is None:
            return
        s = self.data.detail.summary
        manager = self.actor.role == Role.CENTRE_MANAGER
        latest = state.latest
        if state.needs_reason and latest is not None:
            what = f"Sign version {latest.version + 1}: {state.kind_title.lower()}, {s.candidate_name}"
            consequence = (
                f"Version {latest.version} stays as signed; the new version names it and your reason."
            )
        elif latest is not None:
            verb = "Countersign" if manager else "Sign"
            what = f"{verb} version {latest.version}: {state.kind_title.lower()}, {s.candidate_name}"
            consequence = "Your signature is added after the ones already made; theirs stay valid."
        else:
            what = f"Sign the {state.kind_title.lower()} report: {s.candidate_name}"
            consequence = (
                "Once signed, the data behind this report is frozen: a later change needs a reason "
                "and makes a new version."
            )
        consequence += (
            f" You sign as {self.actor.display_name}, {self.actor.role.label.lower()}; the signature "
            "shows your name, role and the time."
        )
        dialog = SignDialog(
            "Countersign the report" if manager and not state.needs_reason else "Sign the report",
            what,
            consequence,
            action="Countersign" if manager and not state.needs_reason else "Sign",
            ask_reason=state.needs_reason,
            parent=self,
        )
        dialog.submitted.connect(lambda password, reason: self._sign(state, password, reason))
        dialog.finished.connect(dialog.deleteLater)
        self.sign_dialog = dialog
        dialog.open()

    def _sign(self, state: ReportState, password: str, reason: str) -> None:
        self._keep_key = state.ref.key
        self.tasks.write(
            sign,
            self.db,
            self.actor,
            password,
            self.data_dir,
            state.ref,
            reason or None,
            on_done=self._signed,
            on_error=self._sign_failed,
            owner=self,
            name="sign_report",
        )

    def _signed(self, view: SignedDocumentView) -> None:
        if self.sign_dialog is not None:
            self.sign_dialog.set_busy(False)
            self.sign_dialog.accept()
            self.sign_dialog = None
        self.status.setText(f"Signed version {view.version} at {local_time(view.signed_at)}.")
        set_role(self.status, "saved")
        self.signed.emit(view)
        self.reload()

    def _sign_failed(self, exc: BaseException) -> None:
        if self.sign_dialog is not None:
            self.sign_dialog.fail(error_reporting.plain_message(exc))
        else:
            error_reporting.show_error(self, exc, "Not signed")

    # -- saving -------------------------------------------------------------------------------

    def ask_save(self) -> None:
        state = self.current_state()
        if state is None or state.latest is None or self.data is None:
            return
        suggested = str(Path.home() / file_name(self.data.detail, state))
        path, _ = QFileDialog.getSaveFileName(self, "Save the signed report", suggested, "PDF files (*.pdf)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """Writes the latest signed version of the chosen report to ``path`` (in a worker)."""
        state = self.current_state()
        if state is None:
            return
        self.status.setText("Saving…")
        set_role(self.status, "pending")
        self.tasks.run(
            save_latest,
            self.db,
            self.actor,
            state.ref,
            path,
            on_done=self._saved,
            on_error=self._save_failed,
            owner=self,
            name="save_pdf",
        )

    def _saved(self, result: tuple[SignedDocumentView, Path]) -> None:
        view, path = result
        self.status.setText(f"Saved version {view.version} to {path}")
        set_role(self.status, "saved")
        self.saved.emit(str(path))

    def _save_failed(self, exc: BaseException) -> None:
        self.status.setText("")
        error_reporting.show_error(self, exc, "Not saved")


def _changes_reports(sitting_id: str) -> Callable[[Changes], bool]:
    """Whether a change touches a report of this sitting (a note alone does not)."""

    def wants(c: Changes) -> bool:
        return c.touches(sitting_id) and (c.scores or c.clocks or c.scripts or c.status or c.reports)

    return wants
