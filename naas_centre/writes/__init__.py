"""Writes that must not be lost: the operations, and the journal that keeps them when the disk refuses."""
