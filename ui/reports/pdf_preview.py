"""A PDF shown in the window: pages one under another, page by page or scrolled, with zoom.

Qt's own PDF viewer (QtPdf, PDFium) draws the exact bytes that will be signed or saved,
so what the assessor reads before signing is the document itself, not an imitation.
The bytes arrive ready-made from a worker; nothing here draws or signs.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from ui.common import theme
from ui.common.widgets import label

ZOOM_STEPS = (0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)


def _tool(text: str, tip: str, icon: str | None = None) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    if icon:
        button.setIcon(theme.icon(icon))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    return button


class PdfPreview(QWidget):
    """Shows PDF bytes, or a sentence saying why there is nothing to show."""

    loaded = Signal(int)  # the page count, once a document is on screen
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PdfPreview")
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)

        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.caption = label("", "muted")
        self.caption.setObjectName("preview_caption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(self.caption, 1)
        bar.addSpacing(12)
        self.extra = QHBoxLayout()  # room for the owner's own controls (which version to show)
        self.extra.setSpacing(6)
        bar.addLayout(self.extra)
        bar.addSpacing(8)
        self.previous_page = _tool("Previous page", "Previous page (Page Up)", "chevron-left")
        self.previous_page.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.page_label = label("", "muted")
        self.page_label.setObjectName("page_label")
        self.page_label.setMinimumWidth(90)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_page = _tool("Next page", "Next page (Page Down)", "chevron-right")
        self.next_page.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.zoom_out_button = _tool("−", "Zoom out (Ctrl+minus)")
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_label = label("", "muted")
        self.zoom_label.setObjectName("zoom_label")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = _tool("+", "Zoom in (Ctrl+plus)")
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.fit_button = _tool("Fit width", "Fit the page to the width of the view (Ctrl+0)")
        self.fit_button.setCheckable(True)
        self.fit_button.clicked.connect(self.fit_width)
        for widget in (
            self.previous_page,
            self.page_label,
            self.next_page,
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
        ):
            bar.addWidget(widget)
        box.addLayout(bar)

        self.stack = QStackedWidget()
        self.message = label("", "muted", wrap=True)
        self.message.setObjectName("preview_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMargin(40)
        self.view = QPdfView()
        self.view.setObjectName("pdf_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)
        box.addWidget(self.stack, 1)

        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._update_bar())
        self.view.zoomFactorChanged.connect(lambda _z: self._update_bar())
        self.view.zoomModeChanged.connect(lambda _m: self._update_bar())
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence("Ctrl+0"), self.fit_width),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        c = theme.colours()
        self.setStyleSheet(
            f"QToolButton:checked {{ background: {c.chosen}; border: 1px solid {c.chosen_border}; }}"
        )
        self.show_message("")

    # -- what is shown ------------------------------------------------------------------

    def show_message(self, text: str, caption: str = "") -> None:
        self._close_document()
        self.message.setText(text)
        self.caption.setText(caption)
        self.stack.setCurrentWidget(self.message)
        self._update_bar()

    def show_pdf(self, data: bytes, caption: str) -> None:
        """Shows the document; ``loaded`` follows with its page count (or ``failed``)."""
        self._close_document()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self.caption.setText(caption)
        self.document.load(buffer)
        if self.document.status() == QPdfDocument.Status.Error or self.document.pageCount() == 0:
            self.show_message("This PDF cannot be shown: it is damaged or empty.", caption)
            self.failed.emit("unreadable")
            return
        self.stack.setCurrentWidget(self.view)
        self.go_to_page(0)
        self._update_bar()
        self.loaded.emit(self.document.pageCount())

    def _close_document(self) -> None:
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None

    # -- pages and zoom -----------------------------------------------------------------

    def page_count(self) -> int:
        return self.document.pageCount() if self._buffer is not None else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        count = self.page_count()
        if count == 0:
            return
        page = max(0, min(count - 1, page))
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_bar()

    def zoom_factor(self) -> float:
        """The zoom as a factor; "fit width" counts as 1 for stepping from it."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom:
            return float(self.view.zoomFactor())
        return 1.0

    def zoom_in(self) -> None:
        now = self.zoom_factor()
        self._set_zoom(next((z for z in ZOOM_STEPS if z > now + 0.01), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        now = self.zoom_factor()
        self._set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < now - 0.01), ZOOM_STEPS[0]))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._update_bar()

    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        self._update_bar()

    def _update_bar(self) -> None:
        count = self.page_count()
        shown = count > 0 and self.stack.currentWidget() is self.view
        page = self.current_page()
        self.page_label.setText(f"Page {page + 1} of {count}" if shown else "")
        self.previous_page.setEnabled(shown and page > 0)
        self.next_page.setEnabled(shown and page < count - 1)
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            widget.setEnabled(shown)
        fitting = self.view.zoomMode() != QPdfView.ZoomMode.Custom
        self.fit_button.setChecked(shown and fitting)
        self.zoom_label.setText(f"{self.zoom_factor():.0%}" if shown and not fitting else "")
        self.zoom_label.setVisible(shown and not fitting)
