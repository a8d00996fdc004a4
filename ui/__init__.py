"""The PySide6 application: windows, views, dialogs, Qt item models, workers, resources.

The only package that imports PySide6. ``ui.main`` is the entry point.
"""
