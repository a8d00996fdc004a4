"""Scenario packs: the format, loading, validation and hashing."""
