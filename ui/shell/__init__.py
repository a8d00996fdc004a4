"""The shell: the application, the main window that composes the feature packages,
actions, settings, the idle lock and error reporting."""
