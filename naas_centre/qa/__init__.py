"""Quality-assurance statistics over plain tables of ratings, without a database or Qt.

Each module holds one family of figures (agreement, reliability, generalisability,
standard setting) as functions over sequences with missing values as ``None`` or NaN,
returning frozen dataclasses. numpy and scipy are imported by these modules only, so
nothing here is loaded until an analysis runs; this package's ``__init__`` imports none.
"""
