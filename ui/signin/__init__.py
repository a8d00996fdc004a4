"""Signing in, first start and the demo accounts."""
