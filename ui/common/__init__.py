"""Widgets, theme, formatting and delegates shared by every feature package."""
